"""SLA: the company's business hours and targets, a ticket's due times, its timers and its day counters.

Targets are business minutes per priority (``DEFAULT_TARGETS`` until the company sets its own), counted in the
business hours of ``TicketSettings`` on the company's clock (``hours``). A ticket's two timers (first response,
resolution) are due-time primitive timers (``chalicelib/due``) set, moved and dropped in the transaction of the
ticket's own change; the counters are added there too (``Change.add``), so what is counted is what was written.

Waiting on the customer (``pending``) stops the resolution clock, as Zendesk's and Freshdesk's "pending" does: the
business time it had left is kept on the ticket (``resolution_left``) and its timer dropped; leaving pending (the
customer answers, or staff open it again) sets a new due time that many business seconds after that moment, and the
timer with it. The first-response clock is not paused: the customer waits for a first answer all the same.

A resolved (or closed) ticket keeps its clock stopped the same way: when it opens again (the customer wrote again,
or staff reopened it) it has the time it had left when it was resolved, so a late "it still does not work" is not a
miss at once. One resolved after its due (breached) keeps no time: it stays breached and gets no new timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.due import service as due
from chalicelib.identity import service as identity_service
from chalicelib.identity import zones
from chalicelib.tickets import hours as business
from chalicelib.tickets.models import STATS_PARTITION, Ticket, TicketSettings, TicketStats

FIRST, RESOLUTION = "ticket.first_response", "ticket.resolution"
KINDS = {FIRST: "first_response", RESOLUTION: "resolution"}
DEFAULT_TARGETS: dict[str, dict[str, int]] = {  # business minutes
    "urgent": {"first_response": 30, "resolution": 240},
    "high": {"first_response": 60, "resolution": 540},
    "normal": {"first_response": 240, "resolution": 1620},
    "low": {"first_response": 480, "resolution": 2700},
}
SETTINGS_SK = "SETTINGS"
FIELDS = ("timezone", "days", "opens", "closes", "holidays", "targets", "csat")


def settings_pk(ctx: TenantContext) -> str:
    """Partition of the company's ticket settings."""
    return tenant_key(ctx, "TKSET")


def stats_pk(ctx: TenantContext) -> str:
    """Partition of the ticket day counters."""
    return tenant_key(ctx, STATS_PARTITION)


def get_settings(ctx: TenantContext) -> TicketSettings:
    """The company's ticket settings (the defaults when never saved)."""
    found = db.get(ctx, TicketSettings, settings_pk(ctx), SETTINGS_SK)
    return found if found is not None else TicketSettings(settings_pk(ctx), SETTINGS_SK)


def company_zone(ctx: TenantContext) -> str:
    """The company's time zone name (UTC when it has none that reads)."""
    tenant = identity_service.tenant_settings(ctx)
    name = getattr(tenant, "timezone", None) or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(name)


def zone_of(ctx: TenantContext, settings: TicketSettings) -> str:
    """The business hours' time zone: the settings' own, else the company's."""
    return settings.timezone or company_zone(ctx)


def targets_of(settings: TicketSettings) -> dict[str, dict[str, int]]:
    """Every priority's targets: the company's where set, the defaults elsewhere."""
    own = settings.targets or {}
    return {priority: {**target, **(own.get(priority) or {})} for priority, target in DEFAULT_TARGETS.items()}


def hours_of(ctx: TenantContext, settings: TicketSettings) -> business.BusinessHours:
    """The company's business hours."""
    return business.hours_of(zone=zone_of(ctx, settings), days=settings.days or [], opens=settings.opens,
                             closes=settings.closes, holidays=settings.holidays or [])


def view(ctx: TenantContext, settings: TicketSettings) -> dict[str, Any]:
    """The settings as the API shows them."""
    return {"timezone": zone_of(ctx, settings), "timezone_is_company": settings.timezone is None,
            "days": [int(d) for d in settings.days or []], "opens": settings.opens, "closes": settings.closes,
            "holidays": list(settings.holidays or []), "targets": targets_of(settings), "csat": bool(settings.csat),
            "version": int(settings.version or 0)}


def update_settings(ctx: TenantContext, data: Any) -> TicketSettings:
    """Change the company's business hours, SLA targets or CSAT (who may change settings; audited). Tickets made
    before keep their due times."""
    permissions.require(ctx, "settings", "update")
    item = get_settings(ctx)
    if int(item.version or 0) != data.version:
        raise errors.VersionConflictError()
    before = {name: audit.plain(getattr(item, name)) for name in FIELDS} if item.version else None
    sent = data.model_dump(exclude_unset=True)
    if "timezone" in sent:
        try:
            ZoneInfo(sent["timezone"]) if sent["timezone"] else None
        except (ZoneInfoNotFoundError, ValueError):
            raise errors.ValidationError(details=[{"loc": ["body", "timezone"], "msg": "Unknown time zone",
                                                   "type": "unknown_timezone"}]) from None
        item.timezone = sent["timezone"] or None
    for name in ("days", "opens", "closes", "holidays"):
        if sent.get(name) is not None:
            setattr(item, name, sent[name])
    if sent.get("targets") is not None:
        item.targets = {**(item.targets or {}), **sent["targets"]}
    if sent.get("csat") is not None:
        item.csat = int(sent["csat"])
    # A closing at or before the opening ends the next day (a night shift); the same time is round the clock.
    if not item.days:
        raise errors.ValidationError(details=[{"loc": ["body", "days"], "msg": "At least one working day",
                                               "type": "invalid_hours"}])
    change = db.Change().save(item)
    audit.attach(ctx, change, item, entity="ticket_settings", entity_id="settings",
                 action="create" if before is None else "update", before=before,
                 after={name: audit.plain(getattr(item, name)) for name in FIELDS})
    db.commit(ctx, change)
    return item


