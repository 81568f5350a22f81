"""Answers on a ticket: a comment or a message to the customer from the ticket, or a staff reply from the inbox on
its conversation; the first one stops the first-response clock and opens a new ticket."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.records import editing
from chalicelib.records import timeline as timeline_service
from chalicelib.tickets import schemas as s
from chalicelib.tickets import service, sla
from chalicelib.tickets.models import Ticket
from chalicelib.tickets.record import TICKET

_ANSWERING: ContextVar[str | None] = ContextVar("ticket_answering", default=None)  # the ticket a reply is sent from


def responded(ctx: TenantContext, ticket_id: str, *, at: datetime, change_of: Callable[[Ticket], db.Change],
              checked: bool = True) -> Ticket:
    """Record a staff answer on a ticket (a comment, a message): the first one stops the first-response clock and
    opens a new ticket. Retried on a concurrent change (the answer itself is already made). Unchecked, the answer
    was made elsewhere (the inbox) by someone who may not change tickets: it counts all the same."""
    for _ in range(3):
        before = service.get_or_raise(ctx, ticket_id, action="update") if checked else service.get(ctx, ticket_id)
        if before is None:
            raise errors.NotFoundError("No such ticket.")
        after = editing.clone(before)
        editing.touch(after)
        counts: dict[str, int] = {}
        if before.first_response_at is None:
            after.first_response_at = at
            counts = {"first_responses": 1, "first_response_met": sla.on_time(at, before.first_response_due),
                      "first_response_seconds": max(0, int((at - before.created_at).total_seconds()))}
        if after.status == "new":
            after.status = "open"
        try:
            return service.write(ctx, before, after, action="update", change=change_of(after), counts=counts, at=at)
        except errors.VersionConflictError:
            continue
    raise errors.VersionConflictError()


def reply(ctx: TenantContext, ticket_id: str, data: s.ReplyIn) -> Ticket:
    """Answer a ticket: a comment on it, or a message to the customer on its conversation (sent first, then
    written, like every reply); either is a first response."""
    ticket = service.get_or_raise(ctx, ticket_id, action="update")
    summary: dict[str, Any] = {"text": data.text, "via": data.via}
    if data.via == "conversation":
        if not ticket.conversation_id:
            raise errors.ValidationError(details=[{"loc": ["body", "via"], "msg": "The ticket has no conversation",
                                                   "type": "no_conversation"}])
        from chalicelib.conversations.schemas import MessageCreate
        from chalicelib.messaging import service as messaging_service

        token = _ANSWERING.set(ticket_id)  # this ticket writes its own entry, with the words, below
        try:
            sent = messaging_service.reply(ctx, ticket.conversation_id, MessageCreate(text=data.text))
        finally:
            _ANSWERING.reset(token)
        summary["message_id"] = sent.get("id")
    at = db.utcnow()
    entry_id = new_id()

    def change_of(after: Ticket) -> db.Change:
        change = db.Change()
        timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="reply",
                                   summary="Reply" if data.via == "conversation" else "Comment", data=summary,
                                   entry_id=entry_id, at=at)
        return change

    return responded(ctx, ticket_id, at=at, change_of=change_of)


def conversation_answered(ctx: TenantContext, conversation_id: str, *, at: datetime) -> int:
    """A staff reply went out on a conversation (from the inbox, or a ticket): its open tickets still waiting for
    their first response have it now (one Query of their rows); how many. Messaging calls it by name (through
    ``service.conversation_answered``)."""
    waiting = [row.record_id for row in service.conversation_rows(ctx, conversation_id)
               if row.first_response_at is None and row.status in ("new", "open", "pending")
               and row.record_id != _ANSWERING.get()]
    for ticket_id in waiting:
        def change_of(after: Ticket, ticket_id: str = ticket_id) -> db.Change:
            change = db.Change()
            timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="reply",
                                       summary="Reply", data={"via": "conversation"}, at=at)
            return change

        responded(ctx, ticket_id, at=at, change_of=change_of, checked=False)
    return len(waiting)
