"""A call's one entry on the timelines of its contact (or company) and its open deal, rewritten as it goes on."""

from __future__ import annotations

from typing import Any

from chalicelib.calls.models import Call
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import timeline as timeline_service

KIND = "call"
STATUS_NAMES = {"ringing": "ringing", "in_progress": "in progress", "answered": "answered", "missed": "missed",
                "busy": "busy", "failed": "failed"}
VERBS = {"inbound": "Incoming call", "outbound": "Outgoing call"}


def subjects(call: Call) -> list[tuple[str, str]]:
    """The records whose timelines show the call: its contact (else its company) and its open deal."""
    party = ("contact", call.contact_id) if call.contact_id else ("company", call.company_id)
    return [(kind, str(record_id)) for kind, record_id in (party, ("deal", call.deal_id)) if record_id]


def data(call: Call) -> dict[str, Any]:
    """What the entry says of the call (the web app draws it; the player shows when a recording is kept)."""
    return {"call_id": call.call_id, "direction": call.direction, "status": call.status,
            "duration_seconds": None if call.duration_seconds is None else int(call.duration_seconds),
            "user_id": call.user_id, "number": call.customer_number, "provider": call.provider,
            "recording": bool(call.recording_key), **({"end_reason": call.end_reason} if call.end_reason else {})}


def write(ctx: TenantContext, change: db.Change, call: Call) -> None:
    """Add to change the call's entry on each of its records' timelines, new or as it now reads."""
    summary = f"{VERBS[call.direction]}: {STATUS_NAMES.get(call.status, call.status)}"
    values = data(call)
    for subject_type, subject_id in subjects(call):
        existing = timeline_service.get_entry(ctx, subject_type=subject_type, subject_id=subject_id,
                                              entry_id=call.call_id)
        if existing is None:
            timeline_service.add_entry(ctx, change, subject_type=subject_type, subject_id=subject_id, kind=KIND,
                                       summary=summary, data=values, entry_id=call.call_id, at=call.started_at)
        elif existing.data != values or existing.summary != summary:
            existing.data, existing.summary = values, summary
            change.save(existing)
