"""Notifications from the domain-event feed, and the timers of task reminders and overdue checks.

- a task (created, due time, assignee or done changed, deleted): its reminder timer (the assignee's
  ``reminder_minutes`` before due) and its overdue timer (at due) are set or dropped, each only by a change
  newer than the one that set it (the audit record's seq); a task a person gave to a colleague (made for them,
  or reassigned): ``task.assigned`` (not one made by a line, a form or an automation, which say so their own way);
- a deal whose owner became someone other than who made the change: ``deal.assigned`` to the new owner
  (a lead from a form or a call is assigned by its integration); a ticket likewise: ``ticket.assigned``;
- a call that ended missed: ``call.missed`` to its employee, else the one responsible; marked read when the
  provider's late end says a call its timer took for missed was answered after all;
- a caller, a chat's sender or a website lead not saved as a contact (the plan's contact limit):
  ``call.contact_skipped``, ``conversation.contact_skipped`` or ``lead.contact_skipped`` to whoever sees the
  company's plan (owners, administrators), once a company day whichever came first;
- a note whose text names a user as ``@<user id>`` (not in the text before): ``note.mention`` to that user;
- a customer's message (a conversation's change that moves ``last_inbound_at``): ``message.received`` to the
  conversation's assignee, once per message (its time is the cause), unless they wrote it themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.calls.models import Call
from chalicelib.core import db, errors, permissions, phones
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals.models import Deal
from chalicelib.due import service as due
from chalicelib.events.feed import DomainEvent
from chalicelib.identity import access as identity_access
from chalicelib.identity import service as identity_service
from chalicelib.identity import zones
from chalicelib.identity.models import User
from chalicelib.inbox.pipeline import AUDIT_ENTITY
from chalicelib.notifications import service
from chalicelib.records import access as records_access
from chalicelib.tasks import service as tasks_service

REMINDER, OVERDUE = "task.reminder", "task.overdue"
CONTACTS_FULL = "call.contact_skipped"  # the type the contacts limit's daily notice counts under, whatever met it
TASK_FIELDS = ("due_at", "assignee_id", "done_at")
MENTION = re.compile(r"@([0-9A-HJKMNP-TV-Z]{26})\b")


def _item(ctx: TenantContext, event: DomainEvent, model: type[db._M]) -> db._M | None:
    if not (event.item_pk and event.item_sk):
        return None
    return db.get(ctx, model, event.item_pk, event.item_sk)


# -- tasks: the timers ------------------------------------------------------------------------


def _task(ctx: TenantContext, event: DomainEvent) -> None:
    if not (event.created or event.action == "delete" or any(event.changed(name) for name in TASK_FIELDS)):
        return
    task = tasks_service.get(ctx, event.entity_id)
    given = _given(event, "assignee_id") if event.actor_kind == "user" else None
    if given is not None and task is not None and task.done_at is None:
        service.notify(ctx, user_id=given, type="task.assigned", cause=event.event_id, at=event.at,
                       subject_type="task", subject_id=event.entity_id, title=task.title, actor_id=event.actor_id)
    if task is None or task.done_at is not None or task.due_at is None:
        for kind in (REMINDER, OVERDUE):
            due.cancel(ctx, kind=kind, ref=event.entity_id, seq=event.seq)
        return
    set_task_timers(ctx, task_id=task.task_id, due_at=task.due_at, assignee_id=task.assignee_id, seq=event.seq)


def set_task_timers(ctx: TenantContext, *, task_id: str, due_at: datetime, assignee_id: str, seq: int) -> None:
    """The reminder (the assignee's minutes before due, or now when that has passed) and the overdue check."""
    minutes = int(service.get_settings(ctx, assignee_id).reminder_minutes)
    payload = {"due_at": due_at.isoformat()}
    remind_at = due_at - service.minutes(minutes)
    if due_at > db.utcnow():
        due.set_timer(ctx, kind=REMINDER, ref=task_id, due_at=max(remind_at, db.utcnow()), payload=payload, seq=seq)
    else:
        due.cancel(ctx, kind=REMINDER, ref=task_id, seq=seq)
    due.set_timer(ctx, kind=OVERDUE, ref=task_id, due_at=due_at, payload=payload, seq=seq)


# -- deals, calls, notes ----------------------------------------------------------------------


def _given(event: DomainEvent, field: str = "owner_id") -> str | None:
    """Who a record was given to by someone else (its owner, or a task's assignee, changed to another than whoever
    changed it), or None."""
    owner = event.after(field)
    if not event.changed(field) or not owner or owner == event.actor_id:
        return None
    return str(owner)


def _tell_given(ctx: TenantContext, event: DomainEvent, *, title_field: str, read: Callable[[], Any]) -> None:
    """``<entity>.assigned`` to whom a record was given by someone else, named by its title (the audited one, else
    the record's as read)."""
    owner = _given(event)
    if owner is None:
        return
    title = event.after(title_field)
    if title is None:
        found = read()
        title = getattr(found, title_field, None) if found is not None else None
    service.notify(ctx, user_id=owner, type=f"{event.entity}.assigned", cause=event.event_id, at=event.at,
                   subject_type=event.entity, subject_id=event.entity_id, title=title, actor_id=event.actor_id)


def _deal(ctx: TenantContext, event: DomainEvent) -> None:
    _tell_given(ctx, event, title_field="title", read=lambda: _item(ctx, event, Deal))


def _ticket(ctx: TenantContext, event: DomainEvent) -> None:
    """A ticket made for a colleague or reassigned to them: ``ticket.assigned`` (not one a person takes themselves)."""
    from chalicelib.tickets import service as tickets_service

    _tell_given(ctx, event, title_field="subject", read=lambda: tickets_service.get(ctx, event.entity_id))


def _call(ctx: TenantContext, event: DomainEvent) -> None:
    if event.before("status") == "missed" and event.after("status") == "answered":
        _answered_after_all(ctx, event)
    if event.after("contact_skipped") == "plan_limit":
        call = _item(ctx, event, Call)
        if call is not None:  # the first such call of the day names the number; the Calls screen marks them all
            _contacts_full(ctx, event, type="call.contact_skipped", subject_type="call", subject_id=call.call_id,
                           title=phones.readable(call.customer_number) if call.customer_number else None)
    if event.after("status") != "missed" or event.before("status") == "missed":
        return
    call = _item(ctx, event, Call)
    if call is None or call.direction != "inbound":
        return
    user_id = call.user_id or call.owner_id
    if user_id:  # the number as people read it, as the call-back task names it (the bell said +447911130002)
        number = phones.readable(call.customer_number) if call.customer_number else None
        service.notify(ctx, user_id=user_id, type="call.missed", cause=event.event_id, at=event.at,
                       subject_type="call", subject_id=call.call_id, title=number, actor_id=event.actor_id)


def _answered_after_all(ctx: TenantContext, event: DomainEvent) -> None:
    """A call taken for missed (its timer closed it) that its provider's late end says was answered: its
    ``call.missed`` notification is marked read (kept: what the bell said stays in the list), so the bell no longer
    counts a missed call nobody missed. Its recipient was the call's employee then, else the one responsible."""
    call = _item(ctx, event, Call)
    if call is None:
        return
    then = (event.before("user_id") if event.changed("user_id") else call.user_id) or (
        event.before("owner_id") if event.changed("owner_id") else call.owner_id)
    for user_id in {str(who) for who in (then, call.user_id or call.owner_id) if who}:
        service.mark_read_about(ctx, user_id, type="call.missed", subject_id=call.call_id, since=call.created_at)


def _contacts_full(ctx: TenantContext, event: DomainEvent, *, type: str, subject_type: str, subject_id: str,
                   title: str | None) -> None:
    """A caller, a chat's sender or a website lead not saved as a contact because the plan's contact limit is
    reached: the company's administrators (whoever sees its plan) are told, once a company day whichever came first
    (the notification's id derives from the day, counted under ``CONTACTS_FULL`` whatever its type: a day with a
    call and a chat is one notice, naming the first)."""
    day = zones.company_day(ctx, event.at)
    for user_id in _plan_readers(ctx):
        service.notify(ctx, user_id=user_id, type=type, cause=f"contacts-full:{day}", at=event.at,
                       cause_at=datetime.fromisoformat(f"{day}T00:00:00+00:00"), once_as=CONTACTS_FULL,
                       subject_type=subject_type, subject_id=subject_id, title=title, actor_id=event.actor_id)


def _lead(ctx: TenantContext, event: DomainEvent) -> None:
    """A website lead processed without a contact (its event's outcome says why): its deal is the notice's subject."""
    outcome = event.after("outcome") if event.after("status") == "processed" else None
    if not isinstance(outcome, dict) or outcome.get("contact_skipped") != "plan_limit" or not outcome.get("deal_id"):
        return
    from chalicelib.deals import service as deals_service

    deal = deals_service.get(ctx, str(outcome["deal_id"]))
    _contacts_full(ctx, event, type="lead.contact_skipped", subject_type="deal", subject_id=str(outcome["deal_id"]),
                   title=deal.title if deal is not None else None)


def _plan_readers(ctx: TenantContext) -> list[str]:
    """The active users whose role sees the company's plan and usage (billing:read: owners and administrators), who
    can raise the limit or make room (the Calls screen shows them the way to the plan)."""
    with db.translate_errors():
        users = [user for user in User.query(identity_service.users_pk(ctx)) if isinstance(user, User)]
    return sorted(user.user_id for user in users if user.status == "active"
                  and permissions.scope_of(_as_role(ctx, user.role), "billing", "read") is not None)


def _as_role(ctx: TenantContext, role: str) -> TenantContext:
    held = identity_access.role_permissions(ctx, role) or frozenset()
    return TenantContext(tenant_id=ctx.tenant_id, role=role, permissions=held)


def _conversation(ctx: TenantContext, event: DomainEvent) -> None:
    if not (event.after("last_inbound_at") or event.after("contact_skipped")):
        return
    from chalicelib.conversations.models import Conversation
    from chalicelib.messaging import threads

    conversation = _item(ctx, event, Conversation)
    if event.after("contact_skipped") == "plan_limit":  # named as the inbox names its sender
        name = threads.preview_of(ctx, conversation, event.entity_id)[1] if conversation else None
        _contacts_full(ctx, event, type="conversation.contact_skipped", subject_type="conversation",
                       subject_id=event.entity_id, title=name)
    if not event.after("last_inbound_at"):
        return
    owner = event.after("owner_id") if event.changed("owner_id") else None
    if owner is None:
        owner = conversation.owner_id if conversation is not None else None
    if owner and owner != event.actor_id:
        # Who wrote and their first words, as the inbox lists them (sealed again in the notification).
        preview, name = threads.preview_of(ctx, conversation, event.entity_id) if conversation else (None, None)
        service.notify(ctx, user_id=str(owner), type="message.received", cause=event.event_id, at=event.at,
                       subject_type="conversation", subject_id=event.entity_id, title=name, excerpt=preview,
                       actor_id=event.actor_id)


def mentioned(text: str | None) -> set[str]:
    """The user ids a note's text names (``@<user id>``)."""
    return set(MENTION.findall(text or ""))


def _note(ctx: TenantContext, event: DomainEvent) -> None:
    if not event.changed("text"):
        return
    text = event.after("text")
    fresh = mentioned(text) - mentioned(event.before("text")) - {event.actor_id}
    subject_type = event.after("subject_type") or event.before("subject_type")
    subject_id = event.after("subject_id") or event.before("subject_id")
    for user_id in sorted(fresh):
        if subject_type and subject_id and not may_read(ctx, user_id, str(subject_type), str(subject_id)):
            continue  # a note on a record the user may not see tells them nothing of it
        service.notify(ctx, user_id=user_id, type="note.mention", cause=event.event_id, at=event.at,
                       subject_type=subject_type, subject_id=subject_id, excerpt=_named(ctx, text or ""),
                       actor_id=event.actor_id)


def _named(ctx: TenantContext, text: str) -> str:
    """A note's text with each mention as "@Name" (the user as called now; "@" alone for one no longer there)."""
    def name(found: re.Match[str]) -> str:
        user = identity_service.get_user(ctx, found.group(1))
        return f"@{user.name}" if user is not None else "@"

    return MENTION.sub(name, text)


def may_read(ctx: TenantContext, user_id: str, subject_type: str, subject_id: str) -> bool:
    """True when the user (by their role and team now) may read notes and the record they are on."""
    user = identity_service.get_user(ctx, user_id)
    held = identity_access.role_permissions(ctx, user.role) if user is not None else None
    if user is None or user.status != "active" or held is None:
        return False
    as_user = TenantContext(tenant_id=ctx.tenant_id, actor_id=user_id, actor_kind="user", role=user.role,
                            team_id=user.team_id, permissions=held)
    if permissions.scope_of(as_user, "notes", "read") is None:
        return False
    try:
        records_access.require_visible(as_user, subject_type, subject_id, loc=["subject", "id"])
    except errors.CRMError:
        return False
    return True


HANDLERS: dict[str, Callable[[TenantContext, DomainEvent], None]] = {
    "task": _task, "deal": _deal, "call": _call, "note": _note, "conversation": _conversation, "ticket": _ticket,
    AUDIT_ENTITY: _lead,  # a website lead's event, processed
}


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Notify whom an event concerns (at most once per event and user), and keep task timers in step."""
    handler = HANDLERS.get(event.entity)
    if handler is not None:
        handler(ctx, event)
