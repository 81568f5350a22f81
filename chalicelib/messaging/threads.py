"""Writing a conversation's messages: each with its conversation's new state, rows, counters, timeline entry and
audit record in one transaction.

A message claims its provider's id (``MessageRef``, a conditional put in the same transaction), so the same
message delivered twice, reordered or replayed is written once; a conversation claims its chat the same way
(``ConversationRef``). Two deliveries of one conversation processed at once race on its version: the loser
reads it again and writes on top of the winner's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ulid import ULID

from chalicelib.conversations.models import (
    Conversation,
    ConversationRef,
    ConversationStats,
    EarlyStatus,
    Message,
    MessageRef,
)
from chalicelib.conversations.record import CONVERSATION, SEALED_ENTITY, ref_pk
from chalicelib.core import crypto, db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity import zones
from chalicelib.messaging import sealing
from chalicelib.messaging.events import STATUS_RANK
from chalicelib.records import access, editing, store
from chalicelib.records import timeline as timeline_service

MESSAGE_ENTITY = "message"
MAIL_FIELDS = ("subject", "quoted", "sender")  # an e-mail's, sealed like its text
MESSAGE_SK = "MSG#"
ATTEMPTS = 3
PREVIEW = 120
CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram", "sms": "SMS", "email": "E-mail"}


# -- keys -----------------------------------------------------------------------------------


def message_ref_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's provider message ids."""
    return tenant_key(ctx, "MSGREF", integration_id)


def early_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of the statuses reported before their message was recorded."""
    return tenant_key(ctx, "MSGEARLY", integration_id)


def stats_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's message counters (by day: a period is one range of one Query)."""
    return tenant_key(ctx, "CONVSTATS")


def message_sk(message_id: str) -> str:
    """Sort key of a message in its conversation's collection."""
    return f"{MESSAGE_SK}{message_id}"


def message_id_at(at: datetime) -> str:
    """A new message id that sorts by the message's own time."""
    return str(ULID.from_datetime(at))


# -- reading --------------------------------------------------------------------------------


def chat_key(ctx: TenantContext, chat_id: str) -> str:
    """The blind index a chat is found by (a WhatsApp chat id is the customer's phone number: never a key)."""
    return crypto.blind_index(ctx, entity=SEALED_ENTITY, field="chat", value=chat_id)


def seal_chat(ctx: TenantContext, conversation: Conversation, chat_id: str) -> None:
    """Set a new conversation's chat id, sealed, and the blind index it is found by."""
    conversation.provider_chat_id = str(sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id,
                                                     field="provider_chat_id", text=chat_id))
    conversation.chat_key = chat_key(ctx, chat_id)


def chat_of(ctx: TenantContext, conversation: Conversation) -> str:
    """A conversation's chat id in clear (where a reply goes)."""
    return str(sealing.unseal(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id,
                              field="provider_chat_id", token=conversation.provider_chat_id))


def claim_chat(ctx: TenantContext, change: db.Change, conversation: Conversation) -> None:
    """Claim the conversation's chat in its transaction: a second conversation of one chat fails to commit."""
    change.create(ConversationRef(ref_pk(ctx, conversation.integration_id), str(conversation.chat_key),
                                  conversation_id=conversation.conversation_id))


def conversation_of_chat(ctx: TenantContext, integration_id: str, chat_id: str) -> Conversation | None:
    """The conversation of a provider's chat, or None."""
    ref = db.get(ctx, ConversationRef, ref_pk(ctx, integration_id), chat_key(ctx, chat_id))
    found = access.get_any(ctx, CONVERSATION, ref.conversation_id) if ref is not None else None
    return found if isinstance(found, Conversation) else None


def message_key(ctx: TenantContext, provider_message_id: str) -> str:
    """The blind index a provider's message id is found by (a Telegram id names the chat; a wamid encodes the
    customer's number). Indexed as hex: blind indexes fold case, and provider ids are case-sensitive."""
    return crypto.blind_index(ctx, entity=MESSAGE_ENTITY, field="provider_id", value=provider_message_id.encode().hex())


def provider_id_of(ctx: TenantContext, message: Message) -> str | None:
    """A message's provider id in clear."""
    return sealing.unseal(ctx, entity=MESSAGE_ENTITY, record_id=message.message_id, field="provider_message_id",
                          token=message.provider_message_id)


def message_of(ctx: TenantContext, integration_id: str, provider_message_id: str) -> Message | None:
    """Our message with a provider's id, or None."""
    ref = db.get(ctx, MessageRef, message_ref_pk(ctx, integration_id), message_key(ctx, provider_message_id))
    if ref is None:
        return None
    return get_message(ctx, ref.conversation_id, ref.message_id)


