"""Tickets: made by hand or from a message or a call, changed, moved through their statuses, answered.

Every write of a ticket commits, in one transaction, the ticket with its rows and audit record (the engine's
``store``), its SLA timers as its new state needs (``sla.timers``), the day's counters of what it did
(``sla.count``), its link on the contact's (or order's) card and its timeline entry.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.identity import service as identity_service
from chalicelib.identity import zones
from chalicelib.records import access, editing, links, listing, store, types
from chalicelib.records import service as records_service
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import search as field_search
from chalicelib.tickets import schemas as s
from chalicelib.tickets import sla
from chalicelib.tickets.models import Ticket, TicketRow, TicketSource
from chalicelib.tickets.record import TICKET, link_summary

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "pending", "resolved", "closed"}),
    "open": frozenset({"pending", "resolved", "closed"}),
    "pending": frozenset({"open", "resolved", "closed"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset({"open"}),
}
LINKED = (("contact_id", "contact"), ("order_id", "order"), ("conversation_id", "conversation"))
_ANSWERING: ContextVar[str | None] = ContextVar("ticket_answering", default=None)  # the ticket a reply is sent from


# -- reading ----------------------------------------------------------------------------------


def get(ctx: TenantContext, ticket_id: str) -> Ticket | None:
    """A live ticket of the tenant, or None (no permission check: for jobs and timers)."""
    found: Ticket | None = access.get(ctx, TICKET, ticket_id)
    return found


def get_or_raise(ctx: TenantContext, ticket_id: str, *, action: str = "read") -> Ticket:
    """A live ticket the caller may act on (404 / 403 as every record)."""
    found: Ticket = access.get_or_raise(ctx, TICKET, ticket_id, action=action)
    return found


class _Plan:
    """The engine's list query shape for the queue (the assignee filter is the owner partition)."""

    def __init__(self, query: s.TicketListQuery) -> None:
        self.tag, self.owner_id, self.q = query.tag, query.owner_id, None
        self.sort, self.order = ("created" if query.sort == "created" else "updated"), query.order
        self.limit, self.cursor = query.limit, query.cursor


def _filters(query: s.TicketListQuery) -> list[tuple[str, str]]:
    pairs = [("status", query.status), ("contact", query.contact_id), ("priority", query.priority),
             ("channel", query.channel), ("state", None if query.view == "all" else query.view)]
    return [(key, value) for key, value in pairs if value]


def list_tickets(ctx: TenantContext, query: s.TicketListQuery) -> db.Page[TicketRow]:
    """One page of the queue the caller may see, newest change first, filtered (one Query)."""
    if query.sort == "name":
        raise errors.ValidationError(details=[{"loc": ["query", "sort"], "msg": "Tickets are not sorted by name",
                                               "type": "unsortable"}])
    if query.q:  # the subject's words: the engine's search, the queue's filters applied to its rows
        page: db.Page[TicketRow] = field_search.list_records(ctx, TICKET, query.model_copy(update={"view": "all"}))
        wanted = dict(_filters(query))
        return db.Page(items=[row for row in page.items if _row_matches(row, wanted)], next_cursor=page.next_cursor)
    scope = permissions.require(ctx, TICKET.plural, "read")
    custom = _filters(query) + listing.custom_filters(query)
    plan = listing.plan(ctx, TicketRow, _Plan(query), scope, custom)
    return listing.list_rows(ctx, TicketRow, TICKET.space or "", plan)


def _row_matches(row: TicketRow, wanted: dict[str, str]) -> bool:
    values = {"status": row.status, "priority": row.priority, "channel": row.channel, "contact": row.contact_id,
              "state": "active" if row.status in ("new", "open", "pending") else "done"}
    return all(values.get(key) == value for key, value in wanted.items())


# -- writing ----------------------------------------------------------------------------------


def _check_links(ctx: TenantContext, fields: dict[str, Any]) -> None:
    """Each record a ticket names must be one the caller may read (404 naming the field); an order only once the
    order record type exists (422 until then)."""
    for name, type_name in LINKED:
        if fields.get(name):
            if types.find(type_name) is None:
                raise errors.ValidationError(details=[{"loc": ["body", name], "msg": f"No {type_name}s yet",
                                                       "type": "unknown_subject"}])
            access.require_visible(ctx, type_name, fields[name], loc=["body", name])


