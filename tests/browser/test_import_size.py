"""Settings → Data: the import form sends a file of up to 4 MB in its request (a shop's export of its
customers past 1 MB is previewed, where a 1 MiB cap answered "payload too large"), puts one of up to 20 MB straight
into the bucket through an upload form first, and says what to do with a larger file before reading or sending any
of it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up
from tests.seeds.dataio import ensure_bucket


def _csv(rows: int, comment: int = 4) -> bytes:
    lines = ["First name;Last name;Phone;Comment"] + [
        f"Anna{n};Petrova{n};+7 916 {n // 10000 % 1000:03d} {n % 10000:04d};{'a regular customer ' * comment}"
        for n in range(rows)]
    return "\n".join(lines).encode()


def _into_the_bucket(posted: list[int]) -> Any:
    """The browser cannot reach the in-process S3: an upload form's POST goes to it from here (moto takes the form's
    fields and file as S3 does), and the browser gets S3's answer."""
    import requests

    def forward(route: Any) -> None:
        request = route.request
        assert request.method == "POST", request.method
        data = request.post_data_buffer
        posted.append(len(data))
        answer = requests.post(request.url, data=data, headers={"Content-Type": request.headers["content-type"]},
                               timeout=60)
        route.fulfill(status=answer.status_code, body=answer.content)
    return forward


def test_a_file_past_1_mb_is_sent_one_past_4_mb_uploaded_and_one_past_20_mb_refused_before_sending(
        browser: Any, live_url: str) -> None:
    ensure_bucket()
    page = new_page(browser, live_url)
    sign_up(page, company="Big List Shop")
    open_screen(page, "/settings/data", "Settings")
    shop = _csv(11_000)
    assert 1024 * 1024 < len(shop) < 4 * 1024 * 1024  # past the 1 MiB every other request may hold
    page.get_by_label("File").set_input_files({"name": "customers.csv", "mimeType": "text/csv", "buffer": shop})
    page.get_by_role("button", name="Upload and preview").click()
    page.locator('[data-test="import-preview"], .form-status:not([hidden])').first.wait_for(timeout=60_000)  # a bound
    assert page.locator(".form-status:not([hidden])").count() == 0, page.locator(".form-status").first.inner_text()
    expect(page.locator('[data-test="import-preview"]')).to_contain_text("customers.csv (CSV): 11,000 rows")

    # a file past 4 MB: an upload form, the file straight into the bucket, then the preview of what arrived there
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    posted: list[int] = []
    page.route(re.compile(r"^https://[^/]+\.amazonaws\.com/"), _into_the_bucket(posted))
    big = _csv(1_200, comment=220)  # long comments: few rows to check, many bytes
    assert 4 * 1024 * 1024 < len(big) < 20 * 1024 * 1024
    page.get_by_label("File").set_input_files({"name": "everyone.csv", "mimeType": "text/csv", "buffer": big})
    page.get_by_role("button", name="Upload and preview").click()
    page.locator('[data-test="import-preview"]', has_text="everyone.csv").or_(
        page.locator(".form-status:not([hidden])")).first.wait_for(timeout=60_000)  # a bound
    assert page.locator(".form-status:not([hidden])").count() == 0, page.locator(".form-status").first.inner_text()
    expect(page.locator('[data-test="import-preview"]')).to_contain_text("everyone.csv (CSV): 1,200 rows")
    assert len(posted) == 1 and posted[0] > len(big), posted  # the form's fields and the whole file, once
    api = [url.split("/api/v1/", 1)[1] for url in sent if "/api/v1/" in url]
    assert api == ["imports/uploads", "imports"], api  # the file never in an API request
    # checking again with another mapping: an upload is read once, so the file goes up again with a new form
    page.get_by_label("Field for column Comment").select_option("-")  # "— skip —"
    with page.expect_response(lambda response: response.url.endswith("/api/v1/imports")) as checked:
        page.get_by_role("button", name="Check again with this mapping").click()
    assert checked.value.status == 201 and len(posted) == 2
    expect(page.get_by_label("Field for column Comment")).to_have_value("-")

    sent.clear()
    # a file past 20 MB, made in the page (a buffer that large crawls through the test's pipe to the browser)
    page.get_by_label("File").evaluate("""(input) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(20 * 1024 * 1024 + 1)], 'everything.csv', { type: 'text/csv' }));
      input.files = files.files;
    }""")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator(".form-status:not([hidden])")).to_contain_text("larger than 20 MB")
    assert not sent and len(posted) == 2, sent
    assert_no_problems(page)
