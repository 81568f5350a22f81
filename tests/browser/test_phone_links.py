"""Phone numbers people can use (#20 item 7): formatted, a tap calls (tel:), and WhatsApp and Telegram are one tap
away, on the contact's card, the company's card and the contacts list. On a phone and a laptop, in English and in
Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
WHATSAPP = {"en": "Write to +7 916 123-45-67 in WhatsApp", "ru": "Написать на +7 916 123-45-67 в WhatsApp"}
TELEGRAM = {"en": "Write to +7 916 123-45-67 in Telegram", "ru": "Написать на +7 916 123-45-67 в Telegram"}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_phone_number_calls_and_opens_whatsapp_and_telegram(browser: Any, live_url: str, app: Any,
                                                               screens: Screens, size: str, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Phone Florist", country="RU")
    token = company.owner.token
    olga = body(client.post("/api/v1/contacts", {"first_name": "Olga", "phones": [{"number": "+79161234567"}]},
                            token=token))
    hall = body(client.post("/api/v1/companies", {"name": "Hall", "phones": [{"number": "+79161234567"}]},
                            token=token))
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    log_in(page, company.owner, "Phone Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    for path in (f"/contacts/{olga['id']}", f"/companies/{hall['id']}"):
        page.goto(f"/#{path}")
        call = page.locator("main a.phone", has_text="+7 916 123-45-67")
        call.wait_for()
        assert call.get_attribute("href") == "tel:+79161234567"
        whatsapp = page.get_by_role("link", name=WHATSAPP[lang])
        telegram = page.get_by_role("link", name=TELEGRAM[lang])
        assert whatsapp.get_attribute("href") == "https://wa.me/79161234567"
        assert telegram.get_attribute("href") == "https://t.me/+79161234567"
        for link in (whatsapp, telegram):
            box = link.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44
        if size == "phone":
            assert_fits_a_phone(page, screens, f"{path.split('/')[1]}-{lang}")
    page.goto("/#/contacts")
    row = page.locator(".contact-list li", has_text="Olga")
    assert row.locator("a.phone").inner_text() == "+7 916 123-45-67"  # not +79161234567
    assert row.locator("a.phone").get_attribute("href") == "tel:+79161234567"
    assert_no_problems(page)
    page.context.close()
