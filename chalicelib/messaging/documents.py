"""A file (a document's PDF) sent to a contact in their messenger conversation, and written there as our message.

The provider fetches the file from a link of ours (WhatsApp's document message, Telegram's sendDocument by URL),
so nothing is uploaded from the Lambda. The line is the one asked for, else the one of the contact's newest
conversation, else the first active WhatsApp or Telegram line that can reach the contact. Like a reply, it is sent,
then written (a refusal answers 502 with nothing written); WhatsApp's 24-hour window applies to files as to text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.conversations.models import Conversation
from chalicelib.conversations.record import CONVERSATION, SEALED_ENTITY
from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.integrations import service as integrations_service
from chalicelib.messaging import processor, sealing, service, threads, views
from chalicelib.records import access, naming
from chalicelib.records import timeline as timeline_service

CHANNELS = frozenset({"whatsapp", "telegram"})


@dataclass(frozen=True)
class Target:
    """Where a file goes: the line, the chat, and the conversation there if there is one."""

    integration: Any
    channel: str
    chat_id: str
    conversation: Conversation | None
    contact_id: str
    contact_name: str | None = None  # what a conversation begun here is called, as the card calls the contact

    @property
    def label(self) -> str:
        """How the send is named on the document (the channel; the chat id is the customer's number)."""
        return self.channel


def _lines(ctx: TenantContext, integration_id: str | None) -> list[Any]:
    found = [line for line in integrations_service.active_of_types(ctx, set(processor.LINE_TYPES))
             if processor.adapter_of(line).channel in CHANNELS]
    if integration_id is None:
        return found
    chosen = [line for line in found if line.integration_id == integration_id]
    if not chosen:
        raise errors.ValidationError(details=[{"loc": ["body", "integration_id"], "type": "unknown_reference",
                                               "msg": "No such active WhatsApp or Telegram line"}])
    return chosen


def _last_message(found: Target) -> str:
    moment = found.conversation.last_message_at if found.conversation is not None else None
    return moment.isoformat() if moment is not None else ""


def target(ctx: TenantContext, *, contact: Any, integration_id: str | None) -> Target:
    """The line and chat a file to a contact goes through (422 ``no_chat`` when none reaches them)."""
    permissions.require(ctx, CONVERSATION.plural, "create")
    reachable: list[Target] = []
    for line in _lines(ctx, integration_id):
        channel = processor.adapter_of(line).channel
        chat_id = service._chat_of(contact, channel)
        if chat_id is None:
            continue
        existing = threads.conversation_of_chat(ctx, line.integration_id, chat_id)
        reachable.append(Target(integration=line, channel=channel, chat_id=chat_id, conversation=existing,
                                contact_id=str(contact.contact_id), contact_name=naming.record_name(contact)))
    if not reachable:
        raise errors.ValidationError(details=[{"loc": ["body", "channel"], "type": "no_chat",
                                               "msg": "The contact has no WhatsApp or Telegram chat on a line"}])
    with_thread = [t for t in reachable if t.conversation is not None]
    chosen = max(with_thread, key=_last_message) if with_thread else reachable[0]
    if chosen.conversation is not None:
        access.check_access(ctx, CONVERSATION, chosen.conversation, "update")
    return chosen


def send(ctx: TenantContext, found: Target, *, url: str, filename: str, caption: str | None) -> dict[str, Any]:
    """Send the file, then write it in the conversation (made when the chat has none yet); the message as shown."""
    adapter = processor.adapter_of(found.integration)
    if (found.conversation is not None and not views.window(found.conversation, adapter.reply_window)["open"]) \
            or (found.conversation is None and adapter.reply_window is not None):
        raise errors.ValidationError(
            "The customer has not written in the last 24 hours: WhatsApp lets only an approved template go out.",
            code="template_required", details=[{"loc": ["body", "channel"], "msg": "Outside the reply window",
                                                "type": "template_required"}])
    sender = getattr(adapter, "send_document", None)
    if sender is None:
        raise errors.ValidationError(details=[{"loc": ["body", "channel"], "type": "no_files",
                                               "msg": "This channel sends no files"}])
    credentials = integrations_service.adapter_credentials(ctx, found.integration)
    sent = sender(credentials, chat_id=found.chat_id, url=url, filename=filename, caption=caption)
    draft = threads.Draft(direction="out", at=db.utcnow(), text=caption or filename, kind="document",
                          status=sent.status, author_id=ctx.actor_id, provider_message_id=sent.provider_message_id,
                          attachments=[{"id": new_id(), "kind": "document", "name": filename,
                                        "mime": "application/pdf"}])
    fresh = None
    if found.conversation is None:
        conversation_id = new_id()
        fresh = Conversation(access.collection_pk(ctx, CONVERSATION, conversation_id), timeline_service.PROFILE_SK,
                             conversation_id=conversation_id, channel=found.channel,
                             integration_id=found.integration.integration_id, provider_chat_id="",
                             contact_id=found.contact_id, status="open", owner_id=ctx.actor_id, team_id=ctx.team_id)
        threads.seal_chat(ctx, fresh, found.chat_id)
        fresh.customer_name = sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation_id,
                                           field="customer_name", text=found.contact_name)
    start = found.conversation if found.conversation is not None else fresh
    assert start is not None
    conversation_id = start.conversation_id
    _, message = service._record_reply(ctx, conversation_id, draft, found.integration.integration_id, start=fresh)
    return views.message(ctx, message)
