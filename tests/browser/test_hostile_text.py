"""Stored XSS through what a customer writes: a WhatsApp name, a message, a file's name and caption, then a
colleague's note and deal title carrying them on. Every screen that shows them shows the text as written: no
element of theirs lands in the page and no script runs (new_page fails on any CSP violation or console error)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.messaging.kit import APP_SECRET, WHATSAPP, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

NAME = '<img src=x id=pwn1 onerror="document.body.dataset.pwned=1">Eve'
TEXT = '<script id="pwn2">document.body.dataset.pwned=2</script><b id="pwn3">bold</b> price?'
FILE = '"><img src=x id=pwn4 onerror=alert(4)>.pdf'
CAPTION = "<svg id=pwn5 onload=alert(5)></svg>caption"
NOTE = "<iframe id=pwn6 src=javascript:alert(6)></iframe>call back"
TITLE = "<a id=pwn7 href=javascript:alert(7)>deal</a>"
INJECTED = "() => [document.querySelector('[id^=pwn]') !== null, document.body.dataset.pwned || null]"


def _clean(page: Any) -> None:
    assert page.evaluate(INJECTED) == [False, None]


def test_what_a_customer_writes_shows_as_text_on_every_screen(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Hostile Text Ltd", country="GB")
    token = company.owner.token
    made = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Shop WhatsApp", "settings": WHATSAPP},
                       token=token)
    assert made.status_code == 201, made.body
    line = body(made)
    chat = Chat(customer="+447700900123", name=NAME)
    for n, (kind, content) in enumerate([("text", {"body": TEXT}),
                                         ("document", {"id": "1234567890123456", "filename": FILE,
                                                       "caption": CAPTION, "mime_type": "application/pdf"})], 1):
        [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_message(chat, n, kind,
                                                                                                  content))])
        assert answer.status_code == 200, answer.body
    [conversation] = body(client.get("/api/v1/conversations", token=token))["items"]
    contact_id = conversation["contact_id"]
    noted = client.post("/api/v1/notes", {"text": NOTE, "subject": {"type": "contact", "id": contact_id}}, token=token)
    assert noted.status_code == 201, noted.body
    deal = body(client.post("/api/v1/deals", {"title": TITLE, "contact_ids": [contact_id]}, token=token))

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Hostile Text Ltd", at="/inbox")
    open_screen(page, "/inbox", "Inbox")
    page.locator(".conversation-row").first.click()
    page.locator(".bubble-in", has_text="price?").wait_for()
    assert TEXT in page.locator(".inbox-thread").inner_text()
    assert "caption" in page.locator(".inbox-thread").inner_text()
    _clean(page)
    screens.shoot(page, "thread")
    page.goto(f"/#/contacts/{contact_id}")
    page.locator("#page-title", has_text="Eve").wait_for()
    page.locator(".timeline", has_text="call back").wait_for()
    assert NAME in page.locator("#page-title").inner_text()
    _clean(page)
    page.goto(f"/#/deals/{deal['id']}")
    page.locator("#page-title", has_text="deal").wait_for()
    assert TITLE in page.locator("#page-title").inner_text()
    _clean(page)
    open_screen(page, "/contacts", "Contacts")
    page.locator("main", has_text="Eve").wait_for()
    _clean(page)
    open_screen(page, "/deals", "Deals")
    page.locator("main", has_text="deal").wait_for()
    _clean(page)
    assert_no_problems(page)
