"""Tickets made in one click from a customer's message or a call: one per message or call (a second click answers
the first ticket), named in the company's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.identity import moments
from chalicelib.identity import service as identity_service
from chalicelib.records import access
from chalicelib.tickets import schemas as s
from chalicelib.tickets import service
from chalicelib.tickets.models import Ticket, TicketSource
from chalicelib.tickets.record import TICKET


def source_pk(ctx: TenantContext) -> str:
    """Partition of the messages and calls tickets were made from."""
    return tenant_key(ctx, "TKSRC")


def _existing(ctx: TenantContext, kind: str, source_id: str) -> Ticket | None:
    found = db.get(ctx, TicketSource, source_pk(ctx), f"{kind}#{source_id}")
    return service.get(ctx, found.ticket_id) if found is not None else None


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
        return service.create(ctx, body, change=change, made_from={"message_id": message.message_id},
                              ticket_id=ticket_id)

    return _made_once(ctx, "message", message.message_id, make)


# A call's ticket is named in the company's language and on its clock (it said "Call inbound ... UTC" to everyone).
CALL_SUBJECTS = {"en": ("Inbound call {at}", "Outbound call {at}"),
                 "ru": ("Входящий звонок {at}", "Исходящий звонок {at}")}


def _call_subject(ctx: TenantContext, direction: str | None, started: datetime) -> str:
    words = CALL_SUBJECTS.get(identity_service.company_locale(ctx), CALL_SUBJECTS["en"])
    return words[direction == "outbound"].format(at=moments.when(ctx, started))


def from_call(ctx: TenantContext, data: s.FromCall) -> tuple[Ticket, bool]:
    """A ticket from a call (one per call), linked to the call's contact, on the phone channel."""
    call = access.require_visible(ctx, "call", data.call_id, loc=["body", "call_id"])
    subject = _call_subject(ctx, call.direction, call.started_at or call.created_at)

    def make(change: db.Change, ticket_id: str) -> Ticket:
        body = s.TicketCreate(subject=subject, channel="phone", priority=data.priority,
                              contact_id=call.contact_id)
        return service.create(ctx, body, change=change, made_from={"call_id": call.call_id}, ticket_id=ticket_id)

    return _made_once(ctx, "call", call.call_id, make)
