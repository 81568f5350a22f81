"""A company moved by export and import keeps its orders' numbers and their counter: its next order is numbered
after its last, and typing a number still finds its order."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from chalicelib.orders import service as orders_service
from chalicelib.orders.models import OrderCounter, counter_key
from chalicelib.records import numbering
from tenants.__main__ import main
from tests.orders.kit import order, shop
from tests.support import ApiClient
from tests.tenantdata.test_import import export_lines

LINE = {"description": "Tyre fitting", "quantity": "4", "unit_price_minor": 1500, "tax_rate": "20"}


def test_the_counter_and_the_numbers_travel_with_the_company(client: ApiClient, tmp_path: Path, app: Any) -> None:
    company = shop(client)
    made = [order(client, company, [LINE]) for _ in range(2)]
    assert [found["number"] for found in made] == [1, 2]
    path = tmp_path / "export.zip"
    assert main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["import", "--file", str(path), "--into-new-tenant"], out=out) == 0
    new_id = out.getvalue().split("as NEW tenant ")[1].split(":")[0]
    counter = export_lines(new_id)[(f"T#{new_id}#ORDERNUM", "ORDER")]["item"]
    assert counter["last"] == {"N": "2"}
    ctx = system_context(new_id)
    with bind(ctx):
        found = orders_service.by_number(ctx, 2)
        assert found is not None and found.record_id == made[1]["id"]
        assert numbering.advance(ctx, OrderCounter, *counter_key(ctx))[1] == 3  # the next order's number
