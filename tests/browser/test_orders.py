"""Orders in a browser (#23): on a 375 px phone an order is put together from a typed SKU and a free-text line,
its totals coming live from the server's preview, created, confirmed (its stock reserved, as the product card then
shows) and partly paid; on a 1366 px desktop in Russian a won deal becomes its order in one click, its revenue
shows in the orders report, and the orders list filters by status. Neither screen scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_products import euro_company
from tests.browser.test_sensitive import log_in
from tests.support import ApiClient, body

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


def _made(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.body
    return dict(body(response))


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "no sideways scrolling"


def test_an_order_put_together_on_a_phone(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Phone Orders Shop")
    token = company.owner.token
    contact = _made(client.post("/api/v1/contacts", {"first_name": "Marta", "last_name": "Buyer"}, token=token))
    warehouse = _made(client.post("/api/v1/warehouses", {"name": "Shop floor"}, token=token))
    product = _made(client.post("/api/v1/products", {"name": "Rose bush", "sku": "ROSE-7", "track_stock": True,
                                                     "price": {"minor": 1250, "currency": "EUR"}}, token=token))
    _made(client.put(f"/api/v1/products/{product['id']}/stock/{warehouse['id']}", {"on_hand": "10"}, token=token))
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Phone Orders Shop")

    page.goto(f"/#/orders/new?contact={contact['id']}")
    page.locator("#page-title", has_text="New order").wait_for()
    expect(page.locator("[data-test=customer]")).to_contain_text("Marta Buyer")
    page.get_by_label("SKU or barcode").fill("rose-7")
    page.get_by_role("button", name="Add", exact=True).click()
    line = page.locator(".order-line").first
    expect(line).to_contain_text("Rose bush")
    line.get_by_label("Quantity").fill("3")
    totals = page.locator("[data-test=order-totals]")
    expect(totals.locator(".grand-total").last).to_have_text("€37.50")  # 3 x 12.50, no tax: from the preview
    page.get_by_role("button", name="Line without a product").click()
    free = page.locator(".order-line").nth(1)
    free.get_by_label("Description").fill("Planting")
    free.get_by_label("Price").fill("10")
    free.get_by_label("Tax, %").fill("20")
    expect(totals.locator(".grand-total").last).to_have_text("€49.50")  # + 10.00 and 20 % tax
    _fits(page, PHONE["width"])
    screens.shoot(page, "editor-375")
    page.get_by_role("button", name="Create order").click()

    page.locator("#page-title", has_text="Order").wait_for()
    expect(page.locator(".order-status").first).to_have_text("New")
    expect(page.locator("[data-test=card-customer]")).to_have_text("Marta Buyer")  # the name, not "Customer"
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".order-status").first).to_have_text("Confirmed")
    payments = page.get_by_role("form", name="Record payment")
    payments.get_by_label("Amount").fill("20")
    payments.get_by_role("button", name="Record payment").click()
    expect(page.locator(".order-status").first).to_have_text("Partly paid")
    _fits(page, PHONE["width"])
    screens.shoot(page, "card-375")

    page.goto(f"/#/products/{product['id']}")
    stock = page.locator(".stock-panel")
    expect(stock).to_contain_text("Reserved: 3")
    expect(stock).to_contain_text("Available: 7")
    assert_no_problems(page)


def test_a_won_deal_becomes_its_order_in_russian_on_a_desktop(browser: Any, live_url: str, app: Any,
                                                              screens: Screens) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Desk Orders")
    token = company.owner.token
    contact = _made(client.post("/api/v1/contacts", {"first_name": "Олег"}, token=token))
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    deal = _made(client.post("/api/v1/deals", {"title": "Теплица под ключ", "pipeline_id": pipeline["id"],
                                               "stage_id": won, "contact_ids": [contact["id"]],
                                               "amount": {"minor": 150000, "currency": "EUR"}}, token=token))
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Desk Orders")
    page.get_by_label("Language", exact=True).select_option("ru")

    page.goto(f"/#/deals/{deal['id']}")
    page.get_by_role("button", name="Создать заказ").click()
    page.locator("#page-title", has_text="Заказ").wait_for()
    expect(page.locator(".order-status").first).to_have_text("Новый")
    expect(page.locator(".order-lines")).to_contain_text("Теплица под ключ")
    expect(page.locator("[data-test=card-customer]")).to_have_text("Олег")
    expect(page.get_by_role("link", name="Теплица под ключ")).to_be_visible()  # its deal by title, not "Сделка"
    expect(page.locator("[data-test=order-totals]")).to_contain_text(re.compile(r"1\s?500,00\s?€"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator(".order-status").first).to_have_text("Подтверждён")
    # the timeline in Russian too, not the API's "Order confirmed" / "Created · Created"
    expect(page.locator(".timeline")).to_contain_text("Статус заказа: Подтверждён")
    expect(page.locator(".timeline")).to_contain_text("Заказ создан")
    assert "Order" not in page.locator(".timeline").inner_text()

    page.locator(".main-nav a", has_text="Отчёты").click()
    orders_report = page.locator("[data-test=report-orders]")
    expect(orders_report).to_contain_text(re.compile(r"Выручка.*1\s?500,00\s?€", re.S))

    page.locator(".main-nav a", has_text="Заказы").click()
    page.locator("#page-title", has_text="Заказы").wait_for()
    page.get_by_label("Статус").select_option("confirmed")
    expect(page.locator(".order-list li")).to_have_count(1)
    expect(page.locator(".order-list li [data-test=order-customer]")).to_have_text("Олег")  # named as read now
    page.get_by_label("Статус").select_option("new")
    expect(page.locator(".empty")).to_be_visible()
    _fits(page, DESKTOP["width"])
    screens.shoot(page, "orders-1366-ru")
    assert_no_problems(page)
