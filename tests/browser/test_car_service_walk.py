"""What a walk of a Moscow car service found on its customers' cards in Russian: the car's year, kept in a number
field, read "2 016", as if it were two thousand and sixteen cars."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import signup
from tests.support import ApiClient, body

NBSP = "\u00a0"
LAPTOP = {"width": 1280, "height": 900}


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
    fits_the_phone(page, screens, "car-card-phone")
    page.set_viewport_size(LAPTOP)
    expect(props).to_contain_text("2016")
    screens.shoot(page, "car-card-laptop")
    assert_no_problems(page)
