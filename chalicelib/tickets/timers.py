"""What the due run does for tickets: an SLA target missed (a breach), and the satisfaction question on close.

A breach is handled exactly once per ticket and target: the notification's id derives from the ticket, the target
and its due time, the automation's run from the same (both created only if absent), and the breach is recorded on
the ticket last, by a version-checked write that also counts it. A timer that fails before that write fires again
(the due run's retry) and finds the notification and the runs made already; one that fires after it finds the
target breached and does nothing. A timer whose target was met, moved or dropped meanwhile does nothing either.
"""

from __future__ import annotations

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.due.models import DueTimer
from chalicelib.records import editing
from chalicelib.records import timeline as timeline_service
from chalicelib.tickets import csat, service, sla
from chalicelib.tickets.models import Ticket
from chalicelib.tickets.record import TICKET

BREACH = "ticket.sla_breached"


def cause_of(ticket_id: str, target: str, due: str) -> str:
    """What names one breach: the ticket, the target and the due time it missed."""
    return f"sla:{ticket_id}:{target}:{due}"


def _due_of(ticket: Ticket, kind: str) -> str | None:
    moment = ticket.first_response_due if kind == sla.FIRST else ticket.resolution_due
    return moment.isoformat() if moment is not None else None


def breach(ctx: TenantContext, timer: DueTimer) -> bool:
    """Handle a target's timer: notify, run the rules, record the breach; False when nothing was missed."""
    target, planned = sla.KINDS[timer.timer_kind], str((timer.payload or {}).get("due") or "")
    ticket = service.get(ctx, timer.ref)
    if ticket is None or not sla.running(ticket, timer.timer_kind) or _due_of(ticket, timer.timer_kind) != planned:
        return False  # met, closed, moved or breached already: a newer timer (or none) stands for it
    from chalicelib.automations import engine
    from chalicelib.notifications import service as notifications

    due_at = ticket.first_response_due if timer.timer_kind == sla.FIRST else ticket.resolution_due
    cause = cause_of(ticket.ticket_id, target, planned)
    notifications.notify(ctx, user_id=ticket.owner_id, type=BREACH, cause=cause, at=db.utcnow(), cause_at=due_at,
                         subject_type="ticket", subject_id=ticket.ticket_id, title=None, actor_id="scheduler")
    engine.ticket_sla_breached(ctx, ticket_id=ticket.ticket_id, target=target, due=planned)
    _record(ctx, ticket, target)
    return True


def _record(ctx: TenantContext, ticket: Ticket, target: str) -> None:
    """The breach on the ticket, its timeline and the day's counters, in one version-checked write."""
    after = editing.clone(ticket)
    after.breached = [*(ticket.breached or []), target]
    change = db.Change()
    timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket.ticket_id,
                               kind="sla_breached", summary=f"SLA missed: {target.replace('_', ' ')}",
                               data={"target": target})
    service.write(ctx, ticket, after, action="update", change=change, counts={f"breached_{target}": 1})


def fire(ctx: TenantContext, timer: DueTimer) -> str | None:
    """Do what a ticket timer is for (a failure raises: the due run tries again later)."""
    if timer.timer_kind == csat.KIND:
        return csat.send(ctx, timer)
    try:
        breach(ctx, timer)
    except errors.VersionConflictError:
        # The ticket changed as the breach was written: look again now (met meanwhile, or still missed).
        breach(ctx, timer)
    return None
