"""Triggers that wait: ``deal.idle`` (an open deal nobody changed for N days), ``date.reached`` (a date field
of a contact or deal, a birthday every year, at an offset and a time of day in the company's time zone) and
``task.overdue`` by N minutes (when due, the task's own overdue timer runs the rules: ``engine.task_overdue``) and
``task.due_soon`` N minutes before a task's due time (an appointment's reminder to the client).

Both ride the due timers (``automation.wait``, one per rule and record): the feed arms or moves a rule's timer
with every change of a record it watches (only a change newer than the one that set it wins), and drops it
when the record closes or loses its date. When it fires, the record is read again: a deal changed since, or a
date changed, runs nothing (their own timers stand for them). A yearly date arms next year's when it has run.

``task.due_soon``: a task made, moved or reopened arms the rule's timer at its due time less the minutes; one whose
moment has passed but which is not yet due (a visit booked an hour ahead for a rule of two hours) is armed for
now, so the next due run reminds at once; one already due, done or deleted drops it. The run happens once per
rule, task and due time (its event id names the due time: a task moved and moved back, or reopened, does not
remind twice), only while the task is open, still due then and not yet due. Its subject is the contact the task
is about (a deal's first contact), so ``send_message`` writes to the client; the task rides on the run
(``task_id``) for the merge fields. A task about no contact runs with the task as subject, and its message fails
as ``no_contact`` in the run log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.automations import engine, service
from chalicelib.automations.actions import Subject
from chalicelib.automations.models import Automation
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.events.feed import DomainEvent
from chalicelib.notifications.service import company_zone

KIND = "automation.wait"


def _ref(rule: Automation, record_id: str) -> str:
    return f"{rule.rule_id}.{record_id}"


def _date_of(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def next_time(ctx: TenantContext, trigger: dict[str, Any], value: date, *, after: datetime) -> datetime | None:
    """When a date trigger fires next for a record's date (None: it has passed and does not repeat)."""
    zone = company_zone(ctx)
    hour, minute = (int(part) for part in str(trigger.get("at") or "10:00").split(":"))
    offset = timedelta(days=int(trigger.get("offset_days") or 0))
    years = [value.year] if not trigger.get("yearly") else [after.year - 1, after.year, after.year + 1]
    for year in years:
        try:
            day = value.replace(year=year)
        except ValueError:  # the 29th of February in a common year: the 28th
            day = value.replace(year=year, day=28)
        moment = datetime.combine(day + offset, time(hour, minute), tzinfo=zone).astimezone(UTC)
        if moment > after:
            return moment
    return None


def _value(state: dict[str, Any], field: str) -> Any:
    if field.startswith("custom."):
        return (state.get("custom") or {}).get(field.split(".", 1)[1])
    return state.get(field)


Timing = tuple[datetime, dict[str, Any]]  # when a rule's timer for a record is due, and its payload


def _idle_timing(rule: Automation, subject: Subject) -> Timing | None:
    trigger = rule.trigger or {}
    if subject.state.get("status") != "open" or trigger.get("pipeline_id") not in (None, subject.state.get(
            "pipeline_id")):
        return None
    # The idle clock starts at the deal's own last change, so the feed and a sweep arm one due time for one state
    # (a rule switched off and on again finds the run it made and makes no second).
    since = subject.state.get("updated_at")
    since = since if isinstance(since, datetime) else db.utcnow()
    return since + timedelta(days=int(trigger["days"])), {"since": since.isoformat()}


def _date_timing(ctx: TenantContext, rule: Automation, subject: Subject) -> Timing | None:
    trigger = rule.trigger or {}
    value = _date_of(_value(subject.state, str(trigger.get("field"))))
    moment = next_time(ctx, trigger, value, after=db.utcnow()) if value is not None else None
    return (moment, {"value": value.isoformat()}) if moment is not None and value is not None else None


