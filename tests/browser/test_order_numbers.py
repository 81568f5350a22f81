"""Orders' numbers in a browser: the list names each order by its number ("Order #2", "Заказ № 2") and finds one by
the number typed in its search, the card is titled by it; on a 1280 px desktop in English and a 390 px phone in
Russian, neither scrolling sideways."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, fits_the_phone, new_page
from tests.browser.test_products import euro_company
from tests.browser.test_sensitive import log_in
from tests.support import ApiClient, body

DESKTOP = {"width": 1280, "height": 900}
LINE = {"description": "Wheel alignment", "quantity": "1", "unit_price_minor": 6000, "tax_rate": "20"}


def _shop_with_orders(client: ApiClient, name: str) -> tuple[Any, list[dict[str, Any]]]:
    company = euro_company(client, name)
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Pavel", "last_name": "Driver"}, token=token))
    made = []
    for _ in range(3):
        answer = client.post("/api/v1/orders", {"currency": "EUR", "contact_id": contact["id"], "lines": [LINE]},
                             token=token)
        assert answer.status_code == 201, answer.body
        made.append(body(answer))
    return company, made


def _found_and_opened(page: Any, screens: Screens, search: Any, number: str, title: str, order_id: str,
                      shot: str) -> None:
    """The order searched by its number is the one listed; opened, its card is titled by it."""
    titles = page.locator("[data-test=order-title]")
    search.fill(number)
    search.press("Enter")
    expect(titles).to_have_text([title])
    fits_the_phone(page, screens, f"order-search-{shot}")
    titles.first.click()
    expect(page.locator("#page-title")).to_have_text(title)
    assert page.url.endswith(order_id)
    fits_the_phone(page, screens, f"order-card-{shot}")


def test_the_list_and_card_name_orders_by_number_on_a_desktop(browser: Any, live_url: str, app: Any,
                                                              screens: Screens) -> None:
    company, made = _shop_with_orders(ApiClient(app), "Numbered Garage")
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Numbered Garage")
    page.goto("/#/orders")
    titles = page.locator("[data-test=order-title]")
    expect(titles).to_have_text(["Order #3", "Order #2", "Order #1"])  # newest first
    search = page.get_by_label("Order number")
    search.fill("brake pads")
    search.press("Enter")
    expect(titles).to_have_count(3)  # not a number: said so, nothing asked
    assert page.evaluate("() => document.querySelector('#order-search').validationMessage")
    _found_and_opened(page, screens, search, "#2", "Order #2", made[1]["id"], "1280")


def test_the_list_and_card_name_orders_by_number_on_a_phone_in_russian(browser: Any, live_url: str, app: Any,
                                                                       screens: Screens) -> None:
    company, made = _shop_with_orders(ApiClient(app), "Шиномонтаж Номер")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Шиномонтаж Номер")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/orders")
    titles = page.locator("[data-test=order-title]")
    expect(titles).to_have_text(["Заказ № 3", "Заказ № 2", "Заказ № 1"])
    _found_and_opened(page, screens, page.get_by_label("Номер заказа"), "№1", "Заказ № 1", made[0]["id"], "390-ru")
