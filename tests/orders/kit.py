"""What the orders tests make over the API: a shop (a company with a warehouse), contacts, products, orders."""

from __future__ import annotations

from itertools import count
from typing import Any

from tests.factories import Company, signup
from tests.support import ApiClient, body

_serial = count(1)


def ok(response: Any, status: int = 200) -> Any:
    """The body of a response that must have the status."""
    assert response.status_code == status, response.body
    return body(response)


def shop(client: ApiClient) -> Company:
    """A company with a default warehouse and a contact."""
    company = signup(client, company="Order Shop")
    token = company.owner.token
    company.extra["warehouse"] = ok(client.post("/api/v1/warehouses", {"name": "Main"}, token=token), 201)
    company.extra["contact"] = ok(client.post("/api/v1/contacts", {"first_name": "Irina", "last_name": "Buyer"},
                                              token=token), 201)
    return company


def product(client: ApiClient, company: Company, *, price: int = 1000, currency: str = "EUR",
            stock: str | None = None, **fields: Any) -> dict[str, Any]:
    """A product (tracked, with stock in the default warehouse, when stock is given)."""
    made = ok(client.post("/api/v1/products", {
        "name": f"Widget {next(_serial)}", "sku": f"WID-{next(_serial)}", "price": {"minor": price,
                                                                                  "currency": currency},
        **({"track_stock": True} if stock is not None else {}), **fields}, token=company.owner.token), 201)
    if stock is not None:
        set_stock(client, company, made["id"], stock)
    return dict(made)


def set_stock(client: ApiClient, company: Company, product_id: str, on_hand: str) -> dict[str, Any]:
    """Count a product in the default warehouse."""
    warehouse = company.extra["warehouse"]["id"]
    return dict(ok(client.put(f"/api/v1/products/{product_id}/stock/{warehouse}", {"on_hand": on_hand},
                              token=company.owner.token)))


def stock_of(client: ApiClient, company: Company, product_id: str) -> dict[str, str]:
    """A product's stock in the default warehouse (on hand, reserved, available)."""
    found = ok(client.get(f"/api/v1/products/{product_id}/stock", token=company.owner.token))
    row = next(r for r in found["items"] if r["warehouse_id"] == company.extra["warehouse"]["id"])
    return {k: row[k] for k in ("on_hand", "reserved", "available")}


def order(client: ApiClient, company: Company, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A new order of the shop's contact."""
    return dict(ok(client.post("/api/v1/orders", {"currency": "EUR", "contact_id": company.extra["contact"]["id"],
                                                  "lines": lines, **fields}, token=company.owner.token), 201))


def move(client: ApiClient, company: Company, made: dict[str, Any], status: str) -> Any:
    """Ask for a status change (the response, whatever it is)."""
    return client.post(f"/api/v1/orders/{made['id']}/status", {"status": status, "version": made["version"]},
                       token=company.owner.token)
