"""A wholesaler's accountant opens an order its 1C made for a construction firm's foreman (a contact of one company),
on a 390 px phone in Russian: the card names the company the invoice will name, a tap from its card, beside the
foreman. It named the foreman alone."""
# ruff: noqa: RUF001 (Russian company names)

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import IN_MOSCOW, signup
from tests.support import ApiClient, body


def test_the_order_card_names_the_buyers_company_in_russian_on_a_phone(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    client = ApiClient(app)
    name = "СтройОпт Заказ"
    company = signup(client, company=name, **IN_MOSCOW)
    token = company.owner.token
    firm = body(client.post("/api/v1/companies", {"name": "ООО «ГлавСтрой»"}, token=token))
    foreman = body(client.post("/api/v1/contacts", {"first_name": "Юрий", "last_name": "Егоров",
                                                    "company_ids": [firm["id"]]}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": foreman["id"], "lines": [
        {"description": "Газобетонный блок D500", "quantity": "320", "unit_price_minor": 21500, "tax_rate": "20"}]},
        token=token))
    page = russian_phone(browser, live_url, company.owner, name)
    page.goto(f"/#/orders/{order['id']}")
    expect(page.locator("[data-test=card-customer]")).to_have_text("Юрий Егоров")
    link = page.locator("[data-test=card-company]")
    expect(link).to_have_text("ООО «ГлавСтрой»")
    expect(page.locator("dl.props dt", has_text="Компания")).to_have_count(1)
    fits_the_phone(page, screens, "order-card-company")
    link.click()
    expect(page.locator("#page-title")).to_have_text("ООО «ГлавСтрой»")
    assert_no_problems(page)
    page.context.close()
