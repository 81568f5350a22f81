"""Conversations: the inbox, a thread and its replies, starting one from a card, read, assign, close, reopen."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.conversations import schemas as s
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.core.schema import Schema
from chalicelib.messaging import (
    service,
    tenantdata_items,  # noqa: F401 - declares the items to tenant data
    views,
)

api = Api(__name__, tag="conversations")
BASE = "/api/v1/conversations"
ITEM = BASE + "/{conversation_id}"


class TelegramLinkIn(Schema):
    integration_id: s.RefId


@api.route(BASE, summary="The inbox: conversations, newest message first, by channel, status, assignee, unread",
           query=s.ConversationListQuery, response=s.ConversationPage, errors=(400, 403, 422))
def conversations_list(request: ApiRequest) -> dict[str, Any]:
    page = service.list_conversations(request.tenant, request.query)
    return {"items": page.items, "next_cursor": page.next_cursor}


@api.route(BASE, method="POST", summary="Write to a contact on a messenger line (its conversation there, or a new one)",
           body=s.ConversationStart, status=201, errors=(403, 404, 409, 422, 502))
def conversations_start(request: ApiRequest) -> Response:
    return json_response(service.start(request.tenant, request.body), status=201)


@api.route(BASE + "/unread", summary="How many conversations I may see have unread messages (the nav's badge)",
           errors=(403,))
def conversations_unread(request: ApiRequest) -> dict[str, Any]:
    return service.unread_count(request.tenant)


@api.route(BASE + "/stats", summary="Message counters of a period per employee and channel (first responses too)",
           query=s.StatsQuery, response=s.StatsRead, errors=(403, 422))
def conversations_stats(request: ApiRequest) -> dict[str, Any]:
    return {"items": service.stats(request.tenant, request.query)}


@api.route(BASE + "/lines", summary="The messenger lines a conversation may be started on", response=s.LinePage,
           errors=(403,))
def conversations_lines(request: ApiRequest) -> dict[str, Any]:
    return {"items": service.lines(request.tenant)}


@api.route(ITEM, summary="One conversation, with its reply window", response=s.ConversationRead, errors=(404,))
def conversations_get(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return service.conversation_read(ctx, service.get_conversation(ctx, conversation_id))


@api.route(ITEM + "/messages", summary="A conversation's messages, newest first", query=s.MessageListQuery,
           response=s.MessagePage, errors=(400, 404))
def conversations_messages(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    query = request.query
    page = service.messages(request.tenant, conversation_id, limit=query.limit, cursor=query.cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@api.route(ITEM + "/messages", method="POST", summary="Reply: free text inside the window, else a template",
           body=s.MessageCreate, response=s.MessageRead, status=201, errors=(403, 404, 409, 422, 502))
def conversations_reply(request: ApiRequest, conversation_id: str) -> Response:
    return json_response(service.reply(request.tenant, conversation_id, request.body), status=201)


@api.route(ITEM + "/messages/{message_id}/attachments/{attachment_id}",
           summary="A five-minute link to a file a customer sent (an audited read)", response=s.AttachmentLink,
           errors=(404,))
def conversations_attachment(request: ApiRequest, conversation_id: str, message_id: str,
                             attachment_id: str) -> dict[str, Any]:
    return service.attachment_link(request.tenant, conversation_id, message_id, attachment_id)


@api.route(ITEM + "/read", method="POST", summary="Mark a conversation read", response=s.ConversationSummary,
           errors=(403, 404))
def conversations_read(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return views.summary(ctx, service.mark_read(ctx, conversation_id))


@api.route(ITEM + "/assign", method="POST", summary="Hand a conversation to someone", body=s.AssignIn,
           response=s.ConversationSummary, errors=(403, 404, 409, 422))
def conversations_assign(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return views.summary(ctx, service.assign(ctx, conversation_id, request.body))


@api.route(ITEM + "/contact", method="POST", summary="Attach a conversation to a contact by hand", body=s.ContactIn,
           response=s.ConversationSummary, errors=(403, 404, 409, 422))
def conversations_attach_contact(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return views.summary(ctx, service.attach_contact(ctx, conversation_id, request.body))


@api.route(ITEM + "/close", method="POST", summary="Close a conversation (the customer's next message reopens it)",
           body=s.VersionIn, response=s.ConversationSummary, errors=(403, 404, 409))
def conversations_close(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return views.summary(ctx, service.set_status(ctx, conversation_id, request.body, "closed"))


@api.route(ITEM + "/reopen", method="POST", summary="Reopen a closed conversation", body=s.VersionIn,
           response=s.ConversationSummary, errors=(403, 404, 409))
def conversations_reopen(request: ApiRequest, conversation_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return views.summary(ctx, service.set_status(ctx, conversation_id, request.body, "open"))


@api.route("/api/v1/contacts/{contact_id}/telegram-link", method="POST",
           summary="A t.me deep link that binds the chat opening it to this contact", body=TelegramLinkIn,
           response=s.TelegramLink, errors=(403, 404, 422))
def conversations_telegram_link(request: ApiRequest, contact_id: str) -> dict[str, Any]:
    return service.telegram_link(request.tenant, contact_id, request.body.integration_id)
