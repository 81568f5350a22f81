"""Contacts as flat export rows, read through the contacts domain's list and views.

A page is one list Query (the caller's read scope applied by the contacts domain) and a GetItem per
contact for its full record; rows outside the caller's export scope are left out. Sensitive values
appear only when revealed, and the contacts domain records each clear-text read.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import segment_export
from chalicelib.dataio.record_rows import flat_row, list_query
from chalicelib.records.customfields import service as customfields_service

SENSITIVE_BUILTINS = ("passport_number", "tax_id", "iban")
LEFT_OUT = frozenset({"revealed", "deleted_at", "merged_into", "version", "custom", *SENSITIVE_BUILTINS})
def _query(filters: dict[str, str], cursor: str | None, limit: int) -> Any:
    from chalicelib.contacts.schemas import ContactListQuery

    return list_query(ContactListQuery, filters, cursor, limit)


def check_filters(filters: dict[str, str]) -> None:
    """422 for filters the contacts list does not understand (checked when the export is asked for); a segment's
    export takes its one filter (``segment_export``)."""
    if segment_export.wanted(filters) is not None:
        segment_export.check_filters(filters)
        return
    _query(filters, None, 1)


def contact_row(read: Any, *, revealed: frozenset[str]) -> dict[str, Any]:
    """One contact as columns (see ``record_rows.flat_row``), clear sensitive values only where revealed."""
    data = read.model_dump(mode="json")
    row = flat_row(data, left_out=LEFT_OUT)
    for name in SENSITIVE_BUILTINS:
        if name in revealed:
            row[name] = data.get(name)
    return row


def _reveal_set(ctx: TenantContext) -> frozenset[str]:
    sensitive = [d.key for d in customfields_service.active_definitions(ctx, "contact") if d.sensitive]
    return frozenset({*SENSITIVE_BUILTINS, *(f"custom.{key}" for key in sensitive)})


def page(ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None, limit: int,
         reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
    """One page of contacts the caller may export, as rows, and the cursor of the next page."""
    from chalicelib.contacts import service as contacts_service
    from chalicelib.contacts import views as contacts_views
    from chalicelib.records import search, types

    segment_id = segment_export.wanted(filters)
    if segment_id is not None:
        ids, next_cursor = segment_export.member_ids(ctx, segment_id, cursor=cursor, limit=limit)
    else:
        listed = search.list_records(ctx, types.get("contact"), _query(filters, cursor, limit))
        ids, next_cursor = [summary.record_id for summary in listed.items], listed.next_cursor
    wanted = _reveal_set(ctx) if reveal else frozenset()
    rows = []
    for contact_id in ids:
        contact = contacts_service.get(ctx, contact_id)
        if contact is None or not permissions.may_touch(ctx, scope, owner_id=contact.owner_id,
                                                         team_id=contact.team_id):
            continue
        read = contacts_views.contact_read(ctx, contact, reveal=wanted)
        rows.append(contact_row(read, revealed=frozenset(read.revealed) if reveal else frozenset()))
    return rows, next_cursor
