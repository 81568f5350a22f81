"""Ticket rows written before they carried the chat: rewritten once, from the hourly tick.

A ticket made of a conversation whose customer is no contact (a line that ignores unknown senders, the plan's
contact limit) is named in the queue by its conversation (``tickets.customer``: the rows carry its id since then);
rows written before carry neither a contact nor a conversation and read "No contact" until the ticket next changes.
The pass walks the tenants (``tenants.walk``), each tenant's ``ALL`` ticket rows 100 a Query (their keys and the two
ids only: nothing to open), reads the ticket of a row naming neither, and for one made of a conversation puts its
rows as its state gives them, only while it is at the version read (``records.store.refresh_rows``: a ticket changed
meanwhile has them from its own write). Where it stands is ``models.TenantPass`` at ``STATE_PK``; once through, a
tick reads it and nothing more. Nothing personal is logged: counts only.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import tenancy
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.housekeeping import tenants as tenant_walk
from chalicelib.records import access, store
from chalicelib.tickets.record import TICKET

STATE_PK = tenancy.global_key("housekeeping", "ticket-rows")
ROW_PAGE = 100
NAMES = ["pk", "sk", "record_id", "contact_id", "conversation_id"]


def _refresh(ctx: TenantContext, name: str, rows: list[Any]) -> int:
    refreshed = 0
    for row in rows:
        ticket = access.get(ctx, TICKET, row.record_id) if not (row.contact_id or row.conversation_id) else None
        if ticket is not None and ticket.conversation_id and store.refresh_rows(ctx, TICKET, ticket):
            refreshed += 1
    return refreshed


def _page(ctx: TenantContext, name: str, after: str | None) -> tenant_walk.Page:
    return tenant_walk.partition_page(TICKET.rows, tenant_key(ctx, TICKET.space or "", name), after, limit=ROW_PAGE,
                                      attributes_to_get=NAMES)


def run(*, deadline: float) -> int:
    """Name the chat on every tenant's ticket rows written before they did, tenant by tenant until the deadline; how
    many tickets' rows were rewritten (an outage: what was written stays, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, ["ALL"], deadline=deadline, paused="ticket rows pass paused", page=_page,
                               work=_refresh)
