"""Orders and stock of tenant A for the cross-tenant matrix: a warehouse, and a product and an order that an
accounting system knows by the same external id."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body

EXTERNAL_ID = "alpha-1c-000042"


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Return ids by path parameter and the secrets they must not leak."""
    token = company.owner.token
    warehouse = body(client.post("/api/v1/warehouses", {"name": "Alpha depot"}, token=token))
    product = body(client.put(f"/api/v1/products/by-external-id/{EXTERNAL_ID}", {
        "name": "Alpha secret brick", "price": {"minor": 4500, "currency": "EUR"}, "track_stock": True},
        token=token))
    client.put(f"/api/v1/products/{product['id']}/stock/{warehouse['id']}", {"on_hand": "7"}, token=token)
    contact = body(client.post("/api/v1/contacts", {"first_name": "Alpha", "last_name": "Orderer"}, token=token))
    order = body(client.put(f"/api/v1/orders/by-external-id/{EXTERNAL_ID}", {
        "currency": "EUR", "contact_id": contact["id"], "notes": "Alpha secret order note",
        "lines": [{"product_id": product["id"], "quantity": "2"}]}, token=token))
    company.extra.update({"order": order, "ext_product": product})
    return ({"external_id": EXTERNAL_ID, "warehouse_id": warehouse["id"]},
            [warehouse["id"], "Alpha depot", product["id"], "Alpha secret brick", order["id"],
             "Alpha secret order note"])
