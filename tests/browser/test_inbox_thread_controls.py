"""The inbox in a browser, on a 1280 px desktop in English and a 390 px phone in Russian:
- a row says "Sender not verified" («Отправитель не подтверждён») of an e-mail SES could not verify, before it is
  opened (the mark was in the thread alone);
- the thread's controls write with the conversation's version as it is when pressed: opening an unread thread marks
  it read and a reply moves it too, and Close then answered 409 "changed by someone else" that nobody caused;
- a colleague's real change of what a control showed still says so."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import Company, add_member, signup
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient, body
from webhooks import mail

DESKTOP = {"width": 1280, "height": 900}


def _mailbox(client: ApiClient, name: str) -> tuple[Company, dict[str, Any]]:
    """A company whose e-mail line got one mail from a verified sender and one SES could not verify."""
    company = signup(client, company=name, country="GB")
    line = create_line(client, company)
    forward_to = line["settings"]["inbound_address"]
    genuine = mail.Correspondent(forward_to=forward_to, sender="irina@customer.example", name="Irina Petrova")
    forged = mail.Correspondent(forward_to=forward_to, sender="vera@shop.example", name="Vera Stone",
                                verdicts=mail.SPOOFED)
    assert deliver(mail.message(genuine, subject="Bouquets", text="Do you deliver on Saturdays?"),
                   mail.message(forged, subject="New bank details", n=2, text="Pay to account 4000."))["received"] == 2
    rows = body(client.get("/api/v1/conversations?channel=email", token=company.owner.token))["items"]
    return company, {("forged" if row["sender_unverified"] else "genuine"): row for row in rows}


def _conflicts(page: Any) -> list[str]:
    """The thread's writes answered 409 (the app shows them as a toast; the console calls them benign)."""
    seen: list[str] = []
    page.on("response", lambda r: r.request.method == "POST" and r.status == 409 and seen.append(r.url))
    return seen


def _opened_and_read(page: Any, conversation_id: str) -> None:
    """The thread opened from its row, its mark-read answered (so the version the thread loaded with is old)."""
    with page.expect_response(lambda r: r.url.endswith(f"/conversations/{conversation_id}/read")) as read:
        page.locator(f"[data-conversation='{conversation_id}'] a").click()
    assert read.value.status == 200


def test_the_row_marks_an_unverified_sender_and_close_follows_opening(browser: Any, live_url: str, app: Any,
                                                                      screens: Screens) -> None:
    client = ApiClient(app)
    company, rows = _mailbox(client, "Thread Controls Ltd")
    page = new_page(browser, live_url, viewport=DESKTOP)
    conflicts = _conflicts(page)
    log_in(page, company.owner, "Thread Controls Ltd", at="/inbox")
    forged_row = page.locator(f"[data-conversation='{rows['forged']['id']}']")
    expect(forged_row.locator("[data-test=row-unverified]")).to_have_text("Sender not verified")
    expect(page.locator(f"[data-conversation='{rows['genuine']['id']}'] [data-test=row-unverified]")).to_have_count(0)
    screens.shoot(page, "inbox-row-unverified-1280")

    _opened_and_read(page, rows["genuine"]["id"])
    page.locator("[data-test=toggle-status]", has_text="Close").click()  # at once, on the version it opened with
    expect(page.locator("[data-test=toggle-status]")).to_have_text("Reopen")
    assert body(client.get(f"/api/v1/conversations/{rows['genuine']['id']}", token=company.owner.token))[
        "status"] == "closed"
    page.locator("[data-test=toggle-status]").click()
    expect(page.locator("[data-test=toggle-status]")).to_have_text("Close")
    assert conflicts == [] and page.locator(".toast", has_text="Changed by someone else").count() == 0

    # A colleague closed it meanwhile: pressing Close says so and shows it as it is, writing nothing.
    now = body(client.get(f"/api/v1/conversations/{rows['genuine']['id']}", token=company.owner.token))
    assert client.post(f"/api/v1/conversations/{now['id']}/close", {"version": now["version"]},
                       token=company.owner.token).status_code == 200
    page.locator("[data-test=toggle-status]", has_text="Close").click()
    expect(page.locator(".toast", has_text="Changed by someone else")).to_be_visible()
    expect(page.locator("[data-test=toggle-status]")).to_have_text("Reopen")
    assert body(client.get(f"/api/v1/conversations/{now['id']}", token=company.owner.token))["status"] == "closed"
    assert_no_problems(page)


def test_on_a_phone_in_russian_the_row_is_marked_and_a_reply_then_assign_then_close(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company, rows = _mailbox(client, "Thread Phone Ltd")
    colleague = add_member(client, company, role="admin", name="pavel")
    page = new_page(browser, live_url, viewport=PHONE)
    conflicts = _conflicts(page)
    in_russian(page, company.owner, "Thread Phone Ltd", "/inbox")
    badge = page.locator(f"[data-conversation='{rows['forged']['id']}'] [data-test=row-unverified]")
    expect(badge).to_have_text("Отправитель не подтверждён")
    fits_the_phone(page, screens, "inbox-row-unverified-390-ru")

    genuine = rows["genuine"]["id"]
    _opened_and_read(page, genuine)
    page.locator("[data-test=reply-text]").fill("Да, каждую субботу.")
    page.locator("[data-test=reply-send]").click()
    page.locator(".bubble-out", has_text="каждую субботу").wait_for()
    page.locator("[data-test=assignee]").select_option(label="Pavel")
    expect(page.locator("[data-test=assignee]")).to_have_value(colleague.user_id)
    page.locator("[data-test=toggle-status]", has_text="Закрыть").click()
    expect(page.locator("[data-test=toggle-status]")).to_have_text("Открыть снова")
    read = body(client.get(f"/api/v1/conversations/{genuine}", token=company.owner.token))
    assert read["status"] == "closed" and read["assignee_id"] == colleague.user_id
    assert conflicts == []
    fits_the_phone(page, screens, "inbox-thread-controls-390-ru")
    assert_no_problems(page)
