"""The conversation record type: listed by assignee, channel, status, unread and contact; never created by hand.

A conversation is made by its customer's first message (``messaging``) or started from a contact's card,
and is not trashed: it is the history of what was said. Its list rows carry the inbox's filters as facets
(``CF#channel#whatsapp``, ``CF#status#open``, ``CF#unread#1``, ``CF#contact#<id>``) and sort by the last
message (the rows' gsi2), so the inbox, any filter of it and a contact's threads are each one Query.
"""

from __future__ import annotations

from typing import Any

from chalicelib.conversations.models import Conversation, ConversationRef, ConversationRow
from chalicelib.core import audit, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import listing, types

SEALED_ENTITY = "conversation"  # the preview and the customer's name are sealed under the conversation's id


def _last(conversation: Any) -> str:
    moment = conversation.last_message_at or conversation.created_at
    return moment.isoformat() if moment is not None else ""


def facets(conversation: Conversation) -> listing.Facets:
    """A conversation is listed by its assignee (owner), channel, status, unread state and contact."""
    custom = [("channel", conversation.channel), ("status", conversation.status),
              ("unread", "1" if int(conversation.unread_count or 0) > 0 else "0")]
    if conversation.contact_id:
        custom.append(("contact", conversation.contact_id))
    # The inbox sorts by the last message: it stands in for the rows' update order (gsi2).
    return listing.Facets(record_id=conversation.conversation_id, owner_id=conversation.owner_id,
                          team_id=conversation.team_id, custom=tuple(custom), updated_at=_last(conversation))


def row_values(conversation: Conversation) -> dict[str, Any]:
    """What the inbox shows of a conversation (the preview and name stay sealed in the row)."""
    return {"channel": conversation.channel, "integration_id": conversation.integration_id,
            "contact_id": conversation.contact_id, "contact_skipped": conversation.contact_skipped,
            "sender_unverified": True if conversation.sender_unverified else None,
            "status": conversation.status,
            "last_message_at": conversation.last_message_at, "last_preview": conversation.last_preview,
            "last_direction": conversation.last_direction, "customer_name": conversation.customer_name,
            "unread_count": int(conversation.unread_count or 0)}


def ref_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's provider chat ids (``models.ConversationRef``)."""
    return tenant_key(ctx, "CVREF", integration_id)


def tenant_links(ctx: TenantContext, conversation: Conversation) -> list[tuple[str, str | None]]:
    """The provider's reference to the chat, which the tenant's export and purge reach through it."""
    return [(ref_pk(ctx, conversation.integration_id), conversation.chat_key)] if conversation.chat_key else []


def derived(ctx: TenantContext, conversation: Conversation) -> list[Any]:
    """What a conversation's stored state gives (an import builds it again under the new tenant's key): its list
    rows, and its chat's reference, whose key is the chat id's blind index (the conversation takes the new one)."""
    from chalicelib.core import crypto, db
    from chalicelib.records import store

    change = db.Change()
    store.rewrite_rows(ctx, CONVERSATION, change, None, conversation,
                       store.row_builder(CONVERSATION, conversation, pending=False))
    made: list[Any] = [*change.saves, *change.creates]
    if conversation.provider_chat_id:
        chat = crypto.decrypt_field(ctx, entity=SEALED_ENTITY, record_id=conversation.conversation_id,
                                    field="provider_chat_id", token=conversation.provider_chat_id)
        conversation.chat_key = crypto.blind_index(ctx, entity=SEALED_ENTITY, field="chat", value=chat)
        made.append(ConversationRef(ref_pk(ctx, conversation.integration_id), conversation.chat_key,
                                    conversation_id=conversation.conversation_id))
    return made


NOT_REVERTABLE = "A conversation cannot be reverted; assign, close or reopen it instead."


def _not_revertable(ctx: TenantContext, conversation_id: str, before: dict[str, Any] | None,
                    expected: int | None) -> None:
    """A conversation is what was said; it is assigned, closed and reopened again rather than reverted."""
    raise errors.ConflictError(NOT_REVERTABLE, code="not_revertable")


audit.register_reverter("conversation", _not_revertable, refuses=lambda before, after: NOT_REVERTABLE)

CONVERSATION = types.register(types.RecordType(
    name="conversation", plural="conversations", prefix="CV", model=Conversation, id_attribute="conversation_id",
    space="CVX", row_model=ConversationRow, lists=("ALL", "OWNER", "TEAM", "CF"), sorts=("updated",),
    # last_inbound_at: a customer's message moves it, so the domain-event feed sees one (message.received, #19)
    audit_fields=("channel", "integration_id", "contact_id", "contact_skipped", "deal_id", "status", "owner_id",
                  "last_inbound_at"),
    hooks={"facets": facets, "row_values": row_values, "tenant_links": tenant_links, "derived": derived},
    derived_kinds=("conversation_ref",),
))
