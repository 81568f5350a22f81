"""A wholesaler's warehouse clerk counts reinforcing bar in two warehouses on a phone, in Russian: the panel read
"В наличии: 1520.5", the API's figure with a dot and no unit, where she writes "1 520,5 кг". Counts are written as
the reader writes a number, in the product's unit."""
# ruff: noqa: RUF001, RUF002 (Russian screen texts)

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import IN_MOSCOW, signup
from tests.support import ApiClient, body


def test_stock_counts_read_as_russian_numbers_in_the_products_unit(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens) -> None:
    client = ApiClient(app)
    name = "СтройОпт Склад"
    company = signup(client, company=name, **IN_MOSCOW)
    token = company.owner.token
    rebar = body(client.post("/api/v1/products", {"name": "Арматура А500С 12 мм", "sku": "SO-1016", "unit": "кг",
                                                  "price": {"minor": 7200, "currency": "RUB"}, "track_stock": True},
                             token=token))
    lubertsy = body(client.post("/api/v1/warehouses", {"name": "Склад Люберцы"}, token=token))
    assert client.put(f"/api/v1/products/{rebar['id']}/stock/{lubertsy['id']}", {"on_hand": "1520.5"},
                      token=token).status_code == 200
    page = russian_phone(browser, live_url, company.owner, name)
    page.goto(f"/#/products/{rebar['id']}")
    row = page.locator(f".stock-panel li[data-warehouse='{lubertsy['id']}'] .meta")
    expect(row).to_have_text(re.compile(r"В наличии: 1\s520,5 кг · В резерве: 0 кг · Доступно: 1\s520,5 кг"))
    fits_the_phone(page, screens, "stock-counts-ru")
    assert_no_problems(page)
    page.context.close()
