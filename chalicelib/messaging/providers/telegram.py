"""``telegram``: a Telegram bot's updates in (its webhook), sendMessage out, files through getFile.

Every contract is the Bot API's published one (core.telegram.org/bots/api):

- ``setWebhook`` (``POST https://api.telegram.org/bot<token>/setWebhook``, JSON ``url``, ``secret_token``,
  ``allowed_updates``) is called when the integration is created, enabled or changed, and when its URL or secret
  is rotated, with the integration's secret as ``secret_token`` (1-256 characters of ``A-Za-z0-9_-``: ours are
  ``whsec_`` and URL-safe base64). Telegram then sends ``X-Telegram-Bot-Api-Secret-Token`` with every update; an
  update without it, or with another, answers 401 and is not stored. ``getMe`` names the bot (its username makes
  the ``t.me/<bot>?start=<code>`` deep links).
- An ``Update`` holds ``update_id`` and one of ``message`` or ``edited_message`` (``message_id``, ``from``,
  ``chat`` (``id``, ``type``, ``first_name``, ``last_name``, ``username``), ``date`` (Unix seconds), ``text``,
  ``caption``, ``photo`` (sizes, the largest last), ``document`` (``file_id``, ``file_name``, ``mime_type``,
  ``file_size``), ``voice``, ``audio``, ``video``, ``video_note``, ``sticker`` (with its ``emoji``), ``location``,
  ``venue``, ``contact``, ``edit_date``). A message id is unique within its chat, so ours is
  ``<chat id>:<message id>``.
  ``/start <code>`` (a deep link's payload) binds the chat to the contact the code was made for.
- ``sendMessage`` (``chat_id``, ``text``) answers ``{"ok": true, "result": Message}``, or ``{"ok": false,
  "error_code", "description"}``. The Bot API reports no delivery or read receipts: a sent message stays "sent".
- ``getFile`` (``file_id``) answers a ``File`` with ``file_path``, downloaded from
  ``https://api.telegram.org/file/bot<token>/<file_path>`` (files up to 20 MB).
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed
from chalicelib.core import errors, http
from chalicelib.messaging.events import (
    Attachment,
    IncomingMessage,
    Media,
    MessagingAdapter,
    MessengerSettings,
    Sender,
    Sent,
    StatusUpdate,
)

API = "https://api.telegram.org"
MAX_BODY = 128 * 1024
ALLOWED_UPDATES = ("message", "edited_message")
_TOKEN = r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$"


class TelegramSettings(MessengerSettings):
    """A Telegram bot: its token (sealed) from @BotFather; its username is learned from Telegram."""

    bot_token: str = Field(pattern=_TOKEN, description="The bot's token, from @BotFather")
    bot_username: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{3,64}$",
                                     description="Filled in from Telegram (getMe)")


def _call(credentials: Credentials, method: str, payload: Mapping[str, Any]) -> Any:
    token = credentials.secret("bot_token")
    answer = transport.send(transport.Outbound(
        provider="telegram", method="POST", url=f"{API}/bot{token}/{method}",
        headers={"Content-Type": "application/json"}, body=json.dumps(payload, ensure_ascii=False).encode(),
        secret_values=(token,)))
    found = answer.json()
    if answer.status != 200 or not isinstance(found, dict) or found.get("ok") is not True:
        reason = found.get("description") if isinstance(found, dict) else None
        refused = transport.ProviderBusy if answer.status == 429 else transport.ProviderError  # "retry after N"
        raise refused(f"Telegram refused {method} ({answer.status}): {str(reason or '')[:200]}")
    return found.get("result")


def _message_of(update: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    for key, edited in (("message", False), ("edited_message", True)):
        found = update.get(key)
        if isinstance(found, dict):
            return found, edited
    raise KeyError("no message")


class TelegramAdapter(MessagingAdapter):
    type = "telegram"
    label = "Telegram"
    channel = "telegram"
    settings_model = TelegramSettings
    secret_settings = ("bot_token",)

    def connect(self, credentials: Credentials) -> Mapping[str, Any] | None:
        _call(credentials, "setWebhook", {"url": credentials.webhook_url, "secret_token": credentials.signing_secret,
                                          "allowed_updates": list(ALLOWED_UPDATES), "drop_pending_updates": False})
        me = _call(credentials, "getMe", {})
        username = me.get("username") if isinstance(me, dict) else None
        return {"bot_username": username} if isinstance(username, str) else None

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        offered = (inbound.header("x-telegram-bot-api-secret-token") or "").encode()
        if not offered or not hmac.compare_digest(offered, credentials.signing_secret.encode()):
            raise adapters.invalid_signature()

    def parse(self, inbound: Inbound) -> list[Parsed]:
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("A Telegram update is at most 128 KB.")
        try:
            update = http.load_json(inbound.body)
        except errors.CRMError as exc:
            raise adapters.unparseable("The body is not JSON.") from exc
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise adapters.unparseable("Not a Telegram update.", "update_id")
        if not any(isinstance(update.get(key), dict) for key in ALLOWED_UPDATES):
            return [Parsed(fields=update, provider_event_id=f"update:{update['update_id']}", summary="other update")]
        try:
            events = self.message_events(update)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise adapters.unparseable("The update's message cannot be read.") from exc
        kind = events[0].kind if events and isinstance(events[0], IncomingMessage) else "update"
        return [Parsed(fields=update, provider_event_id=f"update:{update['update_id']}", summary=f"{kind} message")]

    def message_events(self, fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
        if not any(isinstance(fields.get(key), dict) for key in ALLOWED_UPDATES):
            return []
        message, edited = _message_of(fields)
        chat = message["chat"]
        if chat.get("type", "private") != "private":
            return []  # groups and channels are not a customer's conversation
        sender = message.get("from") or chat
        chat_id = str(int(chat["id"]))
        text = message.get("text") if isinstance(message.get("text"), str) else message.get("caption")
        kind, attachments = _content(message)
        if text is None:
            text = _said(message)
        start = re.fullmatch(r"/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})", (text or "").strip())
        name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")])) or None
        stamp: Any = message.get("edit_date") if edited and message.get("edit_date") else message["date"]
        at = datetime.fromtimestamp(int(stamp), UTC)
        return [IncomingMessage(
            provider_message_id=f"{chat_id}:{int(message['message_id'])}", at=at, kind=kind,
            text=str(text)[:4096] if text is not None else None, attachments=attachments, edited=edited,
            sender=Sender(chat_id=chat_id, name=name, username=sender.get("username"),
                          first_name=_part(sender.get("first_name")), last_name=_part(sender.get("last_name"))),
            start_code=start.group(1) if start else None)]

    def send_text(self, credentials: Credentials, *, chat_id: str, text: str) -> Sent:
        result = _call(credentials, "sendMessage", {"chat_id": int(chat_id), "text": text})
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            raise transport.ProviderError("Telegram answered no message.")
        return Sent(provider_message_id=f"{chat_id}:{result['message_id']}")

    def send_document(self, credentials: Credentials, *, chat_id: str, url: str, filename: str,
                      caption: str | None = None) -> Sent:
        """sendDocument by URL: Telegram fetches the file itself (by URL it takes PDF and ZIP files only)."""
        payload: dict[str, Any] = {"chat_id": int(chat_id), "document": url}
        if caption:
            payload["caption"] = caption[:1024]
        result = _call(credentials, "sendDocument", payload)
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            raise transport.ProviderError("Telegram answered no message.")
        return Sent(provider_message_id=f"{chat_id}:{result['message_id']}")

    def fetch_media(self, credentials: Credentials, attachment: Attachment) -> Media:
        found = _call(credentials, "getFile", {"file_id": attachment.provider_media_id})
        path = found.get("file_path") if isinstance(found, dict) else None
        if not isinstance(path, str) or ".." in path:
            raise transport.ProviderError("Telegram gave no file path.")
        token = credentials.secret("bot_token")
        answer = transport.send(transport.Outbound(provider=self.type, method="GET",
                                                   url=f"{API}/file/bot{token}/{path}", secret_values=(token,)))
        if answer.status != 200 or not answer.body:
            raise transport.ProviderError(f"Telegram answered {answer.status} for the file.")
        return Media(body=answer.body, content_type=attachment.mime or answer.headers.get(
            "content-type", "application/octet-stream"))

    def chat_link(self, settings: Mapping[str, Any], chat_id: str) -> str | None:
        username = settings.get("bot_username")
        return f"https://t.me/{username}" if username else None


# A file message's key and the kind the inbox shows it as (a voice note is read as a voice message; a round video
# note as a video); a photo is a list of sizes, the largest last.
FILE_KINDS = (("document", "document"), ("voice", "audio"), ("audio", "audio"), ("video", "video"),
              ("video_note", "video"), ("sticker", "sticker"))
DEFAULT_MIME = {"voice": "audio/ogg", "video_note": "video/mp4",
                "sticker": "image/webp"}  # a sticker's mime is not given: a still one is WebP


def _part(value: Any) -> str | None:
    """A part of a user's name as Telegram gives it (first_name, last_name), or None."""
    return value.strip() or None if isinstance(value, str) else None


