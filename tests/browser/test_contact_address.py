"""The contact and company cards show where the customer is and edit it: a New York plumber's dispatcher had no place
on the card for the job site's address (the API keeps a contact's shipping and billing addresses; the web app showed
neither and had no box for them), so the plumber in the van had the customer's phone and no street to drive to; and a
London office supplier's customers are firms, whose address a British VAT invoice names, but the company card had no
place for it either."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def _card(browser: Any, live_url: str, company: Company, name: str, path: str) -> tuple[Any, Any]:
    """The owner's phone on a record's card, and the card's facts."""
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, name, at=f"/{path}")
    return page, page.locator("dl.props").first


def test_the_card_shows_and_edits_a_customers_addresses_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Brooklyn Pipe Co.", country="US")
    token = company.owner.token
    made = client.post("/api/v1/contacts", {
        "first_name": "Sarah", "last_name": "Goldberg", "phones": [{"number": "(917) 555-0134"}],
        "shipping_address": {"line1": "412 5th St", "line2": "Basement door at the back", "city": "Brooklyn",
                             "region": "NY", "postal_code": "11215", "country": "US"}}, token=token)
    assert made.status_code == 201, made.body
    sarah = body(made)

    page, facts = _card(browser, live_url, company, "Brooklyn Pipe Co.", f"contacts/{sarah['id']}")
    facts.get_by_text("412 5th St, Basement door at the back, Brooklyn, NY 11215, US").wait_for()
    assert facts.locator("dt", has_text="Billing address").count() == 0  # none given: no empty row
    page.locator("summary", has_text="Edit").click()
    shipping = page.locator("fieldset[data-address=shipping_address]")
    assert shipping.get_by_label("Street address").input_value() == "412 5th St"
    shipping.get_by_label("Street address").fill("418 5th St")
    billing = page.locator("fieldset[data-address=billing_address]")
    billing.get_by_label("Street address").fill("200 Prospect Park W")
    billing.get_by_label("City").fill("Brooklyn")
    billing.get_by_label("State or region").fill("NY")
    billing.get_by_label("ZIP or postal code").fill("11215")
    screens.shoot(page, "contact-address-edit")
    page.get_by_role("button", name="Save").click()
    facts.get_by_text("200 Prospect Park W, Brooklyn, NY 11215").wait_for()
    facts.get_by_text("418 5th St, Basement door at the back, Brooklyn, NY 11215, US").wait_for()
    saved = body(client.get(f"/api/v1/contacts/{sarah['id']}", token=token))
    assert saved["shipping_address"] == {"line1": "418 5th St", "line2": "Basement door at the back",
                                         "city": "Brooklyn", "region": "NY", "postal_code": "11215", "country": "US"}
    assert saved["billing_address"] == {"line1": "200 Prospect Park W", "city": "Brooklyn", "region": "NY",
                                        "postal_code": "11215"}
    fits_the_phone(page, screens, "contact-address-card")
    assert_no_problems(page)


def test_the_company_card_shows_and_edits_its_address_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Thames Office Supplies", country="GB", timezone="Europe/London")
    token = company.owner.token
    made = client.post("/api/v1/companies", {"name": "Blackfriars Legal LLP", "address": {
        "line1": "12 New Bridge Street", "line2": "Third floor", "city": "London", "country": "GB"}}, token=token)
    assert made.status_code == 201, made.body
    firm = body(made)
    page, facts = _card(browser, live_url, company, "Thames Office Supplies", f"companies/{firm['id']}")
    facts.get_by_text("12 New Bridge Street, Third floor, London, GB").wait_for()
    page.locator("summary", has_text="Edit").click()
    address = page.locator("fieldset[data-address=address]")
    assert address.get_by_label("Street address").input_value() == "12 New Bridge Street"
    address.get_by_label("ZIP or postal code").fill("EC4V 6AB")
    page.get_by_role("button", name="Save").click()
    facts.get_by_text("12 New Bridge Street, Third floor, London, EC4V 6AB, GB").wait_for()
    saved = body(client.get(f"/api/v1/companies/{firm['id']}", token=token))
    assert saved["address"] == {"line1": "12 New Bridge Street", "line2": "Third floor", "city": "London",
                                "postal_code": "EC4V 6AB", "country": "GB"}
    fits_the_phone(page, screens, "company-address-card")
    assert_no_problems(page)
    page.context.close()
