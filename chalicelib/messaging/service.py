"""Conversations through the API: the inbox, a thread, replies, starting one from a card, read, assign, close."""

from __future__ import annotations

import secrets as token_source
from datetime import timedelta
from typing import Any

from chalicelib.conversations import schemas as s
from chalicelib.conversations.models import BindCode, Conversation, ConversationRow, Message
from chalicelib.conversations.record import CONVERSATION, SEALED_ENTITY
from chalicelib.core import db, errors, permissions
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.identity import zones
from chalicelib.integrations import service as integrations_service
from chalicelib.messaging import mailing, processor, sealing, threads, views
from chalicelib.messaging.events import Sent, Template
from chalicelib.records import access, editing, listing, naming, store, types
from chalicelib.records import timeline as timeline_service

BIND_CODE_LIFETIME = timedelta(days=7)
UNREAD_COUNTED = 200  # the nav shows "200+" past this


# -- reading --------------------------------------------------------------------------------


class _Plan:
    """The engine's list query shape for the inbox: the assignee filter is the owner partition."""

    def __init__(self, query: s.ConversationListQuery) -> None:
        self.tag = None
        self.owner_id = query.assignee_id
        self.q = None
        self.sort = "updated"  # the rows' update order is the last message's time
        self.order = "desc"
        self.limit = query.limit
        self.cursor = query.cursor


def _filters(query: s.ConversationListQuery) -> list[tuple[str, str]]:
    unread = None if query.unread is None else ("1" if query.unread else "0")
    pairs = [("contact", query.contact_id), ("unread", unread), ("channel", query.channel), ("status", query.status)]
    return [(key, value) for key, value in pairs if value]


def list_conversations(ctx: TenantContext, query: s.ConversationListQuery) -> db.Page[dict[str, Any]]:
    """One page of the conversations the caller may see, newest message first, filtered (one Query)."""
    scope = permissions.require(ctx, CONVERSATION.plural, "read")
    plan = listing.plan(ctx, ConversationRow, _Plan(query), scope, _filters(query))
    page = listing.list_rows(ctx, ConversationRow, CONVERSATION.space or "", plan)
    hidden = views.hidden_contact_fields(ctx)
    return db.Page(items=[views.summary(ctx, row, hidden=hidden) for row in page.items], next_cursor=page.next_cursor)


def unread_count(ctx: TenantContext) -> dict[str, int]:
    """How many conversations the caller may see have unread messages (the nav's badge): one Query."""
    scope = permissions.require(ctx, CONVERSATION.plural, "read")
    query = s.ConversationListQuery(unread=True, limit=UNREAD_COUNTED, status="open")
    plan = listing.plan(ctx, ConversationRow, _Plan(query), scope, _filters(query))
    page = listing.list_rows(ctx, ConversationRow, CONVERSATION.space or "", plan)
    return {"conversations": len(page.items), "more": 1 if page.next_cursor else 0}


def get_conversation(ctx: TenantContext, conversation_id: str, *, action: str = "read") -> Conversation:
    """A conversation the caller may act on (404 like a missing one otherwise, 403 for the action)."""
    found: Conversation = access.get_or_raise(ctx, CONVERSATION, conversation_id, action=action)
    return found


def _line_and_contact(ctx: TenantContext, conversation: Conversation) -> tuple[Any, Any]:
    """The conversation's line and its contact, in the one read the line took alone: a BatchGetItem of both (each
    half an RRU, eventually consistent, where the line's GetItem was one consistent RRU). The contact is read
    whatever the caller's contacts scope, to tell whether they may open its card (its owner and team decide)."""
    from chalicelib.integrations.models import Integration
    from chalicelib.records.timeline import PROFILE_SK

    contact_type = types.find("contact")
    if not conversation.contact_id or contact_type is None or not is_valid_id(conversation.contact_id) \
            or not is_valid_id(conversation.integration_id):
        return integrations_service.get(ctx, conversation.integration_id), None
    line_key = (integrations_service.integrations_pk(ctx), conversation.integration_id)
    contact_key = (access.collection_pk(ctx, contact_type, conversation.contact_id), PROFILE_SK)
    found = db.get_many(ctx, [line_key, contact_key])
    line, contact = found.get(line_key), found.get(contact_key)
    return (line if isinstance(line, Integration) and line.status != "deleted" else None,
            contact if isinstance(contact, contact_type.model) else None)