def _card_links(ctx: TenantContext, change: db.Change, before: Ticket | None, after: Ticket | None) -> None:
    """The ticket on the cards of its contact and order (where their types take ticket links), kept in step."""
    subject = after if after is not None else before
    assert subject is not None
    for name, type_name in LINKED:
        rtype = types.find(type_name)
        if rtype is None or "ticket" not in rtype.link_kinds:
            continue
        old = getattr(before, name, None) if before is not None and before.deleted_at is None else None
        new = getattr(after, name, None) if after is not None and after.deleted_at is None else None
        if old and old != new:
            links.unlink_item(ctx, change, type_name, subject_id=old, kind="ticket", ref_id=subject.ticket_id)
        if new and (new != old or link_summary(after) != link_summary(before)):  # type: ignore[arg-type]
            links.link_item(ctx, change, type_name, subject_id=new, kind="ticket", ref_id=subject.ticket_id,
                            summary=link_summary(after))  # type: ignore[arg-type]


def write(ctx: TenantContext, before: Ticket | None, after: Ticket, *, action: str, change: db.Change | None = None,
          counts: dict[str, int] | None = None, at: datetime | None = None) -> Ticket:
    """Write a ticket's change with its day counters (its timers and card links come with every write: ``save``)."""
    change = change or db.Change()
    sla.count(ctx, change, after, at or db.utcnow(), **(counts or {}))
    store.write(ctx, TICKET, before, after, action=action, change=change)
    return after


def save(ctx: TenantContext, before: Ticket | None, after: Ticket | None, *, action: str,
         change: db.Change | None = None) -> Ticket | None:
    """The type's ``save`` hook: every write of a ticket (the engine's trash and restore too) keeps its timers and
    its links on other cards in step, in its transaction."""
    change = change or db.Change()
    if after is not None:
        sla.pause_or_resume(ctx, before, after, db.utcnow())
        sla.timers(ctx, change, before, after)
    _card_links(ctx, change, before, after)
    saved: Ticket | None = store.save(ctx, TICKET, before, after, action=action, change=change)
    return saved


def create(ctx: TenantContext, data: s.TicketCreate, *, change: db.Change | None = None,
           made_from: dict[str, Any] | None = None, ticket_id: str | None = None) -> Ticket:
    """Open a ticket (assigned to the caller unless another assignee is given), its SLA clock started."""
    scope = permissions.require(ctx, TICKET.plural, "create")
    fields = data.model_dump(mode="json", exclude_unset=True, exclude=records_service.OWN_FIELDS)
    _check_links(ctx, fields)
    owner_id, team_id = editing.resolve_owner(ctx, data.owner_id, scope)
    ticket_id = ticket_id or new_id()
    now = db.utcnow()
    ticket = Ticket(access.collection_pk(ctx, TICKET, ticket_id), timeline_service.PROFILE_SK, ticket_id=ticket_id,
                    owner_id=owner_id, team_id=team_id, created_at=now, updated_at=now)
    TICKET.hooks["apply"](ctx, ticket, fields)
    for name, value in (made_from or {}).items():
        setattr(ticket, name, value)
    editing.apply_custom(ctx, TICKET, ticket, data.custom, new=True)
    sla.set_dues(ctx, ticket)
    change = db.Change().extend(change)
    timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="created",
                               summary="Ticket created", data={"channel": ticket.channel, **(made_from or {})})
    written = write(ctx, None, ticket, action="create", change=change, counts={"created": 1}, at=ticket.created_at)
    return hand_over(ctx, written, given=data.owner_id is not None and owner_id != ctx.actor_id)


def update(ctx: TenantContext, ticket_id: str, data: s.TicketUpdate) -> Ticket:
    """Change a ticket's subject, description, priority, assignee, links, tags or custom values; a new priority
    moves its due times (counted from its creation)."""
    before = get_or_raise(ctx, ticket_id, action="update")
    fields = data.model_dump(mode="json", exclude_unset=True, exclude=records_service.OWN_FIELDS)
    _check_links(ctx, {k: v for k, v in fields.items() if v != getattr(before, k, None)})
    after = editing.updating(ctx, TICKET, before, data)
    TICKET.hooks["apply"](ctx, after, fields)
    if "custom" in data.model_fields_set:
        editing.apply_custom(ctx, TICKET, after, data.custom, new=False)
    written = write(ctx, before, after, action="update")
    return hand_over(ctx, written, given=written.owner_id != before.owner_id)


def hand_over(ctx: TenantContext, ticket: Ticket, *, given: bool) -> Ticket:
    """A ticket given to someone (made for a colleague, or reassigned) hands them its conversation too, where the
    caller may assign it: the assignee answers the customer there and hears of their next message (an agent given a
    ticket could not open its thread, and its answer to the customer was refused as not found). Where the caller may
    not, the conversation stays. The ticket as written."""
    from chalicelib.conversations.schemas import AssignIn
    from chalicelib.messaging import service as messaging_service

    if not given or not ticket.conversation_id:
        return ticket
    try:
        conversation = messaging_service.get_conversation(ctx, str(ticket.conversation_id), action="update")
        if conversation.owner_id != ticket.owner_id:
            messaging_service.assign(ctx, conversation.conversation_id, AssignIn(
                version=int(conversation.version or 0), assignee_id=str(ticket.owner_id)))
    except (errors.NotFoundError, errors.ForbiddenError, errors.ConflictError, errors.ValidationError):
        pass
    return ticket


