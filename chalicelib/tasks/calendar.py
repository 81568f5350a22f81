"""Tasks by day: the week (or any run of up to 42 days) on the company's clock, and the calendar feed's events.

A run of days is two ranges of the index a list reads (open tasks, then done ones, by due time: ``A#<due>`` and
``D#<due>``), so a week of one user's tasks, or of everyone's the caller may read, is two Queries of at most
``db.MAX_PAGE`` tasks each; a run holding more says ``truncated`` rather than page (a calendar draws its days at
once). Undated tasks have no day and are not in a run. The feed (``identity.feeds``) is the holder's own tasks from
a month back to a year ahead, written as iCalendar events (RFC 5545) by the ``icalendar`` library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.core import db, errors, mail, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import zones
from chalicelib.tasks.models import DONE, OPEN, Task, assignee_pk, due_pk, stamp

MAX_DAYS = 42  # six weeks: a month as a calendar draws it
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=366)
EVENT_MINUTES = {"meeting": 60, "call": 15, "email": 15, "todo": 30}  # a task has a due time, not a length
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Run:
    """The tasks due in a run of days, by due time, and whether there were more than one answer holds."""

    start: datetime
    end: datetime
    tasks: list[Task]
    truncated: bool


def days(ctx: TenantContext, first: date | None, count: int, *, assignee_id: str | None = None,
         everyone: bool = False) -> Run:
    """The tasks due on count days from first (the company's days; today when None), one user's (the caller's by
    default) or everyone's the caller may read; open and done alike."""
    scope = permissions.require(ctx, "tasks", "read")
    if everyone and assignee_id:
        raise errors.ValidationError(details=[{"loc": ["query", "everyone"], "msg": "Everyone's tasks or one user's",
                                               "type": "invalid_filter"}])
    if not 1 <= count <= MAX_DAYS:
        raise errors.ValidationError(details=[{"loc": ["query", "days"], "msg": f"From 1 to {MAX_DAYS} days",
                                               "type": "invalid_period"}])
    zone = zones.company_zone(ctx)
    first = first or db.utcnow().astimezone(zone).date()
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=count), time.min, tzinfo=zone).astimezone(UTC)
    assignee = assignee_id or ctx.actor_id
    if scope == "own" and (everyone or assignee != ctx.actor_id):
        if everyone:  # one who reads only their own tasks has no one else's: their own, as the list does
            return _run(ctx, scope, start, end, assignee=ctx.actor_id)
        return Run(start=start, end=end, tasks=[], truncated=False)
    return _run(ctx, scope, start, end, assignee=None if everyone else assignee)


def _run(ctx: TenantContext, scope: str, start: datetime, end: datetime, *, assignee: str | None,
         done_until: datetime | None = None) -> Run:
    found: list[Task] = []
    truncated = False
    for letter, until in ((OPEN, end), (DONE, min(end, done_until or end))):
        if until <= start:
            continue
        sk = Task.gsi2sk if assignee is None else Task.gsi1sk
        page = db.query_page(
            ctx, Task, due_pk(ctx) if assignee is None else assignee_pk(ctx, assignee), limit=db.MAX_PAGE,
            scope=f"tasks-days:{assignee or '*'}:{letter}", index=Task.gsi2 if assignee is None else Task.gsi1,
            range_key_condition=sk.between(f"{letter}#{stamp(start)}", f"{letter}#{stamp(until - TICK)}~"),
            newest_first=False,
            keep=lambda task: permissions.may_touch(ctx, scope, owner_id=task.assignee_id, team_id=task.team_id))
        found += page.items
        truncated = truncated or page.next_cursor is not None
    found.sort(key=lambda task: (task.due_at or end, task.task_id))
    return Run(start=start, end=end, tasks=found, truncated=truncated)


def feed_tasks(ctx: TenantContext) -> Run:
    """The feed holder's own tasks due from a month back to a year ahead: open ones, and done ones until now."""
    scope = permissions.require(ctx, "tasks", "read")
    now = db.utcnow()
    return _run(ctx, scope, now - FEED_PAST, now + FEED_AHEAD, assignee=ctx.actor_id, done_until=now)


def ics(ctx: TenantContext, run: Run, *, calendar_name: str, names: dict[tuple[str, str], str]) -> bytes:
    """The run's tasks as an iCalendar of events, each at its due time, a done one marked so, each linking to its
    task in the CRM; names: the records the tasks are about that the holder may read (``tasks.related_names``)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//CRM//Tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-published-ttl", "PT1H")  # how often to read it again, as Outlook and Apple read the hint
    for task in run.tasks:
        if task.due_at is None:
            continue
        event = Event()
        event.add("uid", f"{task.task_id}@tasks.{ctx.tenant_id}.crm")
        event.add("dtstamp", task.updated_at or db.utcnow())
        event.add("dtstart", task.due_at.astimezone(UTC))
        event.add("dtend", task.due_at.astimezone(UTC) + timedelta(minutes=EVENT_MINUTES.get(task.task_kind, 30)))
        event.add("summary", f"✓ {task.title}" if task.done_at is not None else task.title)
        about = names.get((str(task.related_type), str(task.related_id))) if task.related_id else None
        words = [part for part in (about, task.description) if part]
        link = mail.link(f"/#/tasks?task={task.task_id}")
        event.add("description", "\n\n".join([*words, link]))
        event.add("url", link)
        if task.location:
            event.add("location", task.location)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT" if task.done_at is not None else "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
