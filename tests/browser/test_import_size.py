"""Settings → Data: the import form sends a file of up to 4 MB in its request (a shop's export of its
customers past 1 MB is previewed, where a 1 MiB cap answered "payload too large"), and says what to do with a
larger file before reading or sending any of it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up
from tests.seeds.dataio import ensure_bucket


def _csv(rows: int) -> bytes:
    lines = ["First name;Last name;Phone;Comment"] + [
        f"Anna{n};Petrova{n};+7 916 {n // 10000 % 1000:03d} {n % 10000:04d};{'a regular customer ' * 4}"
        for n in range(rows)]
    return "\n".join(lines).encode()


def test_a_file_past_1_mb_is_previewed_and_a_file_past_4_mb_is_refused_before_sending(browser: Any,
                                                                                live_url: str) -> None:
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

    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    huge = _csv(45_000)
    assert len(huge) > 4 * 1024 * 1024
    page.get_by_label("File").set_input_files({"name": "everyone.csv", "mimeType": "text/csv", "buffer": huge})
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator(".form-status:not([hidden])")).to_contain_text("larger than 4 MB")
    assert not [url for url in sent if url.endswith("/api/v1/imports")], sent
    assert_no_problems(page)
