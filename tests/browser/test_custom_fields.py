"""Settings → Custom fields in the browser: every type defined, edited and deleted, then filled in on the cards."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import BENIGN, open_screen, sign_up

# (label, key, type, options, required, sensitive)
CONTACT_FIELDS = [
    ("Nickname", "nickname", "text", "", False, False),
    ("Background", "background", "long_text", "", False, False),
    ("Visits", "visits", "number", "", False, False),
    ("Budget", "budget", "money", "", False, False),
    ("First order", "first_order", "date", "", False, False),
    ("Call back at", "call_back_at", "datetime", "", False, False),
    ("Size", "size", "select", "small | Small\nbig | Big", True, False),
    ("Channels", "channels", "multiselect", "web | Website\nshop | Shop visit", False, False),
    ("Vip", "vip", "bool", "", False, False),
    ("Office line", "office_line", "phone", "", False, False),
    ("Billing address", "billing_email", "email", "", False, False),
    ("Homepage", "homepage", "url", "", False, False),
    ("Loyalty code", "loyalty_code", "text", "", False, True),
]


def define(page: Any, label: str, key: str, kind: str, options: str = "", required: bool = False,
           sensitive: bool = False) -> None:
    """Fill the "Add a field" form and wait for the field in the list."""
    create = page.get_by_role("form", name="Add a field")
    create.get_by_label("Field name").fill(label)
    create.get_by_label("Key", exact=True).fill(key)
    create.get_by_label("Type").select_option(kind)
    if options:
        create.get_by_label("Options").fill(options)
    if required:
        create.get_by_label("Required").check()
    if sensitive:
        create.get_by_label("Sensitive").check()
    create.get_by_role("button", name="Add field").click()
    page.locator(f'[data-field="{key}"]').wait_for()


def confirm(page: Any, button: str) -> None:
    page.get_by_role("dialog").get_by_role("button", name=button).click()


def props(page: Any) -> str:
    return page.locator("dl.props").first.inner_text()


def test_custom_fields_of_every_type_on_contacts_companies_and_deals(browser: Any, live_url: str,
                                                                      screens: Screens) -> None:
    page = new_page(browser, live_url)
    sign_up(page, company="Fields Bakery")
    open_screen(page, "/settings/custom-fields", "Settings")
    page.locator(".empty", has_text="No custom fields yet").wait_for()
    for label, key, kind, options, required, sensitive in CONTACT_FIELDS:
        define(page, label, key, kind, options, required, sensitive)
    size = page.locator('[data-field="size"]')
    assert "Required" in size.inner_text() and "Small, Big" in size.inner_text()
    assert "Sensitive" in page.locator('[data-field="loyalty_code"]').inner_text()

    # A list type without options is refused before it reaches the API; a taken key by the API.
    create = page.get_by_role("form", name="Add a field")
    create.get_by_label("Field name").fill("Broken")
    create.get_by_label("Key", exact=True).fill("broken")
    create.get_by_label("Type").select_option("select")
    create.get_by_role("button", name="Add field").click()
    create.locator(".field-error", has_text="at least one option").wait_for()
    create.get_by_label("Type").select_option("text")
    create.get_by_label("Key", exact=True).fill("nickname")
    create.get_by_role("button", name="Add field").click()
    create.locator(".form-status", has_text=re.compile("already exists", re.I)).wait_for()

    visits = page.locator('[data-field="visits"]')
    visits.locator("summary", has_text="Edit").click()
    visits.get_by_label("Field name").fill("Store visits")
    visits.get_by_role("button", name="Save").click()
    page.locator('[data-field="visits"] .title', has_text="Store visits").wait_for()
    page.locator('[data-field="homepage"]').get_by_role("button", name="Delete").click()
    confirm(page, "Delete")
    page.locator('[data-field="homepage"]').wait_for(state="detached")
    screens.shoot(page, "custom-fields")

    # The required select is asked for when a contact is created.
    open_screen(page, "/contacts", "Contacts")
    page.get_by_label("First name").fill("Ivan")
    page.get_by_label("Last name").fill("Petrov")
    page.get_by_role("button", name="Add contact").click()
    page.locator(".form-status", has_text="check the highlighted").wait_for()
    page.get_by_label("Size *").select_option("big")
    page.get_by_role("button", name="Add contact").click()
    page.locator("#page-title", has_text="Ivan Petrov").wait_for()
    assert "Big" in props(page)

    page.locator("summary", has_text="Edit").click()
    edit = page.get_by_role("form", name="Edit")
    edit.get_by_label("Nickname").fill("Vanya")
    edit.get_by_label("Background").fill("Met at the fair")
    edit.get_by_label("Store visits").fill("3")
    edit.get_by_label("Budget", exact=True).fill("1500.50")
    edit.get_by_label("Budget: Currency").fill("EUR")
    edit.get_by_label("First order").fill("2026-05-01")
    edit.get_by_label("Call back at").fill("2026-05-04T10:30")
    edit.get_by_label("Shop visit").check()
    edit.get_by_label("Vip").check()
    edit.get_by_label("Office line").fill("+1 415 555 0111")
    edit.get_by_label("Billing address").fill("Billing@Example.COM")
    edit.get_by_label("Loyalty code").fill("LC-12345678")
    edit.get_by_label("Office line").fill("not a phone")
    edit.get_by_role("button", name="Save").click()
    edit.locator(".field-error", has_text="Not a valid phone number").wait_for()
    edit.get_by_label("Office line").fill("+1 415 555 0111")
    edit.get_by_role("button", name="Save").click()
    page.locator("dl.props", has_text="Vanya").wait_for()
    shown = props(page)
    for text in ["Met at the fair", "Store visits", "€1,500.50", "May 1, 2026", "Shop visit", "Yes", "+14155550111",
                 "billing@example.com", "Big"]:
        assert text in shown, (text, shown)
    assert "LC-12345678" not in shown and "••••" in shown
    page.get_by_role("button", name="Reveal custom.loyalty_code").click()
    page.locator("dl.props", has_text="LC-12345678").wait_for()
    screens.shoot(page, "contact-custom-values")

    # Saving again leaves the masked value alone (the form never held it).
    page.reload()
    page.locator("#page-title", has_text="Ivan Petrov").wait_for()
    page.locator("summary", has_text="Edit").click()
    page.get_by_role("form", name="Edit").get_by_label("Nickname").fill("Vanechka")
    page.get_by_role("form", name="Edit").get_by_role("button", name="Save").click()
    page.locator("dl.props", has_text="Vanechka").wait_for()
    page.get_by_role("button", name="Reveal custom.loyalty_code").click()
    page.locator("dl.props", has_text="LC-12345678").wait_for()

    open_screen(page, "/settings/custom-fields?entity=company", "Settings")
    define(page, "Industry", "industry", "select", "food | Food\nretail | Retail")
    open_screen(page, "/settings/custom-fields?entity=deal", "Settings")
    define(page, "Campaign", "campaign", "text")

    open_screen(page, "/companies", "Companies")
    page.get_by_label("Name").fill("Flour Mill Ltd")
    page.get_by_role("button", name="Add company").click()
    page.locator("#page-title", has_text="Flour Mill Ltd").wait_for()
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Industry").select_option("food")
    page.get_by_role("form", name="Edit").get_by_role("button", name="Save").click()
    page.locator("dl.props", has_text="Food").wait_for()

    open_screen(page, "/deals", "Deals")
    page.get_by_label("Title").fill("Wedding cake")
    page.get_by_role("button", name="Add deal").click()
    page.locator(".deal a", has_text="Wedding cake").click()
    page.locator("#page-title", has_text="Wedding cake").wait_for()
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Campaign").fill("Spring fair")
    page.get_by_role("form", name="Edit").get_by_role("button", name="Save").click()
    page.locator("dl.props", has_text="Spring fair").wait_for()
    screens.shoot(page, "deal-custom-values")
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