def set_status(ctx: TenantContext, ticket_id: str, data: s.StatusChange) -> Ticket:
    """Move a ticket to another status (only along ``TRANSITIONS``: 422 otherwise). Resolving stops the resolution
    clock (each resolve counts, judged by the due time of that moment); closing asks the customer for a rating (when
    the company asks); reopening counts a reopen and gives the clock the time it had left (none once breached)."""
    before = get_or_raise(ctx, ticket_id, action="update")
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
    return write(ctx, before, after, action="update", change=change, counts=counts, at=now)


def responded(ctx: TenantContext, ticket_id: str, *, at: datetime, change_of: Callable[[Ticket], db.Change],
              checked: bool = True) -> Ticket:
    """Record a staff answer on a ticket (a comment, a message): the first one stops the first-response clock and
    opens a new ticket. Retried on a concurrent change (the answer itself is already made). Unchecked, the answer
    was made elsewhere (the inbox) by someone who may not change tickets: it counts all the same."""
    for _ in range(3):
        before = get_or_raise(ctx, ticket_id, action="update") if checked else get(ctx, ticket_id)
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
            return write(ctx, before, after, action="update", change=change_of(after), counts=counts, at=at)
        except errors.VersionConflictError:
            continue
    raise errors.VersionConflictError()


def reply(ctx: TenantContext, ticket_id: str, data: s.ReplyIn) -> Ticket:
    """Answer a ticket: a comment on it, or a message to the customer on its conversation (sent first, then
    written, like every reply); either is a first response."""
    ticket = get_or_raise(ctx, ticket_id, action="update")
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
    their first response have it now (one Query of their rows); how many. Called by messaging by name."""
    from chalicelib.records.matching import key_segment

    pk = tenant_key(ctx, TICKET.space or "", "CF", key_segment("conversation"), key_segment(conversation_id))
    with db.translate_errors():
        waiting = [row.record_id for row in TicketRow.query(pk) if isinstance(row, TicketRow)
                   and row.first_response_at is None and row.status in ("new", "open", "pending")
                   and row.record_id != _ANSWERING.get()]
    for ticket_id in waiting:
        def change_of(after: Ticket, ticket_id: str = ticket_id) -> db.Change:
            change = db.Change()
            timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="reply",
                                       summary="Reply", data={"via": "conversation"}, at=at)
            return change

        responded(ctx, ticket_id, at=at, change_of=change_of, checked=False)
    return len(waiting)


def _conversation_rows(ctx: TenantContext, conversation_id: str) -> list[TicketRow]:
    from chalicelib.records.matching import key_segment

    pk = tenant_key(ctx, TICKET.space or "", "CF", key_segment("conversation"), key_segment(conversation_id))
    with db.translate_errors():
        return [row for row in TicketRow.query(pk) if isinstance(row, TicketRow)]


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
    for row in _conversation_rows(ctx, conversation_id):
        since = _waited_since(row)
        if since is not None and since < at and _reopen(ctx, row.record_id, at=at):
            moved += 1
    return moved


def _reopen(ctx: TenantContext, ticket_id: str, *, at: datetime) -> bool:
    """Open one ticket on the customer's message at ``at`` (retried on a concurrent change); False when it no longer
    waits since before then."""
    for _ in range(3):
        before = get(ctx, ticket_id)
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
            write(ctx, before, after, action="update", change=change, counts={"reopened": int(resolved)}, at=at)
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


def move_contact_link(ctx: TenantContext, change: db.Change, ticket_id: str, *, from_id: str, to_id: str,
                      keep_from: bool = False) -> bool:
    """Point a ticket at contact to_id instead of from_id (a contact merge or its undo), in change, with its rows
    (the queue's contact filter) and audit record; False when it names another contact. A ticket names one contact,
    so it moves even where a deal would keep both (``keep_from``). Its link items stay as the merge wrote them: the
    survivor's card holds a copy and the absorbed contact keeps its own, which an undo needs."""
    before = access.get_any(ctx, TICKET, ticket_id)  # a ticket in the trash follows the merge too
    if before is None or before.contact_id != from_id:
        return False
    after = editing.clone(before)
    after.contact_id = to_id
    store.stage(change, before, after)
    store.rewrite_rows(ctx, TICKET, change, before, after)
    store.attach_audit(ctx, TICKET, change, before, after, action="contact_merge")
    return True


# -- made from a message or a call ------------------------------------------------------------


def source_pk(ctx: TenantContext) -> str:
    """Partition of the messages and calls tickets were made from."""
    return tenant_key(ctx, "TKSRC")


def _existing(ctx: TenantContext, kind: str, source_id: str) -> Ticket | None:
    found = db.get(ctx, TicketSource, source_pk(ctx), f"{kind}#{source_id}")
    return get(ctx, found.ticket_id) if found is not None else None


def _made_once(ctx: TenantContext, kind: str, source_id: str,
               make: Callable[[db.Change, str], Ticket]) -> tuple[Ticket, bool]:
    existing = _existing(ctx, kind, source_id)
    if existing is not None:
        access.check_access(ctx, TICKET, existing)
        return existing, False
    ticket_id = new_id()
    change = db.Change().create(TicketSource(source_pk(ctx), f"{kind}#{source_id}", ticket_id=ticket_id))
    try:
        ticket = make(change, ticket_id)
    except errors.VersionConflictError:
        existing = _existing(ctx, kind, source_id)  # made by a concurrent click
        if existing is None:
            raise
        access.check_access(ctx, TICKET, existing)
        return existing, False
    return ticket, True


# A message without words (a photo, a voice note) names its ticket by its channel in the company's language.
MESSAGE_SUBJECTS = {"en": "Message by {channel}", "ru": "Сообщение: {channel}"}
CHANNEL_NAMES = {"en": {"whatsapp": "WhatsApp", "telegram": "Telegram", "sms": "SMS", "email": "e-mail"},
                 "ru": {"whatsapp": "WhatsApp", "telegram": "Telegram", "sms": "SMS", "email": "эл. почта"}}


def _wordless_subject(ctx: TenantContext, channel: str) -> str:
    locale = identity_service.company_locale(ctx)
    locale = locale if locale in MESSAGE_SUBJECTS else "en"
    return MESSAGE_SUBJECTS[locale].format(channel=CHANNEL_NAMES[locale].get(channel, channel))


def from_message(ctx: TenantContext, data: s.FromMessage) -> tuple[Ticket, bool]:
    """A ticket from a customer's message (one per message: a second click answers the first ticket), linked to
    the conversation and its contact, its subject an e-mail's subject or else the message's words, its description
    the message's words."""
    from chalicelib.messaging import threads

    conversation = access.require_visible(ctx, "conversation", data.conversation_id, loc=["body", "conversation_id"])
    message = threads.get_message(ctx, conversation.conversation_id, data.message_id)
    if message is None:
        raise errors.NotFoundError("No such message.", details=[{"loc": ["body", "message_id"],
                                                                 "msg": "No such message", "type": "not_found"}])
    text = (threads.text_of(ctx, message) or "").strip()
    mailed = " ".join((threads.mail_of(ctx, message).get("subject") or "").split())
    subject = (mailed or " ".join(text.split()))[:120] or _wordless_subject(ctx, conversation.channel)
    channel = conversation.channel if conversation.channel in ("whatsapp", "telegram", "sms", "email") else "web"

    def make(change: db.Change, ticket_id: str) -> Ticket:
        body = s.TicketCreate(subject=subject, description=text or None, channel=channel,  # type: ignore[arg-type]
                              priority=data.priority,
                              contact_id=conversation.contact_id, conversation_id=conversation.conversation_id)
        return create(ctx, body, change=change, made_from={"message_id": message.message_id}, ticket_id=ticket_id)

    return _made_once(ctx, "message", message.message_id, make)


# A call's ticket is named in the company's language and on its clock (it said "Call inbound ... UTC" to everyone).
CALL_SUBJECTS = {"en": ("Inbound call {at}", "Outbound call {at}"),
                 "ru": ("Входящий звонок {at}", "Исходящий звонок {at}")}


def _call_subject(ctx: TenantContext, direction: str | None, started: datetime) -> str:
    words = CALL_SUBJECTS.get(identity_service.company_locale(ctx), CALL_SUBJECTS["en"])
    return words[direction == "outbound"].format(at=f"{zones.company_time(ctx, started):%Y-%m-%d %H:%M}")


def from_call(ctx: TenantContext, data: s.FromCall) -> tuple[Ticket, bool]:
    """A ticket from a call (one per call), linked to the call's contact, on the phone channel."""
    call = access.require_visible(ctx, "call", data.call_id, loc=["body", "call_id"])
    subject = _call_subject(ctx, call.direction, call.started_at or call.created_at)

    def make(change: db.Change, ticket_id: str) -> Ticket:
        body = s.TicketCreate(subject=subject, channel="phone", priority=data.priority,
                              contact_id=call.contact_id)
        return create(ctx, body, change=change, made_from={"call_id": call.call_id}, ticket_id=ticket_id)

    return _made_once(ctx, "call", call.call_id, make)
