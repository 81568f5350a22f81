"""The deal card says where a deal's amount comes from: a Yekaterinburg school's course of three payments, sold as an
order on the deal, shows the order's total with "из заказа № 1" (a link to the order, named by its number as the
orders list names it), and the edit form keeps the amount read-only, changed on the order; the order's card says the
deal's amount includes it. On a 1280 px desktop in English, a deal's orders are "#1, #2" and one in another currency
is named apart, the card reading no order to name them."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_deal_card_names_the_order_its_amount_comes_from(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Школа английского", country="RU", locale="ru")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Анна"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Обучение Анны", "contact_ids": [contact["id"]],
                                              "amount": {"minor": 0, "currency": "RUB"}}, token=token))
    made = client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact["id"], "deal_id": deal["id"],
                                          "lines": [{"description": f"Платёж {n}", "quantity": "1",
                                                     "unit_price_minor": 1_200_000} for n in (1, 2, 3)]}, token=token)
    assert made.status_code == 201, made.body
    order = body(made)

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Школа английского")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/deals/{deal['id']}")
    origin = page.locator('[data-test="amount-origin"]')
    origin.wait_for()
    facts = page.locator("dl.props").first.inner_text()
    assert "36 000" in facts.replace("\u00a0", " ").replace("\u202f", " ")
    assert order["number"] == 1 and "(из заказа № 1)" in origin.inner_text()
    assert origin.locator("a").get_attribute("href") == f"#/orders/{order['id']}"
    fits_the_phone(page, screens, "deal-amount-orders-390-ru")
    page.locator("details.panel summary", has_text="Изменить").first.click()
    amount = page.locator('[data-test="amount-follows"]')
    assert amount.get_attribute("readonly") is not None
    assert_no_problems(page)

    origin.locator("a").click()  # the order's card says its deal's amount counts it
    follows = page.locator('[data-test="deal-amount-follows"]')
    follows.wait_for()
    assert "сумма включает этот заказ" in follows.inner_text()
    assert_no_problems(page)


def test_on_a_desktop_the_card_names_its_orders_by_number_and_reads_none(browser: Any, live_url: str,
                                                                        app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Course Shop", country="GB")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Anna's course", "contact_ids": [contact["id"]],
                                              "amount": {"minor": 0, "currency": "GBP"}}, token=token))
    made = []
    for currency in ("GBP", "GBP", "EUR"):
        lesson = {"description": "Lesson", "quantity": "1", "unit_price_minor": 4_000}
        answer = client.post("/api/v1/orders", {"currency": currency, "contact_id": contact["id"],
                                                "deal_id": deal["id"], "lines": [lesson]}, token=token)
        assert answer.status_code == 201, answer.body
        made.append(body(answer))
    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900})
    log_in(page, company.owner, "Course Shop")
    asked: list[str] = []
    page.on("request", lambda r: "/api/v1/" in r.url and asked.append(r.url.split("/api/v1/", 1)[1]))
    page.goto(f"/#/deals/{deal['id']}")
    origin = page.locator('[data-test="amount-origin"]')
    expect(origin).to_have_text("(from order #1, #2; not added, in another currency: #3)")
    assert origin.locator("[data-test=amount-order]").evaluate_all("links => links.map((a) => a.hash)") == [
        f"#/orders/{order['id']}" for order in made]
    assert not [path for path in asked if path.startswith("orders")]  # named without reading an order
    screens.shoot(page, "deal-amount-orders-1280")
    assert_no_problems(page)