def conversation_read(ctx: TenantContext, conversation: Conversation) -> dict[str, Any]:
    """A conversation as the API shows it, with its reply window, chat link and contact (whether the caller may
    open its card)."""
    integration, contact = _line_and_contact(ctx, conversation)
    adapter = processor.adapter_of(integration) if integration is not None else None
    return views.read(ctx, conversation, reply_window=adapter.reply_window if adapter else None,
                      chat_link=adapter.chat_link(dict(integration.settings or {}), threads.chat_of(ctx, conversation))
                      if adapter and integration else None, contact=contact)


def messages(ctx: TenantContext, conversation_id: str, *, limit: int, cursor: str | None) -> db.Page[dict[str, Any]]:
    """A conversation's messages, newest first (one Query of its collection)."""
    conversation = get_conversation(ctx, conversation_id)
    page = db.query_page(ctx, Message, conversation.pk, scope=f"messages:{conversation_id}", limit=limit,
                         cursor=cursor, range_key_condition=Message.sk.startswith(threads.MESSAGE_SK))
    return db.Page(items=[views.message(ctx, found) for found in page.items], next_cursor=page.next_cursor)


def attachment_link(ctx: TenantContext, conversation_id: str, message_id: str, attachment_id: str) -> dict[str, Any]:
    """A five-minute link to a file of a message the caller may read."""
    from chalicelib.messaging import media

    get_conversation(ctx, conversation_id)
    found = threads.get_message(ctx, conversation_id, message_id) if is_valid_id(message_id) else None
    if found is None:
        raise errors.NotFoundError("No such message.")
    return media.link(ctx, found, attachment_id)


# -- replying -------------------------------------------------------------------------------


def _line(ctx: TenantContext, integration_id: str, *, loc: list[str | int] | None = None) -> Any:
    integration = integrations_service.get(ctx, integration_id)
    if integration is None or integration.integration_type not in processor.LINE_TYPES:
        if loc is None:
            raise errors.ConflictError("This conversation's line was deleted.", code="integration_gone")
        raise errors.ValidationError(details=[{"loc": loc, "msg": "No such messenger integration",
                                               "type": "unknown_reference"}])
    if integration.status != "active":
        raise errors.ConflictError("This messenger integration is disabled.", code="integration_disabled")
    return integration


def _refuse_opted_out(ctx: TenantContext, contact_id: str | None) -> None:
    """A customer who texted STOP gets no text until they text START: Twilio refuses it (error 21610, "Attempt to
    send to unsubscribed recipient"), so it is refused here, saying why, before anything is sent or written. A
    withdrawal made on the card or through a campaign's link stops campaigns only."""
    from chalicelib.campaigns import consent

    found = consent.get(ctx, contact_id) if contact_id else None
    state = ((found.channels or {}) if found is not None else {}).get("sms")
    if isinstance(state, dict) and state.get("status") == "withdrawn" and state.get("source") == "reply_keyword":
        raise errors.ConflictError("This customer texted STOP: no text reaches them until they text START.",
                                   code="sms_opted_out")


def _deliver(ctx: TenantContext, integration: Any, chat_id: str, data: s.MessageCreate,
             conversation: Conversation | None, *, contact_id: str | None) -> tuple[Sent, threads.Draft]:
    """Send a reply through the provider (inside its window, or as a template); nothing is written yet."""
    adapter = processor.adapter_of(integration)
    if (data.text is None) == (data.template is None) or (data.text is not None and not data.text.strip()):
        raise errors.ValidationError("Send either a text or a template.", code="text_or_template", details=[
            {"loc": ["body"], "msg": "Exactly one of text and template", "type": "text_or_template"}])
    if data.text is not None and conversation is not None and not views.window(conversation,
                                                                               adapter.reply_window)["open"]:
        raise errors.ValidationError(
            "The customer last wrote over 24 hours ago: only an approved template may go out now.",
            code="template_required", details=[{"loc": ["body", "text"], "msg": "Outside the reply window",
                                                "type": "template_required"}])
    if data.text is not None and conversation is None and adapter.reply_window is not None:
        raise errors.ValidationError("A first message on this channel must be an approved template.",
                                     code="template_required", details=[
                                         {"loc": ["body", "text"], "msg": "No reply window yet",
                                          "type": "template_required"}])
    if adapter.channel == "email":
        return mailing.deliver(ctx, integration, chat_id, data, conversation)
    if data.subject is not None:
        raise errors.ValidationError(details=[{"loc": ["body", "subject"], "msg": "Only an e-mail has a subject",
                                               "type": "email_only"}])
    if adapter.channel == "sms":
        _refuse_opted_out(ctx, contact_id)
    credentials = integrations_service.adapter_credentials(ctx, integration)
    now = db.utcnow()
    if data.template is not None:
        template = Template(name=data.template.name, language=data.template.language,
                            parameters=tuple(data.template.parameters))
        sent = adapter.send_template(credentials, chat_id=chat_id, template=template)
        draft = threads.Draft(direction="out", at=now, text=" · ".join(template.parameters) or None,
                              kind="template", status=sent.status, author_id=ctx.actor_id,
                              provider_message_id=sent.provider_message_id,
                              template={"name": template.name, "language": template.language})
    else:
        sent = adapter.send_text(credentials, chat_id=chat_id, text=str(data.text))
        draft = threads.Draft(direction="out", at=now, text=data.text, status=sent.status, author_id=ctx.actor_id,
                              provider_message_id=sent.provider_message_id)
    return sent, draft


