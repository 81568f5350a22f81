"""What a walk of a Moscow car service found on its customers' cards in Russian: the car's year, kept in a number
field, read "2 016", as if it were two thousand and sixteen cars."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import add_member, signup
from tests.support import ApiClient, body

NBSP = "\u00a0"
LAPTOP = {"width": 1280, "height": 900}
TIMES = "\u00d7"


def _then_on_a_laptop(page: Any, screens: Screens, name: str, still: Callable[[], None]) -> None:
    """The screen fits the phone it is on (a screenshot), then at 1280 px still shows what ``still`` expects (another),
    with no error on the page."""
    fits_the_phone(page, screens, f"{name}-phone")
    page.set_viewport_size(LAPTOP)
    still()
    screens.shoot(page, f"{name}-laptop")
    assert_no_problems(page)


def test_a_cars_year_reads_as_a_year_and_its_mileage_in_thousands(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Карточка", locale="ru", country="RU")
    token = company.owner.token
    for key, label in (("car_year", "Год выпуска"), ("mileage", "Пробег, км"), ("order_no", "Заказ-наряд")):
        made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": key, "label": label,
                                                     "type": "number"}, token=token)
        assert made.status_code == 201, made.body
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов", "custom": {
        "car_year": 2016, "mileage": 87000, "order_no": 1500}}, token=token))
    page = russian_phone(browser, live_url, company.owner, "Автосервис на Варшавке Карточка")
    page.goto(f"/#/contacts/{contact['id']}")
    props = page.locator("dl.props").first
    expect(props).to_contain_text("Год выпуска")
    shown = props.inner_text()
    assert "2016" in shown and f"2{NBSP}016" not in shown, shown  # was "2 016"
    assert f"87{NBSP}000" in shown, shown  # five digits and more are still grouped
    assert "1500" in shown, shown
    _then_on_a_laptop(page, screens, "car-card", lambda: expect(props).to_contain_text("2016"))


def _paid_order(client: ApiClient, token: str, contact_id: str, minor: int, *, pay: bool = True,
                owner_id: str | None = None) -> dict[str, Any]:
    lines = [{"description": "Замена масла в двигателе", "quantity": "1", "unit_price_minor": minor}]
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact_id, "lines": lines,
                                                "owner_id": owner_id}, token=token))
    order = body(client.post(f"/api/v1/orders/{order['id']}/status", {"version": order["version"],
                                                                      "status": "confirmed"}, token=token))
    if pay:
        order = body(client.post(f"/api/v1/orders/{order['id']}/payments", {
            "version": order["version"], "amount_minor": order["totals"]["total_minor"], "method": "card"},
            token=token))
    return order


def test_a_repeat_customers_card_lists_his_visits_and_what_he_paid(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Визиты", locale="ru", country="RU")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов"}, token=token))
    visits = [_paid_order(client, token, contact["id"], minor) for minor in (680000, 1250000)]
    unpaid = _paid_order(client, token, contact["id"], 99000, pay=False)
    cancelled = body(client.post(f"/api/v1/orders/{unpaid['id']}/status", {"version": unpaid["version"],
                                                                           "status": "cancelled"}, token=token))
    assert cancelled["status"] == "cancelled"
    page = russian_phone(browser, live_url, company.owner, "Автосервис на Варшавке Визиты")
    page.goto(f"/#/contacts/{contact['id']}")
    panel = page.locator("section[data-links='orders']")
    panel.locator("summary").click()  # the card had no orders at all: the deal card alone listed them
    expect(panel.locator("[data-test='contact-paid']")).to_have_text(f"Оплачено 19{NBSP}300,00{NBSP}₽ за 2 заказа")
    expect(panel.locator("[data-order]")).to_have_count(3)
    expect(panel.locator(f"[data-order='{visits[1]['id']}']")).to_contain_text("Оплачен")
    expect(panel.locator(f"[data-order='{cancelled['id']}']")).to_contain_text("Отменён")
    _then_on_a_laptop(page, screens, "car-visits",
                      lambda: expect(panel.locator("[data-test='contact-paid']")).to_be_visible())


def test_half_an_hours_labour_reads_as_russian_writes_it_on_the_order(browser: Any, live_url: str, app: Any,
                                                                       screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Часы", locale="ru", country="RU")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов"}, token=token))
    labour = body(client.post("/api/v1/products", {"name": "Замена масла в двигателе", "sku": "SRV-OIL", "unit": "ч",
                                                   "price": {"minor": 150000, "currency": "RUB"}}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact["id"], "lines": [
        {"product_id": labour["id"], "quantity": "0.5"},
        {"description": "Мойка двигателя", "quantity": "1500", "unit_price_minor": 100}]}, token=token))
    page = russian_phone(browser, live_url, company.owner, "Автосервис на Варшавке Часы")
    page.goto(f"/#/orders/{order['id']}")
    lines = page.locator("ol.order-lines.read li.order-line")
    expect(lines.first).to_contain_text(f"0,5 ч {TIMES} 1{NBSP}500,00{NBSP}₽")  # was "0.5 ч", an English decimal point
    expect(lines.nth(1)).to_contain_text(f"1{NBSP}500 {TIMES} 1,00{NBSP}₽")
    _then_on_a_laptop(page, screens, "car-order", lambda: expect(lines.first).to_contain_text("0,5 ч"))


def test_the_owner_reads_the_months_revenue_by_master(browser: Any, live_url: str, app: Any,
                                                       screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Отчёт", locale="ru", country="RU")
    token = company.owner.token
    masters = [add_member(client, company, role="agent", name=name) for name in ("ivan", "petr")]
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов"}, token=token))
    for master, minor in zip(masters, (816000, 1250000), strict=True):  # each master owns the orders he does
        assert _paid_order(client, token, contact["id"], minor, owner_id=master.user_id)["status"] == "paid"
    unpaid = _paid_order(client, token, contact["id"], 100000, pay=False, owner_id=masters[0].user_id)
    assert unpaid["status"] == "confirmed"
    page = russian_phone(browser, live_url, company.owner, "Автосервис на Варшавке Отчёт")
    page.goto("/#/reports")
    panel = page.locator("[data-test='report-orders']")
    table = panel.locator("table", has=page.locator("th", has_text="Ответственный"))
    expect(table).to_be_visible()  # the report had the company's totals alone: no master's share
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Petr")  # most revenue first
    expect(rows.first).to_contain_text(f"12{NBSP}500,00{NBSP}₽")
    expect(rows.nth(1)).to_contain_text("Ivan")
    expect(rows.nth(1)).to_contain_text(f"9{NBSP}160,00{NBSP}₽")  # confirmed: his unpaid order too
    expect(rows.nth(1)).to_contain_text(f"8{NBSP}160,00{NBSP}₽")  # received
    screens.shoot(page, "car-report-phone")
    page.set_viewport_size(LAPTOP)
    expect(rows.first).to_be_visible()
    screens.shoot(page, "car-report-laptop")
    assert_no_problems(page)


def test_the_desk_gives_an_order_to_its_master_on_the_order_card(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Заказ-наряд", locale="ru", country="RU")
    token = company.owner.token
    master = add_member(client, company, role="agent", name="ivan")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов"}, token=token))
    order = _paid_order(client, token, contact["id"], 816000, pay=False)
    page = russian_phone(browser, live_url, company.owner, "Автосервис на Варшавке Заказ-наряд")
    page.goto(f"/#/orders/{order['id']}")
    owner = page.locator("[data-test='owner']")
    expect(owner).to_be_visible()  # the order card named nobody responsible, nor could give the order to anyone
    page.get_by_role("button", name=re.compile("Передать другому")).click()
    owner.get_by_label("Ответственный").select_option(label="Ivan")
    owner.get_by_role("button", name="Назначить").click()
    expect(page.locator("[data-test='owner-name']")).to_have_text("Ivan")
    assert body(client.get(f"/api/v1/orders/{order['id']}", token=token))["owner_id"] == master.user_id
    _then_on_a_laptop(page, screens, "car-order-owner",
                      lambda: expect(page.locator("[data-test='owner-name']")).to_have_text("Ivan"))
