"""Conversations and messages as the API (and the live channel) shows them: sealed words opened for the reader."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from chalicelib.conversations.models import Conversation, Message
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.messaging import threads

# A channel's name for a customer that is their number or address (an e-mail's sender without a display name).
PHONE_LIKE = re.compile(r"\+?[\d\s().-]{5,}")


def hidden_contact_fields(ctx: TenantContext) -> frozenset[str]:
    """The contact fields the reader may not read ("name" when the name is made of one): how the channel names a
    customer goes with them, wherever it is shown (the inbox, a ticket)."""
    from chalicelib.records import types
    from chalicelib.records.fieldaccess import service as fieldaccess

    contact = types.find("contact")
    if contact is None:
        return frozenset()
    hidden = set(fieldaccess.hidden(ctx, contact))
    if fieldaccess.name_hidden(ctx, contact):
        hidden.add("name")
    return frozenset(hidden)


def shown_name(name: str | None, hidden: frozenset[str]) -> str | None:
    """How the channel names the customer, unless field rules hide it: it goes with the contact's name, and one that
    is an e-mail address or a number goes with the e-mails or the phones."""
    if not name or "name" in hidden or ("@" in name and "emails" in hidden) or (
            PHONE_LIKE.fullmatch(name) and "phones" in hidden):
        return None
    return name


def summary(ctx: TenantContext, record: Any, *, hidden: frozenset[str] | None = None) -> dict[str, Any]:
    """A conversation or its list row as the inbox lists it (ConversationSummary), the customer's name as the
    reader's field rules let them read it (``hidden``: theirs, when a page has it at hand)."""
    conversation_id = str(getattr(record, "conversation_id", None) or record.record_id)
    preview, name = threads.preview_of(ctx, record, conversation_id)
    name = shown_name(name, hidden_contact_fields(ctx) if hidden is None else hidden)
    return {"id": conversation_id, "channel": record.channel, "integration_id": record.integration_id,
            "contact_id": record.contact_id, "customer_name": name, "status": record.status,
            "contact_skipped": None if record.contact_id else getattr(record, "contact_skipped", None),
            "sender_unverified": bool(getattr(record, "sender_unverified", None)),
            "assignee_id": record.owner_id, "last_message_at": record.last_message_at,
            "last_message_preview": preview, "last_direction": record.last_direction,
            "unread_count": int(record.unread_count or 0), "version": int(record.version or 0)}


def window(conversation: Conversation, reply_window: int | None) -> dict[str, Any]:
    """Whether free text may go out now: always on a channel without a window, else within it."""
    if reply_window is None:
        return {"open": True, "closes_at": None}
    if conversation.last_inbound_at is None:
        return {"open": False, "closes_at": None}
    closes = conversation.last_inbound_at + timedelta(seconds=reply_window)
    return {"open": db.utcnow() < closes, "closes_at": closes}


def contact_of(ctx: TenantContext, contact_id: str | None, contact: Any) -> dict[str, Any] | None:
    """The conversation's contact for whoever may read the conversation (ConversationContact): its name, unless the
    caller's field rules hide what it is made of, and whether they may open its card (the inbox's Contact button led
    an agent to "not found" when the customer was a colleague's). A contact in the trash, or gone, is neither."""
    from chalicelib.records import access, naming, types
    from chalicelib.records.fieldaccess import service as fieldaccess

    if not contact_id:
        return None
    rtype = types.find("contact")
    live = rtype is not None and contact is not None and contact.deleted_at is None
    named = live and rtype is not None and not fieldaccess.name_hidden(ctx, rtype)
    return {"id": contact_id, "name": naming.record_name(contact) if named else None,
            "readable": bool(live and rtype is not None and access.may_read(ctx, rtype, contact))}


def read(ctx: TenantContext, conversation: Conversation, *, reply_window: int | None,
         chat_link: str | None, contact: Any = None) -> dict[str, Any]:
    """One conversation (ConversationRead); contact is its contact's item, read with its line."""
    mail = threads.mail_thread_of(ctx, conversation) if conversation.mail_thread else {}
    return {**summary(ctx, conversation), "deal_id": conversation.deal_id, "referral": conversation.referral,
            "contact": contact_of(ctx, conversation.contact_id, contact),
            "window": window(conversation, reply_window), "chat_link": chat_link,
            "subject": mail.get("subject"), "address": mail.get("address"),
            "templates": conversation.channel == "whatsapp", "created_at": conversation.created_at,
            "updated_at": conversation.updated_at}


def message(ctx: TenantContext, found: Message) -> dict[str, Any]:
    """One message (MessageRead)."""
    return {"id": found.message_id, "direction": found.direction, "kind": found.message_kind,
            "text": threads.text_of(ctx, found),
            "attachments": [{"id": a.get("id"), "kind": a.get("kind") or "document", "mime": a.get("mime"),
                             "name": a.get("name"), "size": a.get("size"), "available": bool(a.get("key"))}
                            for a in found.attachments or []],
            "status": found.status, "error": found.error, "author_id": found.author_id, "template": found.template,
            "created_at": found.sent_at, "edited_at": found.edited_at, "files_removed": found.files_removed,
            "provider_message_id": threads.provider_id_of(ctx, found), **threads.mail_of(ctx, found)}


def reader(ctx: TenantContext, user_id: str) -> TenantContext:
    """The context of a user a push goes to, their role's permissions included (what the push may show them is what
    their own request would), or ctx itself when the user, their role or their access is gone."""
    from chalicelib.identity import access

    return access.acting_as(ctx, user_id) or ctx


def notify_message(ctx: TenantContext, user_id: str | None, conversation: Conversation, shown: dict[str, Any]) -> None:
    """Push a conversation's new message to one user's open web apps, the conversation as that user reads it."""
    if not user_id:
        return
    notify(ctx, [user_id], json_ready({"type": "conversation.message",
                                       "conversation": summary(reader(ctx, user_id), conversation), "message": shown}))


def notify(ctx: TenantContext, user_ids: list[str | None], payload: dict[str, Any]) -> None:
    """Push to the open web apps of those users (never fails the caller: a push is a courtesy)."""
    from chalicelib.core.observability import logger
    from chalicelib.live import service as live_service

    targets = sorted({user for user in user_ids if user})
    if not targets:
        return
    try:
        live_service.push(ctx, targets, payload)
    except Exception:  # noqa: BLE001 - the message is written; a tab that does not hear of it reloads it
        logger.warning("conversation push failed", exc_info=True)


def json_ready(value: Any) -> Any:
    """A view with its times as ISO text (a live message is JSON as it is)."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value