def _record_reply(ctx: TenantContext, conversation_id: str, draft: threads.Draft, integration_id: str,
                  start: Conversation | None = None) -> tuple[Conversation, Message]:
    """Write a sent message on its conversation (a first response counted once per customer turn)."""
    def once() -> tuple[Conversation, Message]:
        current = access.get_any(ctx, CONVERSATION, conversation_id)
        before = current if isinstance(current, Conversation) else None
        after = editing.clone(before) if before is not None else start
        if after is None:
            raise errors.NotFoundError("No such conversation.")
        change = db.Change()
        if before is None:
            threads.claim_chat(ctx, change, after)
        if draft.mail_thread is not None:
            threads.set_mail_thread(ctx, after, draft.mail_thread)
        message = threads.new_message(ctx, after, draft)
        threads.set_preview(ctx, after, draft)
        counters = {"outbound": 1, "conversations": 1 if before is None else 0}
        # a rule's message (an appointment reminder) answers nobody: the customer's question stays unread, awaiting
        # an employee, whose first response it is when they give it
        if ctx.actor_kind != "automation":
            if after.awaiting_since is not None:
                counters["first_responses"] = 1
                counters["first_response_seconds"] = max(int((draft.at - after.awaiting_since).total_seconds()), 0)
                after.awaiting_since = None
            after.unread_count = 0  # a reply reads what it answers
        threads.write(ctx, before, after, message, counters=counters,
                      claim=(integration_id, str(draft.provider_message_id)), change=change,
                      also_known_as=draft.also_known_as)
        return after, message

    conversation, message = threads.retrying(once)
    message = threads.apply_early(ctx, integration_id, message)
    return conversation, message


def reply(ctx: TenantContext, conversation_id: str, data: s.MessageCreate) -> dict[str, Any]:
    """Send a reply in a conversation the caller may update; 201 with the message as written."""
    conversation = get_conversation(ctx, conversation_id, action="update")
    integration = _line(ctx, conversation.integration_id)
    _, draft = _deliver(ctx, integration, threads.chat_of(ctx, conversation), data, conversation,
                        contact_id=conversation.contact_id)
    conversation, message = _record_reply(ctx, conversation_id, draft, integration.integration_id)
    _tell_reply_listeners(ctx, conversation_id, message)
    shown = views.message(ctx, message)
    views.notify_message(ctx, conversation.owner_id if conversation.owner_id != ctx.actor_id else None, conversation,
                         shown)
    return shown


# Who hears of a staff reply, "module:function", loaded on first use (messaging imports none of them): a ticket on
# the conversation counts it as its first response (#24). A listener's failure never fails the reply (it is sent).
REPLY_LISTENERS = ("chalicelib.tickets.service:conversation_answered",)


def _tell_reply_listeners(ctx: TenantContext, conversation_id: str, message: Message) -> None:
    import importlib

    for name in REPLY_LISTENERS:
        module, _, function = name.partition(":")
        try:
            getattr(importlib.import_module(module), function)(ctx, conversation_id, at=message.sent_at)
        except errors.CRMError:
            logger.warning("a reply listener failed", extra={"listener": name}, exc_info=True)


def _chat_of(contact: Any, channel: str) -> str | None:
    if channel == "email":
        return next((str(e["address"]) for e in getattr(contact, "emails", None) or []
                     if isinstance(e, dict) and e.get("address")), None)
    messengers = getattr(contact, "messengers", None) or {}
    if channel == "telegram":
        return str(messengers.get("telegram_id") or "") or None
    if channel == "sms":
        return next((str(p["number"]) for p in getattr(contact, "phones", None) or []
                     if isinstance(p, dict) and p.get("number")), None)
    numbers = [messengers.get("whatsapp")] + [p.get("number") for p in getattr(contact, "phones", None) or []
                                              if isinstance(p, dict)]
    found = next((n for n in numbers if n), None)
    return str(found).lstrip("+") if found else None


