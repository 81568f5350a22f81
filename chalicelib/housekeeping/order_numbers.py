"""Orders made before orders had numbers: numbered once, from the hourly tick, in the order they were made.

The pass walks the tenants (``tenants.walk``), each tenant's ``ALL`` order rows 100 a Query, oldest first (their
keys are the orders' sortable ids), and gives each row without a number the company's next one
(``orders.service.give_number``: the counter advanced in the order's own transaction, only while the order is at the
version read). Until a company's orders are numbered, a new order waits with them (``orders.record``: no counter
yet), so the company's numbers follow the order its orders were made in; one in the trash (no rows) takes its number
when restored. Where it stands is ``models.TenantPass``
at ``STATE_PK``; once through, a tick reads it and nothing more. Nothing personal is logged: counts only.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.orders import service as orders_service
from chalicelib.orders.record import ORDER

STATE_PK = tenancy.global_key("housekeeping", "order-numbers")
ROW_PAGE = 100
NAMES = ["pk", "sk", "record_id", "number"]


def _number(ctx: TenantContext, name: str, rows: list[Any]) -> int:
    return sum(1 for row in rows if row.number is None and orders_service.give_number(ctx, row.record_id))


def _page(ctx: TenantContext, name: str, after: str | None) -> tenant_walk.Page:
    return tenant_walk.partition_page(ORDER.rows, tenant_key(ctx, ORDER.space or "", name), after, limit=ROW_PAGE,
                                      attributes_to_get=NAMES)


def run(*, deadline: float) -> int:
    """Number every tenant's orders made before orders had numbers, tenant by tenant until the deadline; how many
    were numbered (an outage: what was numbered stays, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, ["ALL"], deadline=deadline, paused="order numbers pass paused", page=_page,
                               work=_number)
