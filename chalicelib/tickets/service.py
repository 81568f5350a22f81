"""Tickets: reading the queue, making a ticket, changing it, handing it (and its conversation) to someone.

Every write of a ticket commits, in one transaction, the ticket with its rows and audit record (the engine's
``store``), its SLA timers as its new state needs (``sla.timers``), the day's counters of what it did
(``sla.count``), its link on the contact's (or order's) card and its timeline entry. The rest of the package builds
on ``write``: ``statuses`` (status changes, the customer's reopen), ``answers`` (replies and first responses),
``sources`` (one ticket per message or call), ``sla`` (the clock), ``csat`` (the rating).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.records import access, editing, links, listing, store, types
from chalicelib.records import service as records_service
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import search as field_search
from chalicelib.tickets import schemas as s
from chalicelib.tickets import sla
from chalicelib.tickets.models import Ticket, TicketRow
from chalicelib.tickets.record import TICKET, link_summary

LINKED = (("contact_id", "contact"), ("order_id", "order"), ("conversation_id", "conversation"))


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


def conversation_rows(ctx: TenantContext, conversation_id: str) -> list[TicketRow]:
    """The queue rows of the tickets on a conversation (one Query of its facet)."""
    from chalicelib.records.matching import key_segment

    pk = tenant_key(ctx, TICKET.space or "", "CF", key_segment("conversation"), key_segment(conversation_id))
    with db.translate_errors():
        return [row for row in TicketRow.query(pk) if isinstance(row, TicketRow)]


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
    given = data.owner_id is not None and owner_id != ctx.actor_id
    if given:
        _assigned(ctx, change, ticket, from_id=None)
    written = write(ctx, None, ticket, action="create", change=change, counts={"created": 1}, at=ticket.created_at)
    return hand_over(ctx, written, given=given)


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
    change = db.Change()
    if after.owner_id != before.owner_id:
        _assigned(ctx, change, after, from_id=before.owner_id)
    written = write(ctx, before, after, action="update", change=change)
    return hand_over(ctx, written, given=written.owner_id != before.owner_id)


def _assigned(ctx: TenantContext, change: db.Change, ticket: Ticket, *, from_id: str | None) -> None:
    """The ticket's history says whom it was given to (the entry's actor gave it): an agent handed a ticket saw only
    "Ticket opened" and could not tell who had asked them to take it."""
    timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket.ticket_id, kind="assigned",
                               summary="Assigned", data={"from": from_id, "to": ticket.owner_id})


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


def conversation_answered(ctx: TenantContext, conversation_id: str, *, at: datetime) -> int:
    """A staff reply went out on a conversation: ``answers.conversation_answered`` (messaging's REPLY_LISTENERS
    name this one)."""
    from chalicelib.tickets import answers

    return answers.conversation_answered(ctx, conversation_id, at=at)


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