def _open_due(subject: Subject) -> datetime | None:
    due_at = subject.state.get("due_at")
    return due_at if subject.state.get("done_at") is None and isinstance(due_at, datetime) else None


def _overdue_timing(rule: Automation, subject: Subject) -> Timing | None:
    due_at = _open_due(subject)
    if due_at is None:
        return None
    return due_at + timedelta(minutes=int((rule.trigger or {})["minutes"])), {"value": due_at.isoformat()}


def _of_kind(rule: Automation, task: Subject) -> bool:
    """Whether a task is of a kind the rule reminds of (a reminder for meetings says nothing of a call-back)."""
    kinds = (rule.trigger or {}).get("task_kinds")
    return not kinds or task.state.get("task_kind") in kinds


def _due_soon_timing(rule: Automation, subject: Subject) -> Timing | None:
    due_at, now = _open_due(subject), db.utcnow()
    if due_at is None or due_at <= now or not _of_kind(rule, subject):
        return None
    planned = due_at - timedelta(minutes=int((rule.trigger or {})["minutes_before"]))
    return max(planned, now), {"value": due_at.isoformat()}


def timing(ctx: TenantContext, rule: Automation, subject: Subject | None) -> Timing | None:
    """When the rule's timer for a record in its present state is due, with its payload (None: it waits on nothing:
    closed, done, dated nowhere, past)."""
    kind = (rule.trigger or {}).get("type")
    if subject is None:
        return None
    found: Timing | None = None
    if kind == "deal.idle":
        found = _idle_timing(rule, subject)
    elif kind == "date.reached":
        found = _date_timing(ctx, rule, subject)
    elif kind == "task.overdue":
        found = _overdue_timing(rule, subject)
    elif kind == "task.due_soon":
        found = _due_soon_timing(rule, subject)
    if found is None:
        return None
    due_at, payload = found
    return due_at, {"rule_id": rule.rule_id, "subject_type": subject.type, "subject_id": subject.id,
                    "mark": service.trigger_mark(rule.trigger or {}), **payload}


def _set(ctx: TenantContext, rule: Automation, record_id: str, found: Timing, seq: int) -> bool:
    due_at, payload = found
    return due.set_timer(ctx, kind=KIND, ref=_ref(rule, record_id), due_at=due_at, seq=seq, payload=payload)


def arm_record(ctx: TenantContext, rule: Automation, subject: Subject, *, seq: int) -> bool:
    """Arm or move the rule's timer for a record as it is now, as the feed does for its change (a sweep's step:
    ``seq`` is the record's version); False when it waits on nothing or a newer change of it set the timer."""
    found = timing(ctx, rule, subject)
    return found is not None and _set(ctx, rule, str(subject.id), found, seq)


def _concerns(rule: Automation, event: DomainEvent) -> bool:
    """True when the event changed what the rule's timer for its record depends on."""
    trigger = rule.trigger or {}
    kind = trigger.get("type")
    if kind == "deal.idle":
        return event.entity == "deal"  # any change of a deal is activity
    if kind == "date.reached":
        top = str(trigger.get("field")).split(".", 1)[0]
        return trigger.get("entity") == event.entity and (event.created or event.changed(top)
                                                           or event.action in {"delete", "trash", "purge"})
    if kind in ("task.overdue", "task.due_soon") and event.entity == "task":
        if kind == "task.overdue" and not trigger.get("minutes"):
            return False  # overdue when due rides the task's own overdue timer (engine.task_overdue)
        return event.created or event.action == "delete" or any(event.changed(f) for f in ("due_at", "done_at"))
    return False


def arm(ctx: TenantContext, event: DomainEvent, rules: list[Automation]) -> None:
    """Arm, move or drop the waiting rules' timers for the record an event changed (read once for them all)."""
    concerned = [rule for rule in rules if _concerns(rule, event)]
    if not concerned:
        return
    subject = engine.subject_of(ctx, event.entity, event.entity_id)
    for rule in concerned:
        found = timing(ctx, rule, subject)
        if found is None:
            due.cancel(ctx, kind=KIND, ref=_ref(rule, event.entity_id), seq=event.seq)
        else:
            _set(ctx, rule, event.entity_id, found, event.seq)