def start(ctx: TenantContext, data: s.ConversationStart) -> dict[str, Any]:
    """Write to a contact on a messenger line: in its conversation there, or a new one (a template on WhatsApp)."""
    permissions.require(ctx, CONVERSATION.plural, "create")
    contact = access.require_visible(ctx, "contact", data.contact_id, loc=["body", "contact_id"])
    integration = _line(ctx, data.integration_id, loc=["body", "integration_id"])
    adapter = processor.adapter_of(integration)
    chat_id = _chat_of(contact, adapter.channel)
    if chat_id is None:
        raise errors.ValidationError(details=[{"loc": ["body", "contact_id"], "type": "no_chat",
                                               "msg": f"The contact has no {adapter.label} chat yet"}])
    existing = threads.conversation_of_chat(ctx, integration.integration_id, chat_id)
    if existing is not None:
        access.check_access(ctx, CONVERSATION, existing, "update")
    _, draft = _deliver(ctx, integration, chat_id, data, existing, contact_id=str(contact.contact_id))
    fresh: Conversation | None = None
    if existing is None:
        conversation_id = new_id()
        fresh = Conversation(access.collection_pk(ctx, CONVERSATION, conversation_id), timeline_service.PROFILE_SK,
                             conversation_id=conversation_id, channel=adapter.channel,
                             integration_id=integration.integration_id, provider_chat_id="",
                             contact_id=str(contact.contact_id), status="open", owner_id=ctx.actor_id,
                             team_id=ctx.team_id)
        # An e-mail thread is found by its first message (ours), a messenger's by its chat.
        threads.seal_chat(ctx, fresh, draft.also_known_as[0] if draft.also_known_as else chat_id)
        # Named as the card names the contact (the channel names only those who write first).
        fresh.customer_name = sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation_id,
                                           field="customer_name", text=naming.record_name(contact))
    target = existing if existing is not None else fresh
    assert target is not None
    conversation, message = _record_reply(ctx, target.conversation_id, draft, integration.integration_id, start=fresh)
    return {**conversation_read(ctx, conversation), "message": views.message(ctx, message)}


def lines(ctx: TenantContext) -> list[dict[str, Any]]:
    """The active messenger lines a conversation may be started on (the card's "Write" picks one)."""
    permissions.require(ctx, CONVERSATION.plural, "create")
    return [{"integration_id": found.integration_id, "name": found.name, "type": processor.adapter_of(found).channel,
             "templates": found.integration_type == "whatsapp",
             "bot_username": (found.settings or {}).get("bot_username")}
            for found in integrations_service.active_of_types(ctx, set(processor.LINE_TYPES))
            if found.integration_type not in processor.SMS_LINES or (found.settings or {}).get("caller_id")]


# -- read, assign, close, reopen ------------------------------------------------------------


def _change(ctx: TenantContext, conversation_id: str, version: int | None, mutate: Any, *,
            action: str = "update") -> Conversation:
    def once() -> Conversation:
        before = get_conversation(ctx, conversation_id, action="update")
        if version is not None and int(before.version or 0) != version:
            raise errors.VersionConflictError()
        after = editing.clone(before)
        mutate(after)
        if store.audit_view(CONVERSATION, before) == store.audit_view(CONVERSATION, after) and \
                int(before.unread_count or 0) == int(after.unread_count or 0):
            return before  # nothing changes: nothing is written
        editing.touch(after)
        store.save(ctx, CONVERSATION, before, after, action=action)
        return after

    return once() if version is not None else threads.retrying(once)


def mark_read(ctx: TenantContext, conversation_id: str) -> Conversation:
    """The caller has read the conversation: its unread count goes to zero."""
    def mutate(after: Conversation) -> None:
        after.unread_count = 0

    return _change(ctx, conversation_id, None, mutate)


def assign(ctx: TenantContext, conversation_id: str, data: s.AssignIn) -> Conversation:
    """Hand a conversation to an active user whose role reads conversations (the scope of the caller decides
    whether it may): one who cannot open it (an accountant's custom role) would leave the customer unanswered."""
    from chalicelib.identity import access as identity_access
    from chalicelib.identity import service as identity_service

    def mutate(after: Conversation) -> None:  # the conversation is checked first: another tenant's answers 404
        user = identity_service.get_user(ctx, data.assignee_id)
        if user is None or user.status == "deactivated":
            raise errors.ValidationError(details=[{"loc": ["body", "assignee_id"], "msg": "No such active user",
                                                   "type": "unknown_reference"}])
        granted = identity_access.role_permissions(ctx, user.role) or frozenset()
        if not any(p.startswith(f"{CONVERSATION.plural}:read:") for p in granted):
            raise errors.ValidationError(details=[{"loc": ["body", "assignee_id"], "type": "cannot_read_conversations",
                                                   "msg": "This colleague's role cannot read conversations"}])
        after.owner_id, after.team_id = str(user.user_id), user.team_id

    return _change(ctx, conversation_id, data.version, mutate, action="assign")


