"""A ticket's status: staff move it along ``TRANSITIONS`` (resolving stops the resolution clock, closing asks for a
rating, reopening counts); the customer writing on its conversation opens one that waits on them or was resolved."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import service as identity_service
from chalicelib.records import editing
from chalicelib.records import timeline as timeline_service
from chalicelib.tickets import schemas as s
from chalicelib.tickets import service, sla
from chalicelib.tickets.models import Ticket, TicketRow
from chalicelib.tickets.record import TICKET

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "pending", "resolved", "closed"}),
    "open": frozenset({"pending", "resolved", "closed"}),
    "pending": frozenset({"open", "resolved", "closed"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset({"open"}),
}


def set_status(ctx: TenantContext, ticket_id: str, data: s.StatusChange) -> Ticket:
    """Move a ticket to another status (only along ``TRANSITIONS``: 422 otherwise). Resolving stops the resolution
    clock (each resolve counts, judged by the due time of that moment); closing asks the customer for a rating (when
    the company asks); reopening counts a reopen and gives the clock the time it had left (none once breached)."""
    before = service.get_or_raise(ctx, ticket_id, action="update")
    if int(before.version or 0) != data.version:
        raise errors.VersionConflictError()
    if data.status == before.status:
        return before
    if data.status not in TRANSITIONS[before.status]:
        raise errors.ValidationError(f"A {before.status} ticket cannot become {data.status}.",
                                     code="invalid_transition", details=[
                                         {"loc": ["body", "status"], "msg": f"Not allowed from {before.status}",
                                          "type": "invalid_transition"}])
    now = db.utcnow()
    after = editing.clone(before)
    editing.touch(after)
    after.status = data.status
    counts: dict[str, int] = {}
    change = db.Change()
    if data.status in ("resolved", "closed") and before.resolved_at is None:
        after.resolved_at = now
        counts = {"resolved": 1, "resolution_met": sla.resolution_met(before, now)}
    if data.status == "closed":
        after.closed_at = now
        from chalicelib.tickets import csat

        csat.ask_on_close(ctx, change, after)
    if data.status == "open" and before.status in ("resolved", "closed"):
        after.resolved_at, after.closed_at = None, None
        counts = {"reopened": 1}
    timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="status",
                               summary=f"Status: {data.status}", data={"from": before.status, "to": data.status})
    return service.write(ctx, before, after, action="update", change=change, counts=counts, at=now)


# The customer wrote on a resolved ticket's conversation: its timeline says so in the company's language.
WROTE_AGAIN = {"en": "The customer wrote again: open", "ru": "Клиент написал снова: открыто"}
REOPENED = "ticket.reopened"  # the assignee's notification


def _waited_since(ticket: Ticket | TicketRow) -> datetime | None:
    """Since when a ticket waits for the customer's word: pending (since it was paused) or resolved (since then);
    None for any other status."""
    if ticket.status == "pending":
        return ticket.paused_at
    return ticket.resolved_at if ticket.status == "resolved" else None


def customer_answered(ctx: TenantContext, conversation_id: str, *, at: datetime) -> int:
    """The customer wrote on a conversation: its tickets waiting on the customer, or resolved, since before that
    message open again and their resolution clocks go on with the time they had left (one Query of their rows); how
    many. A resolved one's assignee is told. A message older than the pause or the resolve (a redelivered event)
    moves nothing; a closed ticket stays closed."""
    moved = 0
    for row in service.conversation_rows(ctx, conversation_id):
        since = _waited_since(row)
        if since is not None and since < at and _reopen(ctx, row.record_id, at=at):
            moved += 1
    return moved


def _reopen(ctx: TenantContext, ticket_id: str, *, at: datetime) -> bool:
    """Open one ticket on the customer's message at ``at`` (retried on a concurrent change); False when it no longer
    waits since before then."""
    for _ in range(3):
        before = service.get(ctx, ticket_id)
        since = _waited_since(before) if before is not None else None
        if before is None or since is None or since >= at:
            return False
        after = editing.clone(before)
        editing.touch(after)
        after.status = "open"
        resolved = before.status == "resolved"
        if resolved:
            after.resolved_at, after.closed_at = None, None
        summary = "The customer answered: open"
        if resolved:
            locale = identity_service.company_locale(ctx)
            summary = WROTE_AGAIN.get(locale, WROTE_AGAIN["en"])
        change = db.Change()
        timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=before.ticket_id, kind="status",
                                   summary=summary, data={"from": before.status, "to": "open", "by": "customer"})
        try:
            service.write(ctx, before, after, action="update", change=change, counts={"reopened": int(resolved)}, at=at)
        except errors.VersionConflictError:
            continue
        if resolved and after.owner_id:
            _tell_reopened(ctx, after, at=at)
        return True
    return False


def _tell_reopened(ctx: TenantContext, ticket: Ticket, *, at: datetime) -> None:
    """The assignee hears that the customer reopened their ticket (once per message: its time is the cause)."""
    from chalicelib.notifications import service as notifications

    notifications.notify(ctx, user_id=str(ticket.owner_id), type=REOPENED, cause=f"reopen:{ticket.ticket_id}",
                         at=db.utcnow(), cause_at=at, subject_type="ticket", subject_id=ticket.ticket_id, title=None,
                         actor_id=None)
