"""A product's or an order line's decimals refused in words a person can act on: a US sales tax such as 8.875 % has
more decimal places than a rate is kept with, and the answer says so by a type of its own (the app words it in the
reader's language), not pydantic's "Value error, ...", and makes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Acme Supply", country="US", timezone="America/New_York")


def test_a_rate_with_too_many_decimal_places_says_so_and_makes_nothing(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    answer = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "8.875"}, token=token)
    assert answer.status_code == 422, answer.body
    detail = body(answer)["error"]["details"][0]
    assert detail["type"] == "decimal_places" and detail["loc"][-1] == "tax_rate", detail
    assert detail["msg"] == "At most 2 decimal places"
    assert body(client.get("/api/v1/products?q=Gloves", token=token))["items"] == []
    not_a_number = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "eight"}, token=token)
    assert body(not_a_number)["error"]["details"][0]["type"] == "value_error"  # not "too many decimal places"
    made = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "7.25",
                                            "price": {"minor": 1250, "currency": "USD"}}, token=token)
    assert made.status_code == 201, made.body


def test_a_quantity_with_too_many_decimal_places_says_so(client: ApiClient, shop: Company) -> None:
    answer = client.post("/api/v1/orders/preview", {"currency": "USD", "lines": [
        {"description": "Rope", "quantity": "1.2345", "unit_price_minor": 100}]}, token=shop.owner.token)
    assert answer.status_code == 422, answer.body
    detail = body(answer)["error"]["details"][0]
    assert detail["type"] == "decimal_places" and detail["msg"] == "At most 3 decimal places", detail
