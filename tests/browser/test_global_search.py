"""The search across the CRM (#20 item 16): from the top bar of every screen, contacts, companies and deals found by
name, phone or e-mail, each linked to its card. On a phone and a laptop, in English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import DRAWN, assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
TITLE = {"en": "Search", "ru": "Поиск"}
NONE = {"en": "Nothing found.", "ru": "Ничего не найдено."}
FEW_DIGITS = {"en": f"{NONE['en']} A phone is found by 4 digits or more: the end of its number or its start.",
              "ru": f"{NONE['ru']} Телефон находится по 4 цифрам и более: концу или началу номера."}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_top_bar_finds_contacts_companies_and_deals(browser: Any, live_url: str, app: Any, screens: Screens,
                                                         size: str, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Search Florist", country="RU")
    token = company.owner.token
    olga = body(client.post("/api/v1/contacts", {"first_name": "Olga", "last_name": "Smirnova",
                                                 "phones": [{"number": "+79161234567"}],
                                                 "emails": [{"address": "olga.s@example.com"}]}, token=token))
    client.post("/api/v1/companies", {"name": "Olga's Garden", "phones": [{"number": "+74955554567"}]}, token=token)
    client.post("/api/v1/deals", {"title": "Olga wedding bouquet"}, token=token)
    client.post("/api/v1/contacts", {"first_name": "Boris"}, token=token)
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    log_in(page, company.owner, "Search Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    for path in ("/deals", "/tasks", "/settings/profile"):  # reachable from every screen
        page.goto(f"/#{path}")
        page.wait_for_function(DRAWN)  # this screen drawn, not the last one's top bar seen
        page.locator("#page-title").wait_for()
        assert page.get_by_role("link", name=TITLE[lang], exact=True).is_visible(), path
    page.get_by_role("link", name=TITLE[lang], exact=True).click()
    page.locator("#page-title", has_text=TITLE[lang]).wait_for()
    box = page.locator("#global-search")
    assert page.evaluate("() => document.activeElement.id") == "global-search"

    box.fill("olga")
    page.wait_for_function("() => document.querySelector('.search-results').dataset.q === 'olga'")
    page.locator("[data-group=contact] a", has_text="Olga Smirnova").wait_for()
    page.locator("[data-group=company] a", has_text="Olga's Garden").wait_for()
    page.locator("[data-group=deal] a", has_text="Olga wedding bouquet").wait_for()
    assert "Boris" not in page.locator(".search-results").inner_text()
    if size == "phone":
        assert_fits_a_phone(page, screens, f"results-{lang}")
    else:
        screens.shoot(page, f"results-{lang}")

    # by a whole phone number as people type it, by its tail or its start (without +7), by e-mail
    for typed in ("8 916 123-45-67", "45-67", "916 123", "olga.s@"):
        box.fill(typed)
        page.wait_for_function("(q) => document.querySelector('.search-results').dataset.q === q", arg=typed)
        contacts = page.locator("[data-group=contact] li")
        assert contacts.count() == 1 and "Olga Smirnova" in contacts.inner_text(), typed
        assert page.locator("[data-group=deal] li").count() == 0, typed
        garden = typed == "45-67"  # the shop's switchboard ends the same way
        assert page.locator("[data-group=company] li").count() == int(garden), typed
    box.fill("4-67")  # 3 digits find no phone, and the answer says how many it takes
    page.wait_for_function("() => document.querySelector('.search-results').dataset.q === '4-67'")
    assert page.locator("[data-group=contact] p").inner_text() == FEW_DIGITS[lang]
    assert page.locator("[data-group=deal] p").inner_text() == NONE[lang]
    box.fill("123-45")  # 5 digits from the middle of her number: neither its end nor its start
    page.wait_for_function("() => document.querySelector('.search-results').dataset.q === '123-45'")
    assert page.locator("[data-group=contact] p").inner_text() == NONE[lang]
    box.fill("olga.s@")
    page.wait_for_function("() => document.querySelector('.search-results').dataset.q === 'olga.s@'")
    page.locator("[data-group=contact] a", has_text="Olga Smirnova").click()
    page.wait_for_url(f"**/#/contacts/{olga['id']}")
    page.go_back()
    page.locator("#global-search").wait_for()
    assert page.locator("#global-search").input_value() == "olga.s@"  # the address kept the search
    assert_no_problems(page)
    page.context.close()
