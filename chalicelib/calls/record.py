"""The call record type: listed by employee, contact, status and direction; never created by hand.

A call is made by its provider's events (``telephony``) or a click-to-call, never through a create
route, and is not trashed: it is the history of what happened. Its list rows carry the filters of
the calls screen as facets (``CF#contact#<id>``, ``CF#status#missed``, ``CF#direction#inbound``), so
any filter is one Query on the most selective of them.
"""

from __future__ import annotations

from typing import Any

from chalicelib.calls.models import Call, CallRow
from chalicelib.core import audit, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import listing, types


def facets(call: Call) -> listing.Facets:
    """A call is listed by its employee (owner), its contact, its status and its direction."""
    custom = [("status", call.status), ("direction", call.direction)]
    if call.contact_id:
        custom.append(("contact", call.contact_id))
    return listing.Facets(record_id=call.call_id, owner_id=call.owner_id, team_id=call.team_id,
                          custom=tuple(custom), updated_at=call.updated_at.isoformat())


def row_values(call: Call) -> dict[str, Any]:
    """What the calls list shows of a call."""
    return {"direction": call.direction, "status": call.status, "from_number": call.from_number,
            "to_number": call.to_number, "contact_id": call.contact_id, "company_id": call.company_id,
            "user_id": call.user_id, "started_at": call.started_at, "duration_seconds": call.duration_seconds,
            "end_reason": call.end_reason, "contact_skipped": call.contact_skipped,
            "has_recording": 1 if call.recording_key else 0, "provider": call.provider,
            "task_id": call.task_id, "returned_call_id": call.returned_call_id, "returned_at": call.returned_at}


def read(ctx: Any, call: Call) -> dict[str, Any]:
    """A call as the API shows it (CallRead)."""
    return {"id": call.call_id, "integration_id": call.integration_id, "provider": call.provider,
            "provider_call_id": call.provider_call_id, "direction": call.direction, "status": call.status,
            "from_number": call.from_number, "to_number": call.to_number, "contact_id": call.contact_id,
            "company_id": call.company_id, "deal_id": call.deal_id, "user_id": call.user_id,
            "started_at": call.started_at, "answered_at": call.answered_at, "ended_at": call.ended_at,
            "duration_seconds": None if call.duration_seconds is None else int(call.duration_seconds),
            "end_reason": call.end_reason, "contact_skipped": call.contact_skipped,
            "recording": {"available": bool(call.recording_key)},
            "callback": {"task_id": call.task_id, "returned_call_id": call.returned_call_id,
                         "returned_at": call.returned_at},
            "callback_of": call.callback_of, "created_at": call.created_at, "updated_at": call.updated_at,
            "version": int(call.version or 0)}


def ref_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's provider call ids (``models.CallRef``)."""
    return tenant_key(ctx, "CALLREF", integration_id)


def tenant_links(ctx: TenantContext, call: Call) -> list[tuple[str, str | None]]:
    """The provider's reference to the call, which the tenant's export and purge reach through it."""
    return [(ref_pk(ctx, call.integration_id), call.provider_call_id)]


def summary(row: CallRow, names: dict[str, str | None] | None = None) -> dict[str, Any]:
    """A list row as the API shows it (CallSummary), with the names of its contact or company when given."""
    names = names or {}
    return {"id": row.record_id, "direction": row.direction, "status": row.status, "from_number": row.from_number,
            "to_number": row.to_number, "contact_id": row.contact_id, "user_id": row.user_id,
            "contact": {"id": row.contact_id, "name": names.get(row.contact_id)} if row.contact_id else None,
            "company": {"id": row.company_id, "name": names.get(row.company_id)} if row.company_id else None,
            "started_at": row.started_at,
            "duration_seconds": None if row.duration_seconds is None else int(row.duration_seconds),
            "end_reason": row.end_reason, "contact_skipped": row.contact_skipped,
            "recording": {"available": bool(row.has_recording)}, "provider": row.provider,
            "callback": {"task_id": row.task_id, "returned_call_id": row.returned_call_id,
                         "returned_at": row.returned_at}}


NOT_REVERTABLE = "A call is what its provider reported; it cannot be reverted."


def _not_revertable(ctx: TenantContext, call_id: str, before: dict[str, Any] | None, expected: int | None) -> None:
    """A call is what its provider reported: no change of it is undone (its contact's are)."""
    raise errors.ConflictError(NOT_REVERTABLE, code="not_revertable")


audit.register_reverter("call", _not_revertable, refuses=lambda before, after: NOT_REVERTABLE)

CALL = types.register(types.RecordType(
    name="call", plural="calls", prefix="CL", model=Call, id_attribute="call_id", space="CLX", row_model=CallRow,
    lists=("ALL", "OWNER", "TEAM", "CF"), sorts=("created",),
    audit_fields=("status", "direction", "contact_id", "company_id", "deal_id", "user_id", "owner_id",
                  "answered_at", "ended_at", "disposition", "end_reason", "contact_skipped", "duration_seconds",
                  "recording_key", "task_id", "returned_call_id"),
    hooks={"facets": facets, "row_values": row_values, "read": read, "tenant_links": tenant_links},
))
