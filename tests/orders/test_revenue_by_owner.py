"""A Moscow car service's owner reads the month's revenue by master: the orders report adds up each owner's confirmed
orders and payments for the period (its masters own the orders they do), and a master reads only his own."""

from __future__ import annotations

from typing import Any

from tests.factories import add_member, signup
from tests.orders.kit import ok
from tests.support import ApiClient


def _visit(client: ApiClient, token: str, contact_id: str, owner_id: str, minor: int, *, pay: bool) -> None:
    made = ok(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact_id, "owner_id": owner_id,
                                             "lines": [{"description": "Работы", "quantity": "1",
                                                        "unit_price_minor": minor}]}, token=token), 201)
    confirmed = ok(client.post(f"/api/v1/orders/{made['id']}/status", {"version": made["version"],
                                                                       "status": "confirmed"}, token=token))
    if pay:
        ok(client.post(f"/api/v1/orders/{made['id']}/payments", {"version": confirmed["version"], "amount_minor": minor,
                                                                 "method": "card"}, token=token))


def test_the_orders_report_gives_each_masters_revenue(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Автосервис на Варшавке Мастера", locale="ru", country="RU")
    token = company.owner.token
    ivan, petr = (add_member(client, company, role="agent", name=name) for name in ("ivan", "petr"))
    contact = ok(client.post("/api/v1/contacts", {"first_name": "Андрей"}, token=token), 201)
    _visit(client, token, contact["id"], ivan.user_id, 816000, pay=True)
    _visit(client, token, contact["id"], ivan.user_id, 120000, pay=False)
    _visit(client, token, contact["id"], petr.user_id, 1250000, pay=True)

    report = ok(client.get("/api/v1/reports/orders", token=token))
    # the report had only the company's totals: which master brought what could not be told
    assert report["owners"] == [
        {"owner_id": petr.user_id, "currency": "RUB", "confirmed": 1, "revenue": 1250000, "received": 1250000,
         "paid_orders": 1},
        {"owner_id": ivan.user_id, "currency": "RUB", "confirmed": 2, "revenue": 936000, "received": 816000,
         "paid_orders": 1}]
    assert report["totals"][0]["revenue"] == 2186000
    mine = ok(client.get("/api/v1/reports/orders", token=ivan.token))  # an agent reads his own orders' numbers
    assert [row["owner_id"] for row in mine["owners"]] == [ivan.user_id]