def _content(message: Mapping[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    """The message's kind and its file (a photo's largest size), or ``text`` and none."""
    if isinstance(message.get("photo"), list) and message["photo"]:
        largest = message["photo"][-1]
        return "image", (Attachment(kind="image", provider_media_id=str(largest["file_id"]), mime="image/jpeg",
                                    size=largest.get("file_size")),)
    for key, kind in FILE_KINDS:
        found = message.get(key)
        if isinstance(found, dict):
            mime = found.get("mime_type") or (None if key == "sticker" and (found.get("is_animated") or
                                                                            found.get("is_video"))
                                              else DEFAULT_MIME.get(key))
            return kind, (Attachment(kind=kind, provider_media_id=str(found["file_id"]), mime=mime,
                                     name=found.get("file_name"), size=found.get("file_size")),)
    if isinstance(message.get("location"), dict) or isinstance(message.get("venue"), dict):
        return "location", ()
    if isinstance(message.get("contact"), dict):
        return "contacts", ()
    return "text", ()


def _said(message: Mapping[str, Any]) -> str | None:
    """What a message without text says: a sticker's emoji, a place, a shared contact (as WhatsApp's read)."""
    sticker, venue, contact = (message.get(key) if isinstance(message.get(key), dict) else None
                               for key in ("sticker", "venue", "contact"))
    if sticker is not None:
        return str(sticker["emoji"]) if sticker.get("emoji") else None
    place = (venue or {}).get("location") or message.get("location")
    if isinstance(place, dict):
        parts = [(venue or {}).get("title"), (venue or {}).get("address"),
                 f"{place.get('latitude')}, {place.get('longitude')}"]
        return "\n".join(str(part) for part in parts if part)
    if contact is not None:
        return " ".join(str(part) for part in (contact.get("first_name"), contact.get("last_name"),
                                               contact.get("phone_number")) if part) or None
    return None


# -- the sandbox: the Bot API as Telegram documents its answers ---------------------------------

_METHOD = re.compile(r"^https://api\.telegram\.org/bot([0-9]{1,20}:[A-Za-z0-9_-]{20,100})/(\w+)$")
_FILE = re.compile(r"^https://api\.telegram\.org/file/bot[0-9]{1,20}:[A-Za-z0-9_-]{20,100}/(.+)$")
_SENT = {"n": 0}


def _message_id() -> int:
    """The next id the sandbox gives a sent message: from the clock on (milliseconds), so ids keep rising over a
    restart of make run, whose conversations keep the ids already claimed (Telegram's rise per chat)."""
    _SENT["n"] = max(_SENT["n"] + 1, int(time.time() * 1000))
    return _SENT["n"]


def sandbox(request: transport.Outbound) -> transport.Answer:
    """Telegram's answers to setWebhook, getMe, sendMessage, sendDocument, getFile and a file download."""
    if _FILE.match(request.url) and request.method == "GET":
        from chalicelib.messaging.providers.whatsapp import SANDBOX_PNG

        return transport.Answer(200, SANDBOX_PNG, {"content-type": "image/png"})
    found = _METHOD.match(request.url)
    if found is None:
        return _error(404, "Not Found")
    try:
        params = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "Bad Request: can't parse JSON")
    bot_id, method = found.group(1).split(":")[0], found.group(2)
    if method == "setWebhook":
        secret = str(params.get("secret_token") or "")
        if not str(params.get("url", "")).startswith("http") or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            return _error(400, "Bad Request: bad webhook")
        return _ok(True, description="Webhook was set")
    if method == "getMe":
        return _ok({"id": int(bot_id), "is_bot": True, "first_name": "CRM bot", "username": f"crm{bot_id}_bot"})
    if method == "sendMessage":
        if not isinstance(params.get("chat_id"), int) or not str(params.get("text") or "").strip():
            return _error(400, "Bad Request: message text is empty")
        return _ok({"message_id": _message_id(), "date": int(datetime.now(UTC).timestamp()), "text": params["text"],
                    "chat": {"id": params["chat_id"], "type": "private"}})
    if method == "sendDocument":
        if not isinstance(params.get("chat_id"), int) or not str(params.get("document") or "").startswith("http"):
            return _error(400, "Bad Request: there is no document in the request")
        return _ok({"message_id": _message_id(), "date": int(datetime.now(UTC).timestamp()),
                    "chat": {"id": params["chat_id"], "type": "private"},
                    "document": {"file_id": "sandbox-document", "mime_type": "application/pdf"}})
    if method == "getFile":
        return _ok({"file_id": params.get("file_id"), "file_unique_id": "sandbox", "file_size": 68,
                    "file_path": "photos/file_0.png"})
    return _error(404, "Not Found: method not found")


def _ok(result: Any, **extra: Any) -> transport.Answer:
    return transport.Answer(200, json.dumps({"ok": True, "result": result, **extra}).encode(),
                            {"content-type": "application/json"})


def _error(code: int, description: str) -> transport.Answer:
    return transport.Answer(code, json.dumps({"ok": False, "error_code": code, "description": description}).encode(),
                            {"content-type": "application/json"})


ADAPTER = adapters.register(TelegramAdapter())
transport.register_sandbox("telegram", sandbox)