def fire(ctx: TenantContext, timer: DueTimer) -> None:
    """A waiting rule's time came: run it if the record is as it was when the timer was set."""
    payload = timer.payload or {}
    rule = service.get(ctx, str(payload.get("rule_id") or ""))
    if rule is None or not rule.enabled:
        return
    trigger = rule.trigger or {}
    if payload.get("mark") not in (None, service.trigger_mark(trigger)):
        return  # armed for the rule's trigger before it changed (its sweep armed what the new one waits on)
    subject_type, subject_id = str(payload.get("subject_type")), str(payload.get("subject_id"))
    subject = engine.subject_of(ctx, subject_type, subject_id)
    if subject is None:
        return
    if trigger.get("type") == "deal.idle":
        changed = subject.state.get("updated_at")
        if subject.state.get("status") != "open" or (isinstance(changed, datetime)
                                                     and changed.isoformat() > str(payload.get("since"))):
            return  # closed, or changed since (its own timer stands for that change)
    elif trigger.get("type") == "date.reached":
        value = _date_of(_value(subject.state, str(trigger.get("field"))))
        if value is None or value.isoformat() != payload.get("value"):
            return
    elif trigger.get("type") == "task.overdue":
        due_at = subject.state.get("due_at")
        if subject.state.get("done_at") is not None or not isinstance(due_at, datetime) \
                or due_at.isoformat() != payload.get("value"):
            return  # done, or its due time moved (its newer timer stands for it)
    elif trigger.get("type") == "task.due_soon":
        _remind(ctx, rule, timer, subject)
        return
    else:
        return
    happening = engine.Happening(str(trigger["type"]), {}, subject_type, subject_id)
    engine.start(ctx, rule, event_id=f"wait-{timer.ref}-{timer.due_at.isoformat()}", happening=happening,
                 at=timer.due_at)
    if trigger.get("type") == "date.reached" and trigger.get("yearly") and value is not None:
        following = next_time(ctx, trigger, value, after=timer.due_at + timedelta(minutes=1))
        if following is not None:
            due.set_timer(ctx, kind=KIND, ref=timer.ref, due_at=following, payload=dict(payload))


def task_contact(ctx: TenantContext, task: Subject) -> str | None:
    """The contact a task is about: its own, or its deal's first contact (None: it is about neither)."""
    kind, record_id = task.state.get("related_type"), task.state.get("related_id")
    if kind == "contact" and record_id:
        return str(record_id)
    if kind == "deal" and record_id:
        deal = engine.subject_of(ctx, "deal", str(record_id))
        contacts = deal.state.get("contact_ids") if deal is not None else None
        return str(contacts[0]) if contacts else None
    return None


def _remind(ctx: TenantContext, rule: Automation, timer: DueTimer, task: Subject) -> None:
    """A task's reminder is due: the rule runs for its contact, once per due time, while the task is open and not
    yet due (a due run far behind does not remind of what has begun)."""
    due_at = task.state.get("due_at")
    if task.state.get("done_at") is not None or not isinstance(due_at, datetime) \
            or due_at.isoformat() != (timer.payload or {}).get("value") or due_at <= due.moment() \
            or not _of_kind(rule, task):
        return  # done, moved (its newer timer stands for it), already due, or now of another kind
    contact_id = task_contact(ctx, task)
    subject = ("contact", contact_id) if contact_id is not None else ("task", str(task.id))
    happening = engine.Happening("task.due_soon", {"task_id": task.id}, *subject)
    planned = due_at - timedelta(minutes=int((rule.trigger or {})["minutes_before"]))
    engine.start(ctx, rule, event_id=f"soon-{task.id}-{due_at.isoformat()}", happening=happening, at=planned)