def get_message(ctx: TenantContext, conversation_id: str, message_id: str) -> Message | None:
    """One message of a conversation, or None."""
    return db.get(ctx, Message, access.collection_pk(ctx, CONVERSATION, conversation_id), message_sk(message_id))


def text_of(ctx: TenantContext, message: Message) -> str | None:
    """A message's text in clear."""
    return sealing.unseal(ctx, entity=MESSAGE_ENTITY, record_id=message.message_id, field="text", token=message.text)


def mail_of(ctx: TenantContext, message: Message) -> dict[str, str | None]:
    """An e-mail's subject, quote and sender in clear (all None for a messenger's message)."""
    return {name: sealing.unseal(ctx, entity=MESSAGE_ENTITY, record_id=message.message_id, field=name,
                                 token=getattr(message, name, None)) for name in MAIL_FIELDS}


def mail_thread_of(ctx: TenantContext, conversation: Conversation) -> dict[str, Any]:
    """An e-mail conversation's thread in clear: {address, name, subject, last_id, references}."""
    import json

    text = sealing.unseal(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id, field="mail_thread",
                          token=conversation.mail_thread)
    loaded = json.loads(text) if text else {}
    return loaded if isinstance(loaded, dict) else {}


def set_mail_thread(ctx: TenantContext, conversation: Conversation, thread: dict[str, Any]) -> None:
    """Seal an e-mail conversation's thread on it."""
    import json

    conversation.mail_thread = sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id,
                                            field="mail_thread", text=json.dumps(thread, ensure_ascii=False))


def preview_of(ctx: TenantContext, record: Any, record_id: str) -> tuple[str | None, str | None]:
    """(preview, customer name) of a conversation or its list row, in clear."""
    return tuple(sealing.unseal(ctx, entity=SEALED_ENTITY, record_id=record_id, field=name,  # type: ignore[return-value]
                                token=getattr(record, name)) for name in ("last_preview", "customer_name"))


# -- writing --------------------------------------------------------------------------------


@dataclass
class Draft:
    """A message about to be written, in clear."""

    direction: str  # in | out
    at: datetime
    text: str | None
    kind: str = "text"
    attachments: list[dict[str, Any]] | None = None
    status: str = "received"
    author_id: str | None = None
    provider_message_id: str | None = None
    template: dict[str, Any] | None = None
    subject: str | None = None  # an e-mail's
    quoted: str | None = None  # what an e-mail quotes of the earlier messages
    sender: str | None = None  # an e-mail's From ("Name <address>")
    message_id: str | None = None  # minted beforehand (an e-mail's own Message-ID names it)
    also_known_as: tuple[str, ...] = ()  # other provider ids claimed for it (an e-mail's own Message-ID)
    mail_thread: dict[str, Any] | None = None  # an e-mail conversation's thread once this message is written
    files_removed: str | None = None  # virus: the files of an infected e-mail, not kept


def new_message(ctx: TenantContext, conversation: Conversation, draft: Draft) -> Message:
    """The message item of a draft (its text sealed)."""
    message_id = draft.message_id or message_id_at(draft.at)
    conversation_id = conversation.conversation_id
    mail: dict[str, Any] = {name: sealing.seal(ctx, entity=MESSAGE_ENTITY, record_id=message_id, field=name,
                                               text=getattr(draft, name)) for name in MAIL_FIELDS}
    return Message(access.collection_pk(ctx, CONVERSATION, conversation_id), message_sk(message_id),
                   message_id=message_id, conversation_id=conversation_id, integration_id=conversation.integration_id,
                   direction=draft.direction,
                   text=sealing.seal(ctx, entity=MESSAGE_ENTITY, record_id=message_id, field="text", text=draft.text),
                   message_kind=draft.kind, attachments=draft.attachments or [], status=draft.status,
                   author_id=draft.author_id, sent_at=draft.at,
                   provider_message_id=sealing.seal(ctx, entity=MESSAGE_ENTITY, record_id=message_id,
                                                    field="provider_message_id", text=draft.provider_message_id),
                   ref_key=message_key(ctx, draft.provider_message_id) if draft.provider_message_id else None,
                   template=draft.template, files_removed=draft.files_removed, **mail)


def set_preview(ctx: TenantContext, conversation: Conversation, draft: Draft) -> None:
    """The conversation's last message as the inbox shows it (sealed); an older one processed late (a provider's
    out-of-order delivery, a retried or replayed event) leaves the newest message's preview in place."""
    if conversation.last_message_at is not None and draft.at < conversation.last_message_at:
        return
    shown = (draft.text or "").strip() or (f"[{draft.template['name']}]" if draft.template else f"[{draft.kind}]")
    if draft.subject:
        shown = f"{draft.subject} — {' '.join((draft.text or '').split())}".rstrip(" —")
    conversation.last_preview = sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id,
                                             field="last_preview", text=shown[:PREVIEW])
    conversation.last_direction = draft.direction
    if conversation.last_message_at is None or draft.at >= conversation.last_message_at:
        conversation.last_message_at = draft.at


