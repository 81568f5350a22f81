"""A New York plumber on a 1280 px screen in English enters New York City's sales tax, 8.875 %, on a product (a
fourth decimal is refused at the field), puts the product on an order and sees the totals the server computes:
$1,234.56 taxed $109.57, $1,344.13 in all, in the editor and on the order's card alike."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_products import field_error, product_row
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

WIDE = {"width": 1280, "height": 900}


def test_a_sales_tax_of_8_875_percent_from_the_product_to_the_order(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Five Boroughs Plumbing", country="US", timezone="America/New_York")
    token = company.owner.token
    version = body(client.get("/api/v1/tenant", token=token))["version"]
    assert client.patch("/api/v1/tenant", {"version": version, "currency": "USD"}, token=token).status_code == 200
    contact = body(client.post("/api/v1/contacts", {"first_name": "Dana", "last_name": "Brooks"}, token=token))
    page = new_page(browser, live_url, viewport=WIDE)
    log_in(page, company.owner, "Five Boroughs Plumbing")

    page.goto("/#/products")
    create = page.get_by_role("form", name="Add a product")
    create.get_by_label("Name", exact=True).fill("Water heater")
    create.get_by_label("SKU", exact=True).fill("WH-40")
    create.get_by_label("Price", exact=True).fill("1234.56")
    rate = create.get_by_label("Tax rate, %")
    rate.fill("8.8755")
    create.get_by_role("button", name="Add product").click()
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(field_error(create, "Tax rate, %")).to_contain_text("decimal places")
    expect(product_row(page, "Water heater")).to_have_count(0)
    rate.fill("8.875")
    create.get_by_role("button", name="Add product").click()
    page.locator(".toast", has_text="“Water heater” added").wait_for()
    product_row(page, "Water heater").get_by_role("link", name="Water heater", exact=True).click()
    expect(page.locator("#page-title")).to_have_text("Water heater")
    expect(page.locator("main")).to_contain_text("8.875")

    page.goto(f"/#/orders/new?contact={contact['id']}")
    page.locator("#page-title", has_text="New order").wait_for()
    page.get_by_label("SKU or barcode").fill("wh-40")
    page.get_by_role("button", name="Add", exact=True).click()
    line = page.locator(".order-line").first
    expect(line).to_contain_text("Water heater")
    totals = page.locator("[data-test=order-totals]")
    expect(totals.locator(".grand-total").last).to_have_text("$1,344.13")  # $1,234.56 + $109.57, from the preview
    expect(totals).to_contain_text("$109.57")
    page.get_by_role("button", name="Create order").click()

    page.locator("#page-title", has_text="Order").wait_for()
    expect(page.locator("main")).to_contain_text("8.875%")
    card_totals = page.locator("[data-test=order-totals]")
    expect(card_totals).to_contain_text("$109.57")
    expect(card_totals.locator(".grand-total").last).to_have_text("$1,344.13")
    orders = body(client.get("/api/v1/orders", token=token))["items"]
    assert [(o["total_minor"] if "total_minor" in o else o["totals"]["total_minor"]) for o in orders] == [134413]
    assert_no_problems(page)
