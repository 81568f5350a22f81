"""Order totals against amounts computed by hand: rounding half up per line, discounts (percent and amount),
several tax rates, prices with and without tax; the preview the editor uses answers the same numbers."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.orders.totals import line_amounts
from tests.factories import Company
from tests.orders.kit import ok, order, product, shop
from tests.support import ApiClient, body

# quantity, unit price, discount %, discount amount, tax %, inclusive -> gross, discount, net, tax, total (by hand)
CASES = [
    # 3 x 3.33 = 9.99; 10 % off = 0.999 -> 8.991 -> 8.99; tax 20 % of 8.99 = 1.798 -> 1.80
    ("3", 333, "10", None, "20", False, (999, 100, 899, 180, 1079)),
    # 0.5 kg x 2.25 = 1.125 -> 1.13 (half up, not to even)
    ("0.5", 225, None, None, "0", False, (113, 0, 113, 0, 113)),
    # 2 x 0.05 = 0.10, tax 7.5 % = 0.0075 -> 0.01
    ("2", 5, None, None, "7.5", False, (10, 0, 10, 1, 11)),
    # 1.333 x 10.00 = 13.33; 1.00 off -> 12.33; tax 10 % = 1.233 -> 1.23
    ("1.333", 1000, None, 100, "10", False, (1333, 100, 1233, 123, 1356)),
    # tax included: 1 x 120.00 at 20 %: tax = 120 x 20/120 = 20.00, net 100.00
    ("1", 12000, None, None, "20", True, (12000, 0, 10000, 2000, 12000)),
    # tax included: 3 x 9.99 = 29.97, 5 % off = 1.4985 -> 28.4715 -> 28.47; tax = 28.47 x 10/110 = 2.5882 -> 2.59
    ("3", 999, "5", None, "10", True, (2997, 150, 2588, 259, 2847)),
    # a discount of the whole line leaves nothing, not a negative
    ("2", 500, "100", None, "20", False, (1000, 1000, 0, 0, 0)),
    # New York City's sales tax: 1,234.56 at 8.875 % = 109.5672 -> 109.57
    ("1", 123456, None, None, "8.875", False, (123456, 0, 123456, 10957, 134413)),
    # the same with tax included: 1,344.13 x 8.875/108.875 = 109.5674 -> 109.57, net 1,234.56
    ("1", 134413, None, None, "8.875", True, (134413, 0, 123456, 10957, 134413)),
    # three places in a discount and a rate: 3 x 19.99 = 59.97, 2.125 % off = 1.2743625 -> 58.6956375 -> 58.70;
    # Quebec's QST 9.975 % of 58.70 = 5.855325 -> 5.86
    ("3", 1999, "2.125", None, "9.975", False, (5997, 127, 5870, 586, 6456)),
]


@pytest.mark.parametrize(("quantity", "price", "percent", "amount", "rate", "inclusive", "expected"), CASES)
def test_line_amounts_by_hand(quantity: str, price: int, percent: str | None, amount: int | None, rate: str,
                              inclusive: bool, expected: tuple[int, ...]) -> None:
    found = line_amounts(quantity=quantity, unit_price_minor=price, tax_rate=rate, discount_percent=percent,
                         discount_minor=amount, inclusive=inclusive)
    assert (found.gross, found.discount, found.net, found.tax, found.total) == expected


def test_a_discount_above_the_line_is_refused() -> None:
    with pytest.raises(ValueError):
        line_amounts(quantity="1", unit_price_minor=100, tax_rate="0", discount_minor=101)


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return shop(ApiClient(app))


def test_an_order_sums_its_rounded_lines_and_each_tax_rate(client: ApiClient, company: Company) -> None:
    created = order(client, company, [
        {"description": "Paint", "quantity": "3", "unit_price_minor": 333, "discount_percent": "10",
         "tax_rate": "20"},
        {"description": "Brush", "quantity": "1.333", "unit_price_minor": 1000, "discount_minor": 100,
         "tax_rate": "10"},
        {"description": "Advice", "quantity": "2", "unit_price_minor": 5, "tax_rate": "20"}])
    assert created["totals"] == {
        "subtotal_minor": 899 + 1233 + 10, "discount_minor": 100 + 100, "tax_minor": 180 + 123 + 2,
        "total_minor": 1079 + 1356 + 12,
        "taxes": [{"rate": "10", "net_minor": 1233, "tax_minor": 123}, {"rate": "20", "net_minor": 909,
                                                                        "tax_minor": 182}]}
    assert sum(line["total_minor"] for line in created["lines"]) == created["totals"]["total_minor"]


def test_the_preview_prices_as_the_order_does_and_writes_nothing(client: ApiClient, company: Company) -> None:
    made = product(client, company, price=999, tax_rate="10", prices=[{"minor": 89900, "currency": "RUB"}])
    lines = [{"product_id": made["id"], "quantity": "3", "discount_percent": "5"}]
    preview = ok(client.post("/api/v1/orders/preview", {"currency": "EUR", "price_mode": "inclusive",
                                                        "lines": lines}, token=company.owner.token))
    assert (preview["lines"][0]["net_minor"], preview["totals"]["tax_minor"], preview["totals"]["total_minor"]) == (
        2588, 259, 2847)
    in_roubles = ok(client.post("/api/v1/orders/preview", {"currency": "RUB", "lines": lines},
                                token=company.owner.token))
    assert in_roubles["lines"][0]["unit_price_minor"] == 89900  # the price list's price in that currency
    no_price = client.post("/api/v1/orders/preview", {"currency": "USD", "lines": lines}, token=company.owner.token)
    assert no_price.status_code == 422 and body(no_price)["error"]["details"][0]["type"] == "no_price_in_currency"
    listed = ok(client.get("/api/v1/orders?limit=200", token=company.owner.token))["items"]
    assert all(item["total_minor"] != 2847 for item in listed)


@pytest.mark.parametrize("line", [
    {"description": "x", "quantity": 1.5, "unit_price_minor": 100},  # a float quantity
    {"description": "x", "quantity": "0", "unit_price_minor": 100},
    {"description": "x", "quantity": "1.2345", "unit_price_minor": 100},
    {"description": "x", "quantity": "1", "unit_price_minor": "100"},
    {"description": "x", "quantity": "1", "unit_price_minor": 100, "tax_rate": "101"},
    {"description": "x", "quantity": "1", "unit_price_minor": 100, "discount_percent": "5", "discount_minor": 1},
    {"description": "x", "quantity": "1", "unit_price_minor": 100, "discount_minor": 101},
    {"quantity": "1", "unit_price_minor": 100},
])
def test_bad_lines_are_422(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    refused = client.post("/api/v1/orders/preview", {"currency": "EUR", "lines": [line]}, token=company.owner.token)
    assert refused.status_code == 422, refused.body