def _counters(ctx: TenantContext, change: db.Change, conversation: Conversation, day: datetime,
              amounts: dict[str, int]) -> None:
    """The messengers' day counters, kept by the company's day (its time zone's clock), as the reports read them."""
    user = conversation.owner_id or "-"
    stamp = zones.company_day(ctx, day).isoformat()
    change.add(ConversationStats(stats_pk(ctx), f"{stamp}#{user}#{conversation.channel}", day=stamp, user_id=user,
                                 channel=conversation.channel), **amounts)


def _timeline(ctx: TenantContext, change: db.Change, conversation: Conversation, message: Message) -> None:
    """The message on its contact's timeline (what was said stays in the thread, sealed)."""
    if not conversation.contact_id:
        return
    channel = CHANNEL_NAMES.get(conversation.channel, conversation.channel)
    verb = "received" if message.direction == "in" else "sent"
    timeline_service.add_entry(
        ctx, change, subject_type="contact", subject_id=conversation.contact_id, kind="message",
        summary=f"{channel} message {verb}", entry_id=message.message_id, at=message.sent_at,
        data={"conversation_id": conversation.conversation_id, "message_id": message.message_id,
              "channel": conversation.channel, "direction": message.direction, "kind": message.message_kind})


def write(ctx: TenantContext, before: Conversation | None, after: Conversation, message: Message, *,
          counters: dict[str, int], claim: tuple[str, str] | None = None, change: db.Change | None = None,
          also_known_as: tuple[str, ...] = ()) -> None:
    """Write a new message with its conversation's new state, its provider id's claim (and of the other ids it is
    known by: an e-mail's own Message-ID beside SES's), the day's counters, its timeline entry and the
    conversation's audit record, in one transaction."""
    change = change or db.Change()
    if claim is not None:
        for provider_id in (claim[1], *also_known_as):
            change.create(MessageRef(message_ref_pk(ctx, claim[0]), message_key(ctx, provider_id),
                                     conversation_id=after.conversation_id, message_id=message.message_id))
    change.create(message)
    _counters(ctx, change, after, message.sent_at, counters)
    _timeline(ctx, change, after, message)
    editing.touch(after)
    store.save(ctx, CONVERSATION, before, after, action="create" if before is None else "update", change=change)


def retrying(step: Callable[[], Any]) -> Any:
    """Run a read-and-write step again when another writer moved the conversation on meanwhile."""
    for attempt in range(ATTEMPTS):
        try:
            return step()
        except errors.VersionConflictError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


# -- delivery statuses ----------------------------------------------------------------------


def apply_status(ctx: TenantContext, message: Message, status: str, error: dict[str, Any] | None) -> Message | None:
    """Move a message on to a later status (never back: a late "delivered" after "read" changes nothing);
    answers the message as written, or None when nothing changed."""
    if STATUS_RANK.get(status, 0) <= STATUS_RANK.get(message.status, 0):
        return None
    after = editing.clone(message)
    after.status = status
    if error:
        after.error = dict(error)
    editing.touch(after)
    db.commit(ctx, db.Change().save(after))
    return after


def keep_early(ctx: TenantContext, integration_id: str, provider_message_id: str, status: str, at: datetime,
               error: dict[str, Any] | None) -> None:
    """Keep a status whose message is not recorded yet (applied when it is)."""
    from datetime import timedelta

    item = EarlyStatus(early_pk(ctx, integration_id), f"{message_key(ctx, provider_message_id)}#{status}",
                       status=status, at=at,
                       error=dict(error) if error else None, expires_at=db.utcnow() + timedelta(days=7))
    db.commit(ctx, db.Change().save(item))


def apply_early(ctx: TenantContext, integration_id: str, message: Message) -> Message:
    """Apply the statuses reported before the message was recorded (one Query, usually empty)."""
    key = message.ref_key
    if not key:
        return message
    with db.translate_errors():
        found = list(EarlyStatus.query(early_pk(ctx, integration_id), EarlyStatus.sk.startswith(f"{key}#"),
                                       consistent_read=True))
    for early in sorted(found, key=lambda item: STATUS_RANK.get(item.status, 0)):
        try:
            message = apply_status(ctx, message, early.status, early.error) or message
        except errors.VersionConflictError:
            logger.info("an early status met a concurrent one", extra={"message_id": message.message_id})
            message = get_message(ctx, message.conversation_id, message.message_id) or message
    return message
