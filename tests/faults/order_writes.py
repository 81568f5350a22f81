"""Requests of the order and stock routes for the fault suite (#23): each on records made fresh for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.faults.fresh import Call, Fresh, unique_key


def _order(fresh: Fresh, **fields: Any) -> dict[str, Any]:
    contact = fresh.post("/api/v1/contacts", {"first_name": "Faulty", "last_name": "Buyer"})
    return fresh.post("/api/v1/orders", {"currency": "EUR", "contact_id": contact["id"], "lines": [
        {"description": "Faulty service", "quantity": "1.5", "unit_price_minor": 1000, "tax_rate": "20"}], **fields})


def _order_body(fresh: Fresh) -> dict[str, Any]:
    contact = fresh.post("/api/v1/contacts", {"first_name": "Faulty", "last_name": "Buyer"})
    return {"currency": "EUR", "contact_id": contact["id"], "notes": "Faulty note",
            "lines": [{"description": "Faulty service", "quantity": "2", "unit_price_minor": 700}]}


def _payment(fresh: Fresh) -> Call:
    made = _order(fresh)
    confirmed = fresh.post(f"/api/v1/orders/{made['id']}/status", {"status": "confirmed", "version": made["version"]})
    return Call("POST", f"/api/v1/orders/{made['id']}/payments", fresh.owner,
                {"version": confirmed["version"], "amount_minor": 500, "method": "card"})


def _stocked(fresh: Fresh) -> tuple[dict[str, Any], dict[str, Any]]:
    warehouse = fresh.post("/api/v1/warehouses", {"name": "Faulty depot"})
    product = fresh.post("/api/v1/products", {"name": "Faulty brick", "price": {"minor": 100, "currency": "EUR"},
                                              "track_stock": True})
    return warehouse, product


def _stock(fresh: Fresh) -> Call:
    warehouse, product = _stocked(fresh)
    return Call("PUT", f"/api/v1/products/{product['id']}/stock/{warehouse['id']}", fresh.owner, {"on_hand": "12.5"})


def _confirm_with_stock(fresh: Fresh) -> Call:
    """A confirmation that reserves stock: the order's status, the stock item and the counters in one write."""
    warehouse, product = _stocked(fresh)
    fresh.client.put(f"/api/v1/products/{product['id']}/stock/{warehouse['id']}", {"on_hand": "5"},
                     token=fresh.owner)
    made = _order(fresh, warehouse_id=warehouse["id"], lines=[{"product_id": product["id"], "quantity": "2"}])
    return Call("POST", f"/api/v1/orders/{made['id']}/status", fresh.owner,
                {"status": "confirmed", "version": made["version"]})


def _from_deal(fresh: Fresh) -> Call:
    pipeline = fresh.world.a.extra["pipeline"]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    contact = fresh.contact()
    deal = fresh.post("/api/v1/deals", {"title": "Faulty won deal", "pipeline_id": pipeline["id"], "stage_id": won,
                                        "contact_ids": [contact["id"]]})
    return Call("POST", f"/api/v1/deals/{deal['id']}/order", fresh.owner, {})


def _restore(fresh: Fresh) -> Call:
    made = fresh.deleted("orders")
    return Call("POST", f"/api/v1/orders/{made['id']}/restore", fresh.owner)


def _purge(fresh: Fresh) -> Call:
    made = fresh.deleted("orders")
    return Call("DELETE", f"/api/v1/trash/orders/{made['id']}", fresh.owner)


ORDER_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/orders": lambda f: Call("POST", "/api/v1/orders", f.owner, _order_body(f)),
    "POST /api/v1/orders/preview": lambda f: Call("POST", "/api/v1/orders/preview", f.owner, {
        "currency": "EUR", "lines": [{"description": "Faulty", "quantity": "1", "unit_price_minor": 1}]}),
    "POST /api/v1/orders/{order_id}/payments": _payment,
    "POST /api/v1/orders/{order_id}/status": _confirm_with_stock,
    "PUT /api/v1/orders/by-external-id/{external_id}": lambda f: Call(
        "PUT", f"/api/v1/orders/by-external-id/{unique_key('ext')}", f.owner, _order_body(f)),
    "PUT /api/v1/products/by-external-id/{external_id}": lambda f: Call(
        "PUT", f"/api/v1/products/by-external-id/{unique_key('ext')}", f.owner,
        {"name": "Faulty upsert", "price": {"minor": 100, "currency": "EUR"}}),
    "PUT /api/v1/products/{product_id}/stock/{warehouse_id}": _stock,
    "POST /api/v1/deals/{deal_id}/order": _from_deal,
    "POST /api/v1/orders/{order_id}/restore": _restore,
    "DELETE /api/v1/trash/orders/{order_id}": _purge,
}
