"""The caller card: while an inbound call rings, the employee's open web app shows who is calling.

Pushed over the live channel (``live.push``, API Gateway's WebSocket API) to the employee whose
extension rings, else to the call's responsible user, as ``{"type": "call.ringing", "call": {...}}``
with what the card needs: the caller's name, company, open deal and last note, and links to them.
A card costs a handful of reads per ringing call, never a request per open tab.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.calls.models import Call
from chalicelib.core import permissions
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


def card(ctx: TenantContext, call: Call) -> dict[str, Any]:
    """What the caller card shows of a ringing call."""
    contact = _record(ctx, "contact", call.contact_id)
    company = _record(ctx, "company", call.company_id)
    deal = _record(ctx, "deal", call.deal_id)
    note = None
    subject = ("contact", call.contact_id) if call.contact_id else ("company", call.company_id)
    if subject[1]:
        page = timeline_service.list_entries(ctx, subject_type=subject[0], subject_id=subject[1], limit=20,
                                             cursor=None, kinds={"note"})
        note = page.items[0].summary if page.items else None
    return {"id": call.call_id, "direction": call.direction, "number": call.customer_number,
            "user_id": call.user_id, "started_at": call.started_at.isoformat() if call.started_at else None,
            "contact": {"id": call.contact_id, "name": display_name(contact)} if call.contact_id else None,
            "company": {"id": call.company_id, "name": display_name(company)} if call.company_id else None,
            "deal": {"id": call.deal_id, "title": display_name(deal)} if call.deal_id else None,
            "last_note": note[:300] if note else None}


def announce(ctx: TenantContext, call: Call) -> int:
    """Push the caller card to whoever the call rings for; answers how many open tabs got it."""
    from chalicelib.live import service as live_service

    target = call.user_id or call.owner_id
    return live_service.push(ctx, [target], {"type": MESSAGE, "call": seen_by(ctx, target, card(ctx, call))})


def seen_by(ctx: TenantContext, user_id: str | None, shown: dict[str, Any]) -> dict[str, Any]:
    """The card as the employee's role may see it (#21 item 10): the number, and the names of the contact,
    company and deal, left out where its field rules hide them. One read of the employee (their role's, for
    a custom role) per ringing call; the card is pushed, so no request of theirs carries their rights."""
    from chalicelib.identity import access as identity_access
    from chalicelib.identity import service as identity_service
    from chalicelib.records.fieldaccess import views

    user = identity_service.get_user(ctx, user_id) if user_id else None
    granted = identity_access.role_permissions(ctx, user.role) if user is not None else None
    viewer = replace(ctx, actor_id=user_id or ctx.actor_id, permissions=granted or frozenset())
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
