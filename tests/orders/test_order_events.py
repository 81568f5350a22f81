"""What orders give the rest of the CRM: the orders report's counters (kept in each order's own transaction),
automation triggers on order events from the domain-event feed, and services priced again from their parts when
a part's price changes (the feed's products consumer)."""

from __future__ import annotations

from tests.events.conftest import Feed, feed  # noqa: F401 - the stream fixture, for these tests too
from tests.orders.kit import move, ok, order, product, shop
from tests.support import ApiClient


def test_the_orders_report_counts_revenue_payments_and_time_to_payment(client: ApiClient) -> None:
    company = shop(client)
    token = company.owner.token
    first = order(client, company, [{"description": "A", "quantity": "1", "unit_price_minor": 10000}])
    second = order(client, company, [{"description": "B", "quantity": "2", "unit_price_minor": 2500}])
    paid = ok(move(client, company, first, "confirmed"))
    ok(client.post(f"/api/v1/orders/{first['id']}/payments", {"version": paid["version"], "amount_minor": 10000,
                                                               "method": "bank_transfer"}, token=token))
    ok(move(client, company, ok(move(client, company, second, "confirmed")), "cancelled"))
    report = ok(client.get("/api/v1/reports/orders", token=token))
    assert report["totals"] == [{"currency": "EUR", "confirmed": 2, "revenue": 15000, "closed_amount": 5000,
                                 "received": 10000, "paid_orders": 1,
                                 "avg_seconds_to_payment": report["totals"][0]["avg_seconds_to_payment"]}]
    assert report["totals"][0]["avg_seconds_to_payment"] is not None
    (day,) = report["items"]
    assert (day["created"], day["payments"], day["closed"]) == (2, 1, 1)
    csv = client.get("/api/v1/reports/orders?format=csv", token=token)
    assert csv.status_code == 200 and csv.body.decode().startswith("day,currency,created")


def test_order_events_reach_the_automation_triggers(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    rules = {name: ok(client.post("/api/v1/automations", {"name": name, "trigger": trigger, "actions": [
        {"type": "notify", "users": ["owner"], "text": f"{name}"}]}, token=token), 201) for name, trigger in (
        ("created", {"type": "record.created", "entity": "order"}),
        ("shipped", {"type": "order.status_changed", "status": "shipped"}),
        ("any status", {"type": "order.status_changed"}),
        ("paid", {"type": "order.paid"}))}
    made = order(client, company, [{"description": "A", "quantity": "1", "unit_price_minor": 500}])
    confirmed = ok(move(client, company, made, "confirmed"))
    ok(client.post(f"/api/v1/orders/{made['id']}/payments", {"version": confirmed["version"], "amount_minor": 500,
                                                              "method": "cash"}, token=token))
    assert feed.deliver() == {"batchItemFailures": []}
    runs = {name: ok(client.get(f"/api/v1/automations/{rule['id']}/runs", token=token))["items"]
            for name, rule in rules.items()}
    assert {name: len(found) for name, found in runs.items()} == {"created": 1, "shipped": 0, "any status": 2,
                                                                   "paid": 1}
    assert runs["paid"][0]["subject"] == {"type": "order", "id": made["id"]}


def test_a_service_is_priced_again_when_a_parts_price_changes(client: ApiClient, feed: Feed) -> None:  # noqa: F811
    company = shop(client)
    token = company.owner.token
    tile = product(client, company, price=1250)
    glue = product(client, company, price=399)
    service = ok(client.post("/api/v1/products", {
        "name": "Tiling per m2", "price": {"minor": 0, "currency": "EUR"}, "labour_minor": 2000,
        "components": [{"product_id": tile["id"], "quantity": "1.1"}, {"product_id": glue["id"], "quantity": "0.25"}]},
        token=token), 201)
    assert service["price"]["minor"] == 1375 + 100 + 2000  # 13.75 + 0.9975 -> 14.7475 -> 14.75, plus labour
    nested = client.post("/api/v1/products", {"name": "Bathroom", "price": {"minor": 0, "currency": "EUR"},
                                              "components": [{"product_id": service["id"], "quantity": "1"}]},
                         token=token)
    assert nested.status_code == 422
    feed.read()  # what came before
    ok(client.patch(f"/api/v1/products/{tile['id']}", {"version": tile["version"],
                                                      "price": {"minor": 1500, "currency": "EUR"}}, token=token))
    assert feed.deliver() == {"batchItemFailures": []}
    repriced = ok(client.get(f"/api/v1/products/{service['id']}", token=token))
    assert repriced["price"]["minor"] == 1650 + 100 + 2000 and repriced["version"] == 2
    feed.deliver(feed.delivered)  # again: nothing is priced twice
    assert ok(client.get(f"/api/v1/products/{service['id']}", token=token))["version"] == 2
