"""Tickets' items declared to the tenant export and purge (``tenantdata.registry``).

A ticket is a record type (its rows and sealed values follow from its declaration, its collection holds its CSAT
question and answer claims); what tickets keep beside: the messages and calls tickets were made from, the day
counters and the SLA settings (three fixed partitions).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.tenancy import TenantContext
from chalicelib.tenantdata import registry
from chalicelib.tickets import sla, sources


def _partitions(ctx: TenantContext) -> Iterable[str]:
    return [sources.source_pk(ctx), sla.stats_pk(ctx), sla.settings_pk(ctx)]


def register() -> None:
    """Declare the sources, counters and settings partitions."""
    registry.register_partitions("tickets", _partitions)


register()
