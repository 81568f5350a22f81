"""Records that connect (#20 items 1 and 8): a deal made by hand is linked to its contact and company from pickers
that find them as you type (or create the company on the spot); a company's card adds a new contact or links one;
a contact's card starts a deal of its own; every list has "+ New" at the top that brings its form up, in view. On a
phone and a laptop, in English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
TEXT = {
    "en": {"deals": "Deals", "new_deal": "+ Deal", "title": "Title", "contact": "Contact", "company": "Company",
           "add_deal": "Add deal", "new_company": "+ New company “Flower Hall”", "new_contact": "+ Contact",
           "first": "First name", "add_contact": "Add contact", "link": "Add a contact", "contacts": "Contacts",
           "responsible": "Responsible", "reassign": "Reassign", "assign": "Assign"},
    "ru": {"deals": "Сделки", "new_deal": "+ Сделка", "title": "Название", "contact": "Контакт",
           "company": "Компания", "add_deal": "Добавить сделку", "new_company": "+ Новая компания «Flower Hall»",
           "new_contact": "+ Контакт", "first": "Имя", "add_contact": "Добавить контакт", "link": "Добавить контакт",
           "contacts": "Контакты", "responsible": "Ответственный", "reassign": "Передать",
           "assign": "Назначить"},
}


def pick(scope: Any, label: str, typed: str, option: str) -> None:
    box = scope.get_by_role("combobox", name=label)
    box.fill(typed)
    scope.get_by_role("option", name=option).click()
    scope.locator(".picker-chip", has_text=option.split("“")[-1].split("«")[-1].rstrip("”»")).wait_for()


@pytest.mark.parametrize(("size", "lang"), [("laptop", "en"), ("phone", "ru"), ("phone", "en"), ("laptop", "ru")])
def test_a_deal_made_by_hand_belongs_to_its_contact_and_company(browser: Any, live_url: str, app: Any,
                                                                 screens: Screens, size: str, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Linked Florist")
    token = company.owner.token
    manager = add_member(client, company, role="manager", name="mila")
    for first, last in (("Olga", "Smirnova"), ("Boris", "Ivanov"), ("Vera", "Sokolova")):
        made = client.post("/api/v1/contacts", {"first_name": first, "last_name": last}, token=token)
        assert made.status_code == 201, made.body
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    log_in(page, company.owner, "Linked Florist")
    page.get_by_label("Language", exact=True).select_option(lang)

    open_screen(page, "/deals", text["deals"])
    page.get_by_role("button", name=text["new_deal"]).click()
    title = page.get_by_label(text["title"], exact=True)
    assert page.evaluate("() => document.activeElement.name") == "title"  # "+ Deal" puts the cursor in the form
    box = title.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORTS[size]["height"], "the form is in view"
    title.fill("Wedding bouquet")
    pick(page, text["contact"], "Olg", "Olga Smirnova")
    pick(page, text["company"], "Flower Hall", text["new_company"])
    page.get_by_role("button", name=text["add_deal"]).click()
    page.locator(".deal a", has_text="Wedding bouquet").click()
    page.locator("#page-title", has_text="Wedding bouquet").wait_for()
    page.locator("[data-links=contact] a", has_text="Olga Smirnova").wait_for()
    page.locator("[data-links=company] a", has_text="Flower Hall").wait_for()
    # A manager reassigns the deal from its card: the responsible person by name, another picked and assigned
    assert page.locator("[data-test=owner-name]").inner_text() == "Olga Owner"
    page.get_by_role("button", name=text["reassign"]).click()
    responsible = page.get_by_label(text["responsible"], exact=True)
    expect(responsible).to_be_focused()  # the keyboard goes on in the list of colleagues
    assert responsible.locator("option:checked").inner_text() == "Olga Owner"
    responsible.select_option(label="Mila")
    page.get_by_role("button", name=text["assign"]).click()
    page.locator(".toast", has_text="Mila").wait_for()  # "Mila is now responsible", once the deal is saved
    deal_id = page.url.rsplit("/", 1)[-1]
    assert body(client.get(f"/api/v1/deals/{deal_id}", token=token))["deal"]["owner_id"] == manager.user_id
    page.locator("[data-test=owner-name]", has_text="Mila").wait_for()
    if size == "phone":
        assert_fits_a_phone(page, screens, f"deal-{lang}")

    # the company's card: a new contact of this company, and one already in the CRM linked to it
    page.locator("[data-links=company] a", has_text="Flower Hall").click()
    page.locator("#page-title", has_text="Flower Hall").wait_for()
    page.get_by_role("button", name=text["new_contact"]).click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label(text["first"], exact=True).fill("Ivan")
    dialog.get_by_role("button", name=text["add_contact"]).click()
    page.locator("[data-links=contact] a", has_text="Ivan").wait_for()
    pick(page, text["link"], "Bor", "Boris Ivanov")
    page.locator("[data-links=contact] a", has_text="Boris Ivanov").wait_for()
    assert page.locator("[data-test=owner]").inner_text().startswith("Olga Owner")
    assert page.get_by_role("button", name=text["reassign"]).is_visible()
    screens.shoot(page, f"company-{size}-{lang}")

    # a contact's card starts a deal of its own
    page.locator("[data-links=contact] a", has_text="Boris Ivanov").click()
    page.locator("#page-title", has_text="Boris Ivanov").wait_for()
    assert page.locator("[data-test=owner-name]").inner_text() == "Olga Owner"
    page.get_by_role("button", name=text["new_deal"]).click()
    dialog = page.locator("dialog[open]")
    dialog.locator(".picker-chip", has_text="Boris Ivanov").wait_for()  # already linked to the contact
    dialog.get_by_label(text["title"], exact=True).fill("Anniversary roses")
    dialog.get_by_role("button", name=text["add_deal"]).click()
    page.locator("#page-title", has_text="Anniversary roses").wait_for()
    page.locator("[data-links=contact] a", has_text="Boris Ivanov").wait_for()
    assert_no_problems(page)
    page.context.close()


@pytest.fixture(scope="module")
def long_lists(app: Any) -> Company:
    """A company with a dozen contacts, companies and products (lists longer than a phone's screen), shared by both
    languages' tests: they only open the lists and their forms, and each browser context keeps its own language."""
    client = ApiClient(app)
    company = signup(client, company="Long List Florist")
    for n in range(12):
        for path, payload in (("/api/v1/contacts", {"first_name": f"Guest{n}", "last_name": "Long"}),
                              ("/api/v1/companies", {"name": f"Venue {n}"}),
                              ("/api/v1/products", {"name": f"Bouquet {n}",
                                                    "price": {"minor": 1000 + n, "currency": "RUB"}})):
            made = client.post(path, payload, token=company.owner.token)
            assert made.status_code == 201, made.body
    return company


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_new_is_at_the_top_of_a_long_list_on_a_phone(browser: Any, live_url: str, app: Any, lang: str,
                                                      long_lists: Company) -> None:
    client, company = ApiClient(app), long_lists
    page = new_page(browser, live_url, viewport=VIEWPORTS["phone"])
    log_in(page, company.owner, "Long List Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    text = TEXT[lang]
    for path, label, new_label in (("/contacts", text["contacts"], text["new_contact"]),
                                   ("/companies", "Companies" if lang == "en" else "Компании", "+ " + text["company"]),
                                   ("/products", "Products" if lang == "en" else "Товары",
                                    "+ Product" if lang == "en" else "+ Товар")):
        open_screen(page, path, label)
        new = page.get_by_role("button", name=new_label)
        new_box = new.bounding_box()
        assert new_box["y"] + new_box["height"] <= VIEWPORTS["phone"]["height"], "+ New is on the first screen"
        assert new_box["height"] >= 40
        new.click()
        focused = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
        assert 0 <= focused <= VIEWPORTS["phone"]["height"] - 60, "the form's first box is in view"
    assert body(client.get("/api/v1/contacts?limit=1", token=company.owner.token))["items"]
    assert_no_problems(page)
    page.context.close()
