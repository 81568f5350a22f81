"""The items of orders and stock (#23) the tenant export and purge reach beyond the records' own collections:
the orders report's day counters, the counter of the orders' numbers (an imported company numbers its next order
after its last) and the warehouses. Stock items and a service's marks on its parts live in the
products' collections, which the record walk reads whole."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.orders.models import counter_key
from chalicelib.products import stock
from chalicelib.tenantdata import registry


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [tenant_key(ctx, "ORDERSTATS"), counter_key(ctx)[0], stock.warehouses_pk(ctx)]


registry.register_partitions("orders", _partitions)
