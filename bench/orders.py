"""What an order costs (#23): DynamoDB requests and capacity units, and our CPU, per order created (5 product
lines and one free-text line, 3 of the products kept in stock), per preview of its totals, per confirmation (the
order's status, its rows, audit record, timeline entry and report counters, and the reservation of each stocked
product under its ceiling, in one transaction), per payment, per card read and per order found by its number, and
per order of a buyer who works for one company (its company read and named on the order) and per card of such an
order (the company named beside her).

In-process moto, capacity by bench.accounting's rules, as bench.per_call; CPU is the process time over ``runs``
calls (moto included: an upper bound of ours; requests and units are exact).
``python -m bench.orders [runs] [--table]``.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from bench import accounting, harness

PRODUCTS = 5
STOCKED = 3


def _cost(run: Any) -> dict[str, Any]:
    found = accounting.cost_of(run)
    status, answer = found["status"]
    return {**found, "status": status, "answer": answer}


def measure(runs: int = 10) -> dict[str, Any]:
    """Create, preview, confirm, pay and read orders runs times; the costs."""
    accounting.install()
    with harness.in_process_app() as app:
        api, _signed = harness.sign_up(app)
        warehouse = api.ok("POST", "/api/v1/warehouses", {"name": "Main"})
        contact = api.ok("POST", "/api/v1/contacts", {"first_name": "Iris", "emails": [{"address": "iris@b.example"}]})
        products = []
        for n in range(PRODUCTS):
            made = api.ok("POST", "/api/v1/products", {"name": f"Widget {n}", "sku": f"W-{n}", "tax_rate": "20",
                                                       "price": {"minor": 1999 + n, "currency": "GBP"},
                                                       "track_stock": n < STOCKED})
            if n < STOCKED:
                api.ok("PUT", f"/api/v1/products/{made['id']}/stock/{warehouse['id']}", {"on_hand": "100000"})
            products.append(made)
        lines = [{"product_id": p["id"], "quantity": "2", "discount_percent": "5"} for p in products]
        lines.append({"description": "Delivery", "quantity": "1", "unit_price_minor": 500, "tax_rate": "20"})
        body = {"currency": "GBP", "contact_id": contact["id"], "lines": lines,
                "shipping": {"address": {"line1": "1 High St", "city": "Leeds"}, "carrier": "Royal Mail"}}
        created = [_cost(lambda: api.call("POST", "/api/v1/orders", body)) for _ in range(runs)]
        previews = [_cost(lambda: api.call("POST", "/api/v1/orders/preview", {"currency": "GBP", "lines": lines}))
                    for _ in range(runs)]
        orders = [c["answer"] for c in created]
        confirmed = [_cost(lambda o=o: api.call("POST", f"/api/v1/orders/{o['id']}/status",
                                                {"status": "confirmed", "version": o["version"]})) for o in orders]
        paid = [_cost(lambda c=c: api.call("POST", f"/api/v1/orders/{c['answer']['id']}/payments", {
            "version": c["answer"]["version"], "amount_minor": 1000, "method": "card"})) for c in confirmed]
        cards = [_cost(lambda o=o: api.call("GET", f"/api/v1/orders/{o['id']}")) for o in orders]
        listed = [_cost(lambda: api.call("GET", "/api/v1/orders?status=partially_paid&limit=50")) for _ in range(runs)]
        deal = api.ok("POST", "/api/v1/deals", {"title": "Refit", "contact_ids": [contact["id"]]})
        api.ok("POST", "/api/v1/orders", {**body, "deal_id": deal["id"]})
        by_deal = [_cost(lambda: api.call("GET", f"/api/v1/orders?deal_id={deal['id']}&limit=20")) for _ in range(runs)]
        by_number = [_cost(lambda: api.call("GET", "/api/v1/orders?q=%E2%84%962")) for _ in range(runs)]  # "№2"
        sold = api.ok("POST", "/api/v1/deals", {"title": "Course", "contact_ids": [contact["id"]]})
        on_deal = [_cost(lambda: api.call("POST", "/api/v1/orders", {**body, "deal_id": sold["id"]}))
                   for _ in range(runs)]
        firm = api.ok("POST", "/api/v1/companies", {"name": "Iris Interiors Ltd"})
        buyer = api.ok("POST", "/api/v1/contacts", {"first_name": "Ivy", "company_ids": [firm["id"]]})
        for_company = [_cost(lambda: api.call("POST", "/api/v1/orders", {**body, "contact_id": buyer["id"]}))
                       for _ in range(runs)]
        company_cards = [_cost(lambda c=c: api.call("GET", f"/api/v1/orders/{c['answer']['id']}"))
                         for c in for_company]
        row = functools.partial(harness.summary, warm=True, kinds=8)  # the first call pays an import: the warm Lambda's
        return {"scenarios": [row("order created (6 lines)", created, 201),
                              row("totals preview (6 lines)", previews, 200),
                              row(f"confirmed ({STOCKED} products reserved)", confirmed, 200),
                              row("payment recorded", paid, 200), row("order card", cards, 200),
                              row("orders list by status", listed, 200),
                              row("a deal's orders (its card's panel, when opened)", by_deal, 200),
                              row("an order found by its number (\"№2\" typed in the list)", by_number, 200),
                              row("order created on a deal (its amount follows)", on_deal, 201),
                              row("order created for a buyer of one company (the company filled in)", for_company,
                                  201),
                              row("order card of a buyer of one company (her company named too)", company_cards,
                                  200)], "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [(f"orders: {s['scenario']}", f"{s['requests']} req, {s['read_units']:g} RRU, {s['write_units']:g} WRU, "
             f"{s['cpu_ms']:.0f} ms CPU", ("ok" if s["ok"] else "FAILED") + f"; {s['operations']}")
            for s in result["scenarios"]]


if __name__ == "__main__":
    found = harness.run(measure, table, 10)
    if "--table" in sys.argv:
        for scenario in found["scenarios"]:
            print(scenario["scenario"], scenario["wru_by_kind"], file=sys.stderr)
