"""Concurrent confirmations never oversell: confirmations racing for the last units in threads (each read the
stock before either wrote), exactly as many win as the stock allows; the others answer 409 and change nothing."""

from __future__ import annotations

import threading
from typing import Any

from tests.factories import Company
from tests.orders.kit import move, ok, order, product, shop, stock_of
from tests.support import ApiClient, body


def test_racing_confirmations_take_the_last_units_once(app: Any) -> None:
    client = ApiClient(app)
    company: Company = shop(client)
    made = product(client, company, stock="4")
    orders = [order(client, company, [{"product_id": made["id"], "quantity": "3"}]) for _ in range(3)]
    start, answers = threading.Barrier(len(orders)), {}

    def confirm(placed: dict[str, Any]) -> None:
        start.wait()
        answers[placed["id"]] = move(ApiClient(app), company, placed, "confirmed")

    threads = [threading.Thread(target=confirm, args=(placed,)) for placed in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(response.status_code for response in answers.values())
    assert codes == [200, 409, 409], [r.body for r in answers.values()]
    assert {body(r)["error"]["code"] for r in answers.values() if r.status_code == 409} == {"insufficient_stock"}
    assert stock_of(client, company, made["id"]) == {"on_hand": "4", "reserved": "3", "available": "1"}
    statuses = sorted(ok(client.get(f"/api/v1/orders/{placed['id']}", token=company.owner.token))["status"]
                      for placed in orders)
    assert statuses == ["confirmed", "new", "new"]