def attach_contact(ctx: TenantContext, conversation_id: str, data: s.ContactIn) -> Conversation:
    """Set the contact a conversation is with, by hand: a contact the caller may read (an e-mail whose sender SES
    could not verify is attached to none by itself; whoever reads it decides). The mark stays: it says how the
    message came, not whom it is with."""
    def mutate(after: Conversation) -> None:  # the conversation is checked first: another tenant's answers 404
        contact = access.require_visible(ctx, "contact", data.contact_id, loc=["body", "contact_id"])
        after.contact_id, after.contact_skipped = str(contact.contact_id), None

    return _change(ctx, conversation_id, data.version, mutate)


def set_status(ctx: TenantContext, conversation_id: str, data: s.VersionIn, status: str) -> Conversation:
    """Close or reopen a conversation (a customer's next message reopens it by itself)."""
    def mutate(after: Conversation) -> None:
        after.status = status
        if status == "closed":
            after.unread_count = 0

    return _change(ctx, conversation_id, data.version, mutate, action="close" if status == "closed" else "reopen")


# -- counters and deep links ----------------------------------------------------------------


def stats(ctx: TenantContext, query: s.StatsQuery) -> list[dict[str, Any]]:
    """Message counters of a period (whole days of the company, on its time zone's clock, as they are kept; the
    last 30 up to the company's today by default) per employee and channel, within the caller's scope."""
    scope = permissions.require(ctx, CONVERSATION.plural, "read")
    day_to = query.day_to or zones.company_day(ctx, db.utcnow())
    day_from = query.day_from or day_to - timedelta(days=s.STATS_DAYS - 1)
    if not s.period_fits(day_from, day_to):
        raise errors.ValidationError(details=[{"loc": ["query", "from"], "type": "value_error",
                                               "msg": s.PERIOD_RULE}])
    first, last = day_from.isoformat(), day_to.isoformat()
    from chalicelib.conversations.models import ConversationStats

    with db.translate_errors():
        found = list(ConversationStats.query(threads.stats_pk(ctx), ConversationStats.sk.between(first, last + "~")))
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for item in found:
        if db.owned(ctx, item) is None or (query.user_id and item.user_id != query.user_id):
            continue
        if scope != "all" and item.user_id != ctx.actor_id:
            continue  # counters carry no team: a narrower scope sees its own
        sums = totals.setdefault((item.user_id, item.channel), {})
        for name in ("inbound", "outbound", "conversations", "first_responses", "first_response_seconds"):
            sums[name] = sums.get(name, 0) + int(getattr(item, name) or 0)
    rows = []
    for (user_id, channel), sums in sorted(totals.items()):
        answered = sums.get("first_responses", 0)
        rows.append({"user_id": None if user_id == "-" else user_id, "channel": channel,
                     **{name: sums.get(name, 0) for name in ("inbound", "outbound", "conversations",
                                                              "first_responses")},
                     "average_first_response_seconds": sums.get("first_response_seconds", 0) // answered
                     if answered else None})
    return rows


def telegram_link(ctx: TenantContext, contact_id: str, integration_id: str) -> dict[str, Any]:
    """A t.me deep link that binds the chat opening it to a contact (a code valid seven days)."""
    permissions.require(ctx, CONVERSATION.plural, "create")
    contact = access.require_visible(ctx, "contact", contact_id, loc=["path", "contact_id"])
    integration = _line(ctx, integration_id, loc=["query", "integration_id"])
    username = (integration.settings or {}).get("bot_username")
    if integration.integration_type != "telegram" or not username:
        raise errors.ValidationError(details=[{"loc": ["query", "integration_id"], "type": "not_telegram",
                                               "msg": "Not a Telegram bot whose name Telegram told us"}])
    code = token_source.token_urlsafe(24)
    now = db.utcnow()
    db.commit(ctx, db.Change().create(BindCode(processor.bind_pk(ctx), code, contact_id=str(contact.contact_id),
                                               integration_id=integration.integration_id,
                                               expires_at=now + BIND_CODE_LIFETIME)))
    return {"url": f"https://t.me/{username}?start={code}", "expires_in": int(BIND_CODE_LIFETIME.total_seconds())}
