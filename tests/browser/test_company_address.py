"""The company card shows and edits where the business is: a London office supplier's customers are firms, and a
British VAT invoice names the customer's address, but the company card had no place for it (the API keeps a company's
address and the invoice prints it; the web app showed none and had no box for it)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_company_card_shows_and_edits_its_address_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Thames Office Supplies", country="GB", timezone="Europe/London")
    token = company.owner.token
    made = client.post("/api/v1/companies", {"name": "Blackfriars Legal LLP", "address": {
        "line1": "12 New Bridge Street", "line2": "Third floor", "city": "London", "country": "GB"}}, token=token)
    assert made.status_code == 201, made.body
    firm = body(made)
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Thames Office Supplies")
    page.goto(f"/#/companies/{firm['id']}")
    facts = page.locator("dl.props").first
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
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screens.shoot(page, "company-address-card")
    assert_no_problems(page)
    page.context.close()
