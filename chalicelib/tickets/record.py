"""The ticket record type: a customer's request with its SLA clock, listed by status, priority, channel and
assignee; found by the words of its subject.

Its list rows carry the queue's filters as facets (``CF#state#active``: new, open and pending together, the
default queue; ``CF#status#<status>``, ``CF#priority#<p>``, ``CF#channel#<c>``, ``CF#contact#<id>``), so any filter
is one Query of the most selective partition, newest update first. The subject's words are search tokens (sealed
in the rows, their prefixes blind-keyed, as a contact's name).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.tenancy import TenantContext
from chalicelib.records import listing, matching, types
from chalicelib.tickets.models import Ticket, TicketRow

ACTIVE = ("new", "open", "pending")


def state_of(status: str) -> str:
    """``active`` (in the queue) or ``done`` (resolved, closed)."""
    return "active" if status in ACTIVE else "done"


def facets(ticket: Ticket) -> listing.Facets:
    """A ticket is listed by its assignee (owner), state, status, priority, channel and contact."""
    custom = [("state", state_of(ticket.status)), ("status", ticket.status), ("priority", ticket.priority),
              ("channel", ticket.channel)]
    if ticket.contact_id:
        custom.append(("contact", ticket.contact_id))
    if ticket.conversation_id:  # a staff reply on the conversation finds its tickets in one Query
        custom.append(("conversation", ticket.conversation_id))
    return listing.Facets(
        record_id=ticket.ticket_id, owner_id=ticket.owner_id, team_id=ticket.team_id, tags=tuple(ticket.tags or ()),
        custom=tuple(custom) + tuple((k, v) for k, v in ticket.custom_indexed or []),
        tokens=tuple(matching.search_tokens(ticket.subject)), updated_at=ticket.updated_at.isoformat(),
        deleted_at=ticket.deleted_at.isoformat() if ticket.deleted_at else None)


def row_values(ticket: Ticket) -> dict[str, Any]:
    """What the queue shows of a ticket besides the common attributes."""
    return {"subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
            "channel": ticket.channel, "contact_id": ticket.contact_id, "conversation_id": ticket.conversation_id,
            "first_response_due": ticket.first_response_due, "resolution_due": ticket.resolution_due,
            "first_response_at": ticket.first_response_at, "resolved_at": ticket.resolved_at,
            "breached": list(ticket.breached or []) or None, "paused_at": ticket.paused_at,
            "csat_score": None if ticket.csat_score is None else int(ticket.csat_score)}


def apply(ctx: TenantContext, ticket: Ticket, fields: dict[str, Any]) -> None:
    """Set a ticket's own fields from a request (links are checked by the service before)."""
    if "subject" in fields:
        ticket.subject = fields["subject"].strip()
    if "description" in fields:
        ticket.description = (fields["description"] or "").strip() or None
    if fields.get("channel"):
        ticket.channel = fields["channel"]
    if fields.get("priority") and fields["priority"] != ticket.priority:
        ticket.priority = fields["priority"]
        if ticket.version is not None:  # a change (or a revert) of an existing ticket: its dues follow the priority
            from chalicelib.tickets import sla

            sla.set_dues(ctx, ticket)
    for name in ("contact_id", "order_id", "conversation_id"):
        if name in fields:
            setattr(ticket, name, fields[name] or None)
    if "tags" in fields:
        ticket.tags = list(fields["tags"] or [])


def read(ctx: TenantContext, ticket: Ticket) -> Any:
    """A ticket as the API shows it (TicketRead)."""
    from chalicelib.records import service as records_service
    from chalicelib.tickets import schemas as s

    return s.TicketRead(
        id=ticket.ticket_id, subject=ticket.subject, description=ticket.description,
        channel=ticket.channel, priority=ticket.priority, status=ticket.status,  # type: ignore[arg-type]
        contact_id=ticket.contact_id, order_id=ticket.order_id,
        conversation_id=ticket.conversation_id, call_id=ticket.call_id, message_id=ticket.message_id,
        sla=s.Sla(first_response_due=ticket.first_response_due, resolution_due=ticket.resolution_due,
                  first_response_at=ticket.first_response_at, resolved_at=ticket.resolved_at,
                  breached=list(ticket.breached or []), paused_at=ticket.paused_at,
                  resolution_left_seconds=None if ticket.resolution_left is None else int(ticket.resolution_left)),
        csat=s.Csat(score=None if ticket.csat_score is None else int(ticket.csat_score), comment=ticket.csat_comment,
                    answered_at=ticket.csat_at, sent_via=ticket.csat_sent_via),
        closed_at=ticket.closed_at, tags=list(ticket.tags or []), owner_id=ticket.owner_id, team_id=ticket.team_id,
        custom=records_service.custom_view(ctx, TICKET, ticket), created_at=ticket.created_at,
        updated_at=ticket.updated_at, deleted_at=ticket.deleted_at, version=int(ticket.version or 0))


def link_summary(ticket: Ticket) -> dict[str, Any]:
    """What a contact's (or an order's) card shows of a ticket linked to it."""
    return {"subject": ticket.subject, "status": ticket.status, "priority": ticket.priority}


def _save(ctx: TenantContext, before: Ticket | None, after: Ticket | None, *, action: str,
          change: Any = None) -> Any:
    from chalicelib.tickets import service

    return service.save(ctx, before, after, action=action, change=change)


def _update_schema() -> type[Any]:
    from chalicelib.tickets.schemas import TicketUpdate

    return TicketUpdate


def _create_schema() -> type[Any]:
    from chalicelib.tickets.schemas import TicketCreate

    return TicketCreate


def _list_query() -> type[Any]:
    from chalicelib.tickets.schemas import TicketListQuery

    return TicketListQuery


TICKET = types.register(types.RecordType(
    name="ticket", plural="tickets", prefix="TK", model=Ticket, id_attribute="ticket_id", space="TKX",
    row_model=TicketRow, sorts=("updated", "created"),
    link_kinds={"task": "TASK"},
    fields=(types.Field("subject", search=True, personal=True, aliases=("subject", "title", "тема")),
            types.Field("description", personal=True, aliases=("description", "описание")),
            types.Field("priority", aliases=("priority", "приоритет")),
            types.Field("tags", kind="list", aliases=("tags", "теги"))),
    audit_fields=("subject", "description", "channel", "priority", "status", "contact_id", "order_id",
                  "conversation_id", "call_id", "message_id", "first_response_due", "resolution_due",
                  "first_response_at", "resolved_at", "closed_at", "breached", "paused_at", "csat_score", "tags",
                  "owner_id", "team_id", "deleted_at"),
    hooks={"facets": facets, "row_values": row_values, "apply": apply, "read": read, "save": _save,
           "update_schema": _update_schema, "create_schema": _create_schema, "list_query": _list_query},
))
