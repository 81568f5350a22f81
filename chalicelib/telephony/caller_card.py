"""The caller card: while an inbound call rings, the employee's open web app shows who is calling.

Pushed over the live channel (``live.push``, API Gateway's WebSocket API) to the employee whose
extension rings, else to the call's responsible user, as ``{"type": "call.ringing", "call": {...}}``
with what the card needs: the caller's name, company, open deal and last note, and links to them.
Each as the employee's own request would show it: a contact, company or deal her role does not read (its
scope, or an open task of hers about it), or the note when her role reads no notes or not its record, is left
out, and her field rules hide what they hide. A card costs a handful of reads per ringing call, never a
request per open tab.
"""

from __future__ import annotations

from typing import Any

from chalicelib.calls.models import Call
from chalicelib.core import errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, types
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import service as fieldaccess

MESSAGE = "call.ringing"


def display_name(record: Any) -> str | None:
    """How a contact, company or deal is named (its name, title, or first and last name)."""
    if record is None:
        return None
    for attribute in ("display_name", "name", "title"):
        value = getattr(record, attribute, None)
        if isinstance(value, str) and value:
            return value
    parts = [getattr(record, "first_name", None), getattr(record, "last_name", None)]
    return " ".join(p for p in parts if p) or None


def _record(ctx: TenantContext, type_name: str, record_id: str | None) -> Any:
    rtype = types.find(type_name)
    return access.get(ctx, rtype, record_id) if rtype is not None and record_id else None


def _readable(viewer: TenantContext, type_name: str, record_id: str | None) -> Any:
    """The live record when the employee's role reads it (its scope, or an open task of hers about it), else None."""
    record = _record(viewer, type_name, record_id)
    if record is None:
        return None
    try:
        access.check_access(viewer, types.get(type_name), record)
    except errors.NotFoundError:
        return None
    return record


def _last_note(viewer: TenantContext, subject_type: str, subject_id: str) -> str | None:
    """The newest note on a record the employee reads, when her role reads notes (a note's scope is its record's)."""
    if permissions.scope_of(viewer, "notes", "read") is None:
        return None
    page = timeline_service.list_entries(viewer, subject_type=subject_type, subject_id=subject_id, limit=20,
                                         cursor=None, kinds={"note"})
    return page.items[0].summary[:300] if page.items and page.items[0].summary else None


def card(viewer: TenantContext, call: Call) -> dict[str, Any]:
    """What the caller card shows of a ringing call to the employee it goes to (viewer: her context, with her role's
    permissions): a contact, company, deal or note her role may not read is left out, as her own request would."""
    contact = _readable(viewer, "contact", call.contact_id)
    company = _readable(viewer, "company", call.company_id)
    deal = _readable(viewer, "deal", call.deal_id)
    subject = ("contact", contact, call.contact_id) if call.contact_id else ("company", company, call.company_id)
    note = _last_note(viewer, subject[0], subject[2]) if subject[1] is not None and subject[2] else None
    return {"id": call.call_id, "direction": call.direction, "number": call.customer_number,
            "user_id": call.user_id, "started_at": call.started_at.isoformat() if call.started_at else None,
            "contact": {"id": call.contact_id, "name": display_name(contact)} if contact is not None else None,
            "company": {"id": call.company_id, "name": display_name(company)} if company is not None else None,
            "deal": {"id": call.deal_id, "title": display_name(deal)} if deal is not None else None,
            "last_note": note}


def announce(ctx: TenantContext, call: Call) -> int:
    """Push the caller card to whoever the call rings for; answers how many open tabs got it."""
    from chalicelib.identity import access as identity_access
    from chalicelib.live import service as live_service

    target = call.user_id or call.owner_id
    viewer = identity_access.acting_as(ctx, target)
    if viewer is None:  # nobody (left, or a role gone) to show it to
        return 0
    return live_service.push(ctx, [target], {"type": MESSAGE, "call": seen_by(viewer, card(viewer, call))})


def seen_by(viewer: TenantContext, shown: dict[str, Any]) -> dict[str, Any]:
    """The card as the employee's field rules show it (#21 item 10): the number, and the names of the contact,
    company and deal, left out where her rules hide them. One read of the employee (their role's, for a custom
    role) per ringing call; the card is pushed, so no request of theirs carries their rights."""
    from chalicelib.records.fieldaccess import views

    if not permissions.field_rules(viewer):
        return shown
    hidden_number = bool(fieldaccess.hidden(viewer, types.get("call")) & {"from_number", "to_number"}) \
        or "phones" in fieldaccess.hidden(viewer, types.get("contact"))
    return {**shown, "number": None if hidden_number else shown.get("number"),
            **{kind: views.summary(viewer, kind, shown[kind]) if shown.get(kind) else shown.get(kind)
               for kind in ("contact", "company", "deal")}}


def settle(ctx: TenantContext, before: Call, after: Call) -> int:
    """Tell whoever saw a ringing call's card that it was answered or ended (the card closes)."""
    from chalicelib.live import service as live_service

    kind = "call.answered" if after.status == "in_progress" else "call.ended"
    party = _record(ctx, "contact", after.contact_id) or _record(ctx, "company", after.company_id)
    owner = getattr(party, "owner_id", None)  # the card went to the caller's owner before any extension rang
    targets = {user for user in (before.user_id, before.owner_id, after.user_id, after.owner_id, owner) if user}
    return live_service.push(ctx, sorted(targets), {"type": kind, "call": {"id": after.call_id,
                                                                            "status": after.status}})