# -- a ticket's clock -------------------------------------------------------------------------


def set_dues(ctx: TenantContext, ticket: Ticket, settings: TicketSettings | None = None) -> None:
    """A ticket's first-response and resolution due times from its creation and priority."""
    settings = settings or get_settings(ctx)
    target = targets_of(settings)[ticket.priority]
    hours = hours_of(ctx, settings)
    start = ticket.created_at or db.utcnow()
    ticket.first_response_due = business.add_business_minutes(start, target["first_response"], hours)
    ticket.resolution_due = business.add_business_minutes(start, target["resolution"], hours)
    if ticket.paused_at is not None and ticket.resolution_left is not None:  # a new priority while paused
        ticket.resolution_left = business.business_seconds_between(ticket.paused_at, ticket.resolution_due, hours)


STOPPED = ("pending", "resolved", "closed")  # the resolution clock does not run: waiting on the customer, or done


def pause_or_resume(ctx: TenantContext, before: Ticket | None, after: Ticket, now: datetime) -> None:
    """Stop the resolution clock when a ticket starts waiting on the customer or is resolved (or closed), and start
    it again, with the business time it had left, when it opens again (pending to resolved keeps the time it had
    when it started waiting)."""
    if after.deleted_at is not None:
        return  # in the trash: its timers are dropped; a restore finds the clock as it was
    waiting = before is not None and before.status in STOPPED and before.paused_at is not None
    if after.status in STOPPED:
        if not waiting:
            _pause(ctx, after, now)
        return
    if not waiting:
        return
    left = after.resolution_left
    after.paused_at, after.resolution_left = None, None
    if left is not None and after.status in ("new", "open") and KINDS[RESOLUTION] not in (after.breached or []):
        hours = hours_of(ctx, get_settings(ctx))
        after.resolution_due = business.add_business_time(now, timedelta(seconds=int(left)), hours)


def _pause(ctx: TenantContext, ticket: Ticket, now: datetime) -> None:
    ticket.paused_at = now
    ticket.resolution_left = None
    if ticket.resolution_due is not None and KINDS[RESOLUTION] not in (ticket.breached or []):
        hours = hours_of(ctx, get_settings(ctx))
        ticket.resolution_left = business.business_seconds_between(now, ticket.resolution_due, hours)


def resolution_met(before: Ticket, at: datetime) -> int:
    """1 when a ticket resolved at ``at`` met its resolution target (a paused one: when it had time left)."""
    if before.paused_at is not None and before.resolution_left is not None:
        return int(before.resolution_left > 0)
    return on_time(at, before.resolution_due)


def _due_of(ticket: Ticket, kind: str) -> datetime | None:
    return ticket.first_response_due if kind == FIRST else ticket.resolution_due


def running(ticket: Ticket, kind: str) -> bool:
    """True while a timer still has something to watch (not met, not breached, the ticket live)."""
    if ticket.deleted_at is not None or KINDS[kind] in (ticket.breached or []):
        return False
    if kind == FIRST:
        return ticket.first_response_at is None and ticket.status in ("new", "open", "pending")
    return ticket.status in ("new", "open")  # pending: waiting on the customer, the clock is stopped


def timers(ctx: TenantContext, change: db.Change, before: Ticket | None, after: Ticket) -> None:
    """Set, move or drop the ticket's timers in change, as its new state needs."""
    for kind in (FIRST, RESOLUTION):
        due_at = _due_of(after, kind)
        was = before is not None and running(before, kind) and _due_of(before, kind) == due_at
        if running(after, kind) and due_at is not None:
            if not was:
                change.save(due.timer(ctx, kind=kind, ref=after.ticket_id, due_at=due_at,
                                      payload={"due": due_at.isoformat()}))
        elif before is not None and running(before, kind):
            change.delete(due.timer(ctx, kind=kind, ref=after.ticket_id, due_at=db.utcnow()))


def count(ctx: TenantContext, change: db.Change, ticket: Ticket, at: datetime, **amounts: int) -> None:
    """Add numbers to the company's day's counters (``at`` on the company's clock) of the ticket's assignee,
    priority and channel, in change."""
    if not any(amounts.values()):
        return
    day = zones.company_day(ctx, at).isoformat()
    item = TicketStats(stats_pk(ctx), f"{day}#{ticket.owner_id or '-'}#{ticket.priority}#{ticket.channel}", day=day,
                       owner_id=ticket.owner_id, team_id=ticket.team_id, priority=ticket.priority,
                       channel=ticket.channel)
    change.add(item, **amounts)


def on_time(done: datetime | None, due_at: datetime | None) -> int:
    """1 when something done was done by its due time."""
    return int(done is not None and (due_at is None or done <= due_at))
