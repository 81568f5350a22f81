"""Tax rates to three decimal places: New York City's sales tax of 8.875 % is entered on a product, kept exactly,
and an order of it is taxed to the cent; a fourth decimal is refused in words a person can act on (a type of its
own the app words in the reader's language, not pydantic's "Value error, ...") and makes nothing.

Products saved before rates had three places hold their rate in basis points (``tax_rate_bp``); they read exactly
as before, an order takes their rate as before, and setting the rate again moves it to thousandths."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import aws, tenancy
from chalicelib.core.config import settings
from tests.deals.helpers import owner_context
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.tenantdata.table import of_tenant


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Acme Supply", country="US", timezone="America/New_York")


def test_a_rate_with_too_many_decimal_places_says_so_and_makes_nothing(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    answer = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "8.8755"}, token=token)
    assert answer.status_code == 422, answer.body
    detail = body(answer)["error"]["details"][0]
    assert detail["type"] == "decimal_places" and detail["loc"][-1] == "tax_rate", detail
    assert detail["msg"] == "At most 3 decimal places"
    assert body(client.get("/api/v1/products?q=Gloves", token=token))["items"] == []
    not_a_number = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "eight"}, token=token)
    assert body(not_a_number)["error"]["details"][0]["type"] == "value_error"  # not "too many decimal places"
    as_a_float = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": 8.875}, token=token)
    assert as_a_float.status_code == 422, as_a_float.body  # 0.1 is not what was meant: a string or an integer
    above = client.post("/api/v1/products", {"name": "Gloves", "tax_rate": "100.001"}, token=token)
    assert above.status_code == 422, above.body
    assert body(client.get("/api/v1/products?q=Gloves", token=token))["items"] == []


def test_new_york_sales_tax_is_kept_exactly_and_an_order_is_taxed_to_the_cent(client: ApiClient,
                                                                               shop: Company) -> None:
    token = shop.owner.token
    made = client.post("/api/v1/products", {"name": "Water heater", "tax_rate": "8.875",
                                            "price": {"minor": 123456, "currency": "USD"}}, token=token)
    assert made.status_code == 201, made.body
    product = body(made)
    assert product["tax_rate"] == "8.875"
    assert body(client.get(f"/api/v1/products/{product['id']}", token=token))["tax_rate"] == "8.875"
    listed = body(client.get("/api/v1/products?q=heater", token=token))["items"]
    assert [row["tax_rate"] for row in listed] == ["8.875"]
    # $1,234.56 at 8.875 % = $109.5672: $109.57, half up per line as every order is rounded
    preview = body(client.post("/api/v1/orders/preview", {"currency": "USD", "lines": [
        {"product_id": product["id"], "quantity": "1"}]}, token=token))
    assert preview["lines"][0]["tax_rate"] == "8.875"
    assert (preview["totals"]["tax_minor"], preview["totals"]["total_minor"]) == (10957, 134413)
    assert preview["totals"]["taxes"] == [{"rate": "8.875", "net_minor": 123456, "tax_minor": 10957}]
    # a line's own rate and a percent discount take three places too: 2 x $10.00 less 12.125 % ($2.425) = $17.575,
    # $17.58 half up; 9.975 % of it = $1.753605: $1.75
    line = body(client.post("/api/v1/orders/preview", {"currency": "USD", "lines": [
        {"description": "Labour", "quantity": "2", "unit_price_minor": 1000, "discount_percent": "12.125",
         "tax_rate": "9.975"}]}, token=token))
    assert (line["lines"][0]["discount_percent"], line["lines"][0]["tax_rate"]) == ("12.125", "9.975")
    assert (line["totals"]["discount_minor"], line["totals"]["tax_minor"], line["totals"]["total_minor"]) == (
        242, 175, 1933)


def _store_the_old_way(company: Company, product_id: str, basis_points: int) -> None:
    """Put the product's items back as they were written before rates had three places: basis points in
    ``tax_rate_bp``, no ``tax_rate_milli`` (raw boto3 puts, the code under test not involved)."""
    dynamodb = aws.client("dynamodb")
    items = [item for (pk, _), item in of_tenant(company.tenant_id).items()
             if "tax_rate_milli" in item and (item.get("record_id", {}).get("S") == product_id
                                              or pk.endswith(f"#PR#{product_id}"))]
    assert len(items) >= 2, "the product's profile and its list rows carry its rate"
    with tenancy.bind(owner_context(company)):
        for item in items:
            old = {name: value for name, value in item.items() if name != "tax_rate_milli"}
            dynamodb.put_item(TableName=settings.table_name, Item={**old, "tax_rate_bp": {"N": str(basis_points)}})


def test_a_product_stored_in_basis_points_reads_as_before(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    product = body(client.post("/api/v1/products", {"name": "Copper pipe", "tax_rate": "7.5",
                                                    "price": {"minor": 2000, "currency": "USD"}}, token=token))
    _store_the_old_way(shop, product["id"], 750)
    found = body(client.get(f"/api/v1/products/{product['id']}", token=token))
    assert found["tax_rate"] == "7.5"
    assert [row["tax_rate"] for row in body(client.get("/api/v1/products?q=Copper", token=token))["items"]] == ["7.5"]
    preview = body(client.post("/api/v1/orders/preview", {"currency": "USD", "lines": [
        {"product_id": product["id"], "quantity": "3"}]}, token=token))
    assert (preview["lines"][0]["tax_rate"], preview["totals"]["tax_minor"]) == ("7.5", 450)
    changed = client.patch(f"/api/v1/products/{product['id']}", {"tax_rate": "8.875", "version": found["version"]},
                           token=token)
    assert changed.status_code == 200, changed.body
    assert body(changed)["tax_rate"] == "8.875"
    profile = next(item for (pk, sk), item in of_tenant(shop.tenant_id).items()
                   if pk.endswith(f"#PR#{product['id']}") and sk == "#PROFILE")
    assert profile["tax_rate_milli"] == {"N": "8875"} and "tax_rate_bp" not in profile
    # the change is reverted from the audit trail to the rate the old item held, now kept in thousandths
    trail = body(client.get(f"/api/v1/audit?entity=product&entity_id={product['id']}", token=token))["items"]
    assert trail[0]["action"] == "update", trail[0]
    assert trail[0]["changes"] == {"tax_rate": {"before": "7.5", "after": "8.875"}}  # as typed, however stored
    reverted = client.post(f"/api/v1/audit/{trail[0]['id']}/revert", {}, token=token)
    assert reverted.status_code == 200, reverted.body
    assert body(client.get(f"/api/v1/products/{product['id']}", token=token))["tax_rate"] == "7.5"


def test_a_quantity_with_too_many_decimal_places_says_so(client: ApiClient, shop: Company) -> None:
    answer = client.post("/api/v1/orders/preview", {"currency": "USD", "lines": [
        {"description": "Rope", "quantity": "1.2345", "unit_price_minor": 100}]}, token=shop.owner.token)
    assert answer.status_code == 422, answer.body
    detail = body(answer)["error"]["details"][0]
    assert detail["type"] == "decimal_places" and detail["msg"] == "At most 3 decimal places", detail
