"""The items of orders and stock (#23) the tenant export and purge reach beyond the records' own collections:
the orders report's day counters and the warehouses. Stock items and a service's marks on its parts live in the
products' collections, which the record walk reads whole."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.products import stock
from chalicelib.tenantdata import registry


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [tenant_key(ctx, "ORDERSTATS"), stock.warehouses_pk(ctx)]


registry.register_partitions("orders", _partitions)
