"""Orders made before orders had numbers: the hourly housekeeping tick numbers them once, in the order they were
made; a new order made before the pass waits with them, so the company's numbers keep that order."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.housekeeping import order_numbers
from chalicelib.housekeeping.models import TenantPass
from chalicelib.records import numbering
from tests.billing import helpers
from tests.orders.kit import ok, order, shop
from tests.support import ApiClient

FREE_LINE = {"description": "Oil change", "quantity": "1", "unit_price_minor": 3000, "tax_rate": "20"}


def _numbers(client: ApiClient, token: str) -> dict[str, int | None]:
    listed = ok(client.get("/api/v1/orders?limit=200", token=token))["items"]
    return {item["id"]: item["number"] for item in listed}


def test_the_tick_numbers_older_orders_once_in_the_order_they_were_made(client: ApiClient, app: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    company = shop(ApiClient(app))
    token = company.owner.token
    with monkeypatch.context() as patched:  # as the code before made orders: no counter, no number
        patched.setattr(numbering, "numbered", lambda ctx, model, pk, sk, write, **_: write(None, None))
        old = [order(client, company, [FREE_LINE]) for _ in range(3)]
    assert [made["number"] for made in old] == [None, None, None]
    trashed = old[1]
    assert client.delete(f"/api/v1/orders/{trashed['id']}", token=token).status_code in (200, 204)
    waiting = order(client, company, [FREE_LINE])  # made after the release, before the pass reached the company
    assert waiting["number"] is None
    tenant = helpers.tenant(company)  # start at this company (the worker's other tenants are not this test's)
    TenantPass(order_numbers.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()

    assert order_numbers.run(deadline=time.monotonic() + 600) == 3
    numbers = _numbers(client, token)
    assert [numbers[made["id"]] for made in (old[0], old[2], waiting)] == [1, 2, 3]
    restored = client.post(f"/api/v1/orders/{trashed['id']}/restore", {}, token=token)
    assert restored.status_code == 200, restored.body
    assert _numbers(client, token)[trashed["id"]] == 4  # the trash is numbered when it comes back
    assert order(client, company, [FREE_LINE])["number"] == 5
    assert ok(client.get("/api/v1/orders?q=2", token=token))["items"][0]["id"] == old[2]["id"]
    assert TenantPass.get(order_numbers.STATE_PK, "STATE", consistent_read=True).done
    assert order_numbers.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
