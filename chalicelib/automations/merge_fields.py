"""Merge fields of the texts a rule sends a customer (``send_message``'s text and template parameters,
``send_email``'s subject and text).

The person's fields are the campaigns' (``{first_name}``, ``{last_name}``, ``{name}``: ``campaigns.content``,
replaced as text, never ``str.format``), ``{title}`` is the record's title or name as before; a rule on a task
(``task.due_soon``, ``task.overdue``, a task created or changed) knows the task's too: ``{task}`` its title,
``{date}``, ``{time}`` and ``{when}`` its due time on the company's clock in the company's language ("8 декабря",
"14:00", and "завтра в 14:00" or "8 декабря в 14:00"; "December 8", "2:00 PM", "tomorrow at 2:00 PM" for a US
company, day before month and 24-hour elsewhere; the year only when it is not this one),
``{assignee}`` the name of whom it is assigned to, ``{place}`` where it happens (a showing's address; empty when
not given). What is written as a field but is none (``{имя}``, ``{date}``
in a rule on a deal) is refused when the rule is saved (422 ``unknown_merge_field``, as a campaign's text is): it
would reach every customer as written. Days and times are said as ``identity.moments`` says them everywhere the
server writes one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.automations.actions import Subject
from chalicelib.automations.models import AutomationRun
from chalicelib.campaigns import content
from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.identity import moments, zones
from chalicelib.identity import service as identity_service
from chalicelib.tasks import service as tasks_service

RECORD_FIELDS = (*content.FIELDS, "title")
TASK_FIELDS = ("task", "date", "time", "when", "assignee", "place")
TASK_TRIGGERS = frozenset({"task.due_soon", "task.overdue"})
DAYS = {"en": ("today", "tomorrow"), "ru": ("сегодня", "завтра")}
AT = {"en": "at", "ru": "в"}


def known(trigger: dict[str, Any]) -> tuple[str, ...]:
    """The merge fields a rule's texts may use: the task's too when the rule is about a task."""
    about_task = trigger.get("type") in TASK_TRIGGERS or (
        str(trigger.get("type", "")).startswith("record.") and trigger.get("entity") == "task")
    return (*RECORD_FIELDS, *TASK_FIELDS) if about_task else RECORD_FIELDS


def _texts(action: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    if action.get("type") == "send_email":
        return {(name,): str(action.get(name) or "") for name in ("subject", "text")}
    if action.get("type") != "send_message":
        return {}
    found: dict[tuple[Any, ...], str] = {("text",): str(action.get("text") or "")}
    for i, parameter in enumerate((action.get("template") or {}).get("parameters") or []):
        found[("template", "parameters", i)] = str(parameter)
    return found


def check(trigger: dict[str, Any], actions: list[dict[str, Any]]) -> None:
    """Refuse a customer's text with a field that is none (422 ``unknown_merge_field``), naming where it is."""
    fields = known(trigger)
    for index, action in enumerate(actions):
        for loc, text in _texts(action).items():
            unknown = content.unknown_fields(text, fields)
            if unknown:
                message = f"{unknown[0]} is not a merge field here: use " + ", ".join(f"{{{f}}}" for f in fields)
                raise errors.ValidationError(message, code="unknown_merge_field", details=[
                    {"loc": ["body", "actions", index, *loc], "msg": message, "type": "unknown_merge_field",
                     "ctx": {"field": unknown[0]}}])


def due_words(ctx: TenantContext, moment: datetime, *, now: datetime | None = None) -> dict[str, str]:
    """A due time as ``date``, ``time`` and ``when`` on the company's clock and in its language (``identity.moments``),
    "today" and "tomorrow" as of now: the due run's clock while a timer fires."""
    language = moments.language(ctx)
    today = zones.company_time(ctx, now or due.moment()).date()
    day, clock = moments.day_and_time(ctx, moment, this_year=today.year)
    shift = (zones.company_time(ctx, moment).date() - today).days
    near = DAYS[language][shift] if shift in (0, 1) else None
    when = f"{near} {AT[language]} {clock}" if near else (
        f"{'on ' if language == 'en' else ''}{day} {AT[language]} {clock}")
    return {"date": day, "time": clock, "when": when}


def values(ctx: TenantContext, run: AutomationRun, subject: Subject, contact: Any) -> dict[str, str]:
    """What each merge field of the run reads: the contact's names, the record's title, the task's fields."""
    person = content.person_of(contact) if contact is not None else {}
    first, last = str(person.get("first_name") or ""), str(person.get("last_name") or "")
    found = {"first_name": first, "last_name": last, "name": " ".join(p for p in (first, last) if p),
             "title": subject.title or " ".join(p for p in (first, last) if p)}
    task_id = run.task_id or (subject.id if subject.type == "task" else None)
    task = tasks_service.get(ctx, str(task_id)) if task_id else None
    if task is not None:
        assignee = identity_service.get_user(ctx, task.assignee_id)
        found.update({"task": str(task.title), "assignee": str(assignee.name) if assignee is not None else "",
                      "date": "", "time": "", "when": "", "place": str(task.location or "")})
        if task.due_at is not None:
            found.update(due_words(ctx, task.due_at))
    return found


def fill(text: str, found: dict[str, str]) -> str:
    """A text with its merge fields replaced (a field without a value: its default, ``{place|our office}``, or
    empty)."""
    return content.fill(text, found, (*RECORD_FIELDS, *TASK_FIELDS))
