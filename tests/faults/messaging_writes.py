"""Requests of the messaging routes for the fault suite: each messenger's hook with a correctly signed first
message, a reply, the inbox's actions (a contact attached by hand among them), a conversation started from a card
and a Telegram deep link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.faults.fresh import Call, Fresh
from tests.messaging.kit import APP_SECRET, TELEGRAM, WHATSAPP
from webhooks.messengers import Chat, telegram_post, telegram_update, whatsapp_message, whatsapp_post


def _line(fresh: Fresh, kind: str) -> dict[str, Any]:
    return fresh.post("/api/v1/integrations", {"type": kind, "name": f"Faulty {kind}",
                                               "settings": WHATSAPP if kind == "whatsapp" else TELEGRAM})


def _as_call(request: Any) -> Call:
    split = urlsplit(request.url)
    return Call(request.method, split.path + (f"?{split.query}" if split.query else ""), None,
                raw=request.body.decode(), headers=request.headers)


def _whatsapp_hook(fresh: Fresh) -> Call:
    line = _line(fresh, "whatsapp")
    chat = Chat(customer="+79165550101")  # a new line each case: a new conversation
    return _as_call(whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_message(chat, 1, "text", {"body": "Hi"})))


def _telegram_hook(fresh: Fresh) -> Call:
    line = _line(fresh, "telegram")
    return _as_call(telegram_post(line["webhook_url"], line["secret"],
                                  telegram_update(Chat(chat_id=555001), 1, {"message_id": 1, "text": "Hi"})))


def _conversation(fresh: Fresh) -> dict[str, Any]:
    made: dict[str, Any] = fresh.record("conversation_id")
    return made


def _reply(fresh: Fresh) -> Call:
    conversation = _conversation(fresh)
    return Call("POST", f"/api/v1/conversations/{conversation['id']}/messages", fresh.owner, {"text": "Faulty reply"})


def _assign(fresh: Fresh) -> Call:
    conversation = _conversation(fresh)
    return Call("POST", f"/api/v1/conversations/{conversation['id']}/assign", fresh.owner,
                {"version": conversation["version"], "assignee_id": fresh.world.a.owner.user_id})


def _reopen(fresh: Fresh) -> Call:
    conversation = _conversation(fresh)
    closed = fresh.post(f"/api/v1/conversations/{conversation['id']}/close", {"version": conversation["version"]})
    return Call("POST", f"/api/v1/conversations/{conversation['id']}/reopen", fresh.owner,
                {"version": closed["version"]})


def _attach(fresh: Fresh) -> Call:
    conversation, contact = _conversation(fresh), fresh.contact()
    return Call("POST", f"/api/v1/conversations/{conversation['id']}/contact", fresh.owner,
                {"version": conversation["version"], "contact_id": contact["id"]})


def _start(fresh: Fresh) -> Call:
    line = _line(fresh, "telegram")
    contact = fresh.post("/api/v1/contacts", {"first_name": "Faulty", "messengers": {"telegram_id": "555002"}})
    return Call("POST", "/api/v1/conversations", fresh.owner, {"contact_id": contact["id"],
                                                               "integration_id": line["id"], "text": "Hello"})


def _telegram_link(fresh: Fresh) -> Call:
    line = _line(fresh, "telegram")
    contact = fresh.contact()
    return Call("POST", f"/api/v1/contacts/{contact['id']}/telegram-link", fresh.owner,
                {"integration_id": line["id"]})


MESSAGING_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /hooks/whatsapp/{key}": _whatsapp_hook,
    "POST /hooks/telegram/{key}": _telegram_hook,
    "POST /api/v1/conversations": _start,
    "POST /api/v1/conversations/{conversation_id}/messages": _reply,
    "POST /api/v1/conversations/{conversation_id}/assign": _assign,
    "POST /api/v1/conversations/{conversation_id}/reopen": _reopen,
    "POST /api/v1/conversations/{conversation_id}/contact": _attach,
    "POST /api/v1/contacts/{contact_id}/telegram-link": _telegram_link,
}
