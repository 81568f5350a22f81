"""E-mail in the browser (#17): a mailbox connected in Settings shows its forwarding address and the steps; an
e-mail thread shows its subject, sender and folded quote, and is answered with the thread's subject, at 1366 px in
English and at 375 px in Russian."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.messaging.mailkit import BUSINESS, deliver, ensure_mail_bucket, sent_mail, verify_sender
from tests.support import ApiClient, body
from webhooks import mail

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_mailbox_is_connected_and_its_threads_are_answered(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Mailbox Browser Ltd", country="RU")
    ensure_mail_bucket()
    verify_sender()
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Mailbox Browser Ltd", at="/settings/integrations")
    open_screen(page, "/settings/integrations", "Settings")
    connect = page.locator("section.panel",
                           has=page.get_by_role("heading", name="Connect WhatsApp, Telegram or a mailbox"))
    connect.get_by_label("Channel").select_option("email")
    connect.get_by_label("Name", exact=True).fill("Sales mailbox")
    connect.get_by_label("Replies come from").fill(BUSINESS)
    connect.get_by_role("button", name="Connect").click()
    panel = page.locator("[data-integration]", has_text="Sales mailbox")
    address = panel.locator("[data-test=forward-address]")
    address.wait_for()
    forward_to = address.input_value()
    assert forward_to.endswith("@inbound.test.crm.localhost")
    assert panel.locator(".setup-steps", has_text="Gmail").is_visible()
    assert panel.get_by_role("button", name="New address").is_visible()  # its forwarding address, not "New URL"
    screens.shoot(page, "mailbox-setup")

    who = mail.Correspondent(forward_to=forward_to, sender="irina@customer.example", name="Irina Petrova")
    first = mail.message(who, subject="Wedding bouquets", text="Do you deliver on Saturdays?\n\nOn Fri, Anna wrote:\n"
                         "> Our price list is attached.")
    assert deliver(first)["received"] == 1
    open_screen(page, "/inbox", "Inbox")
    page.locator(".conversation-row", has_text="Irina Petrova").click()
    head = page.locator(".bubble-in [data-test=mail-head]")
    head.wait_for()
    assert "Wedding bouquets" in head.inner_text() and "irina@customer.example" in head.inner_text()
    quote = page.locator(".bubble-in [data-test=quoted]")
    assert not quote.locator("p").is_visible()  # folded until asked for
    quote.locator("summary").click()
    assert quote.locator("p", has_text="Our price list is attached.").is_visible()
    assert page.locator("[data-test=reply-subject]").get_attribute("placeholder") == "Re: Wedding bouquets"
    page.locator("[data-test=reply-text]").fill("Yes, every Saturday until 18:00.")
    page.locator("[data-test=reply-send]").click()
    page.locator(".bubble-out", has_text="every Saturday").wait_for()
    [sent] = sent_mail("irina@customer.example")
    assert sent["Subject"] == "Re: Wedding bouquets"
    screens.shoot(page, "mail-thread-desktop")
    assert_no_problems(page)

    phone = new_page(browser, live_url, viewport=PHONE)
    conversation = body(client.get("/api/v1/conversations?channel=email", token=company.owner.token))["items"][0]
    in_russian(phone, company.owner, "Mailbox Browser Ltd", f"/inbox/{conversation['id']}")
    phone.locator(".bubble-in [data-test=quoted] summary", has_text="Цитата").wait_for()
    assert phone.get_by_label("Тема").is_visible() and phone.evaluate(NO_SIDEWAYS)
    screens.shoot(phone, "mail-thread-phone-ru")
    assert_no_problems(phone)


def test_an_unverified_sender_is_marked_and_attached_by_hand(browser: Any, live_url: str, app: Any,
                                                            screens: Screens) -> None:
    """A spoofed customer address (DMARC FAIL) is kept apart and says so; whoever knows who wrote attaches it. A
    message SES found a virus in says its files were removed."""
    from tests.messaging.mailkit import create_line

    client = ApiClient(app)
    company = signup(client, company="Spoof Browser Ltd", country="GB")
    line = create_line(client, company)
    client.post("/api/v1/contacts", {"first_name": "Vera", "last_name": "Stone",
                                     "emails": [{"address": "vera@shop.example"}]}, token=company.owner.token)
    forward_to = line["settings"]["inbound_address"]
    spoofed = mail.Correspondent(forward_to=forward_to, sender="vera@shop.example", name="Vera", verdicts=mail.SPOOFED)
    infected = mail.Correspondent(forward_to=forward_to, sender="vera@shop.example", name="Vera",
                                  verdicts=mail.INFECTED)
    assert deliver(mail.message(spoofed, subject="New bank details", text="Pay to account 4000."),
                   *mail.messages("new", infected))["received"] == 2
    listed = body(client.get("/api/v1/conversations?channel=email", token=company.owner.token))["items"]
    kept = next(c for c in listed if c["contact_id"] is None)
    virus = next(c for c in listed if c["contact_id"] is not None)
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Spoof Browser Ltd", at=f"/inbox/{kept['id']}")
    notice = page.locator("[data-test=sender-unverified]")
    notice.wait_for()
    assert "Sender not verified" in notice.inner_text()
    page.get_by_label("Attach to a contact").fill("Vera")
    page.get_by_role("button", name="Find").click()
    screens.shoot(page, "mail-unverified-sender")
    page.get_by_role("button", name="Attach to Vera Stone").click()
    page.locator("[data-test=thread-contact]", has_text="Vera Stone").wait_for()
    assert body(client.get(f"/api/v1/conversations/{kept['id']}", token=company.owner.token))["contact_id"]
    page.goto(f"/#/inbox/{virus['id']}")
    page.locator(".bubble-in [data-test=files-removed]", has_text="a virus was found").wait_for()
    assert page.locator(".bubble-in [data-test=open-file]").count() == 0
    assert_no_problems(page)
