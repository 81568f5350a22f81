"""A messenger each: the requests it makes for a conversation, signed as the provider signs them.

``whatsapp_requests`` plays Meta's verification GET, then a customer's text, an image and a click-to-WhatsApp
ad's first message, and the statuses of a reply we sent (``--reply-id``), each POST signed with
``X-Hub-Signature-256`` under the app secret; ``telegram_requests`` plays a bot's updates (``/start <code>``
when given, a text, a photo, an edit), each carrying ``X-Telegram-Bot-Api-Secret-Token``. Standard library only:
it runs on an integrator's machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from webhooks.simulate import Request

SCENARIOS = ("text", "image", "ad", "statuses")


@dataclass(frozen=True)
class Chat:
    """Who writes, to which business number, and when."""

    customer: str = "+79161234567"  # E.164 (WhatsApp's wa_id is its digits)
    name: str = "Maria Ivanova"
    phone_number_id: str = "106540352242922"
    display_number: str = "15550783881"
    waba_id: str = "102290129340398"
    chat_id: int = 424242  # a Telegram private chat
    username: str | None = None  # the sender's Telegram @username; by default made of the name ("maria_i")
    start: float = field(default_factory=lambda: time.time() - 60)  # its messages were written a minute ago
    serial: str = field(default_factory=lambda: secrets.token_hex(6))


def whatsapp_signature(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 Meta sends: sha256=<hex HMAC-SHA256 of the raw body under the app secret>."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_check(url: str, verify_token: str, challenge: str = "1158201444") -> Request:
    """Meta's verification request (a GET: the body is empty)."""
    query = urlencode({"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge})
    return Request(url=f"{url}?{query}", body=b"", headers={"User-Agent": "facebookexternalua"}, method="GET")


def _notification(chat: Chat, value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": chat.waba_id, "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": chat.display_number, "phone_number_id": chat.phone_number_id},
        **value}, "field": "messages"}]}]}


def whatsapp_post(url: str, app_secret: str, document: dict[str, Any]) -> Request:
    """A notification POST, signed."""
    body = json.dumps(document, separators=(",", ":")).encode()
    return Request(url=url, body=body, headers={"Content-Type": "application/json", "User-Agent": "facebookexternalua",
                                                "X-Hub-Signature-256": whatsapp_signature(app_secret, body)})


def whatsapp_message(chat: Chat, n: int, kind: str, content: dict[str, Any], *, at: float | None = None,
                     **extra: Any) -> dict[str, Any]:
    """A ``messages`` notification with one inbound message."""
    wa_id = chat.customer.lstrip("+")
    message = {"from": wa_id, "id": f"wamid.SIM{chat.serial}{n:04d}", "timestamp": str(int(at or chat.start + n)),
               "type": kind, kind: content, **extra}
    return _notification(chat, {"contacts": [{"profile": {"name": chat.name}, "wa_id": wa_id}], "messages": [message]})


def whatsapp_status(chat: Chat, wamid: str, status: str, *, at: float | None = None) -> dict[str, Any]:
    """A ``messages`` notification with one status of a message we sent."""
    found: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(at or time.time())),
                             "recipient_id": chat.customer.lstrip("+")}
    if status == "failed":
        found["errors"] = [{"code": 131047, "title": "Re-engagement message",
                            "message": "Re-engagement message", "error_data": {
                                "details": "Message failed to send because more than 24 hours have passed"}}]
    return _notification(chat, {"statuses": [found]})


def whatsapp_requests(scenario: str, url: str, *, app_secret: str, verify_token: str, chat: Chat,
                      reply_id: str | None = None) -> list[Request]:
    """The requests Meta makes for one scenario (the verification GET first)."""
    sign = lambda document: whatsapp_post(url, app_secret, document)  # noqa: E731
    if scenario == "text":
        first = whatsapp_message(chat, 1, "text", {"body": "Hello! Is it in stock?"})
        return [whatsapp_check(url, verify_token), sign(first)]
    if scenario == "image":
        return [sign(whatsapp_message(chat, 2, "image", {"caption": "Like this one", "mime_type": "image/jpeg",
                                                         "sha256": "c0ffee", "id": "1234567890123456"}))]
    if scenario == "ad":
        referral = {"source_url": "https://fb.me/ad", "source_id": "120210000000", "source_type": "ad",
                    "headline": "Spring sale", "body": "Write to us", "media_type": "image",
                    "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"}
        return [sign(whatsapp_message(chat, 3, "text", {"body": "I saw your ad"}, referral=referral))]
    if scenario == "statuses":
        if not reply_id:
            return []
        return [sign(whatsapp_status(chat, reply_id, status)) for status in ("sent", "delivered", "read")]
    raise ValueError(f"unknown scenario {scenario}")


def telegram_username(chat: Chat) -> str:
    """The sender's @username: the chat's own, or one made of its name as people make theirs ("Maria Ivanova" is
    maria_i; a name in another script, user<chat id>), so two people writing to a bot are two usernames, as in
    Telegram, where a username is one account's."""
    if chat.username:
        return chat.username
    first, _, last = chat.name.partition(" ")
    made = first.lower() + (f"_{last[0].lower()}" if last else "")
    return made if re.fullmatch(r"[a-z][a-z0-9_]{4,31}", made) else f"user{chat.chat_id}"


def telegram_update(chat: Chat, update_id: int, message: dict[str, Any], *, edited: bool = False) -> dict[str, Any]:
    """A bot's Update with one private message."""
    first, _, last = chat.name.partition(" ")
    username = telegram_username(chat)
    user = {"id": chat.chat_id, "is_bot": False, "first_name": first, "last_name": last or None,
            "username": username, "language_code": "ru"}
    body = {"chat": {"id": chat.chat_id, "type": "private", "first_name": first, "username": username},
            "from": {k: v for k, v in user.items() if v is not None}, "date": int(chat.start) + update_id % 10,
            **message}
    return {"update_id": update_id, ("edited_message" if edited else "message"): body}


def telegram_post(url: str, secret_token: str, update: dict[str, Any]) -> Request:
    """An update POST, carrying the webhook's secret token."""
    body = json.dumps(update, ensure_ascii=False).encode()
    return Request(url=url, body=body, headers={"Content-Type": "application/json",
                                                "X-Telegram-Bot-Api-Secret-Token": secret_token})


def telegram_requests(url: str, *, secret_token: str, chat: Chat, start_code: str | None = None) -> list[Request]:
    """A conversation a customer has with a bot: /start (with a code), a text, a photo, then an edit of the text."""
    base = int(chat.start) % 100_000 * 10  # update ids base+1..base+4; their last digit dates them (telegram_update)
    steps = []
    if start_code:
        steps.append(telegram_update(chat, base + 1, {"message_id": 10, "text": f"/start {start_code}"}))
    steps += [telegram_update(chat, base + 2, {"message_id": 11, "text": "Hi, do you deliver on Sundays?"}),
              telegram_update(chat, base + 3, {"message_id": 12, "caption": "This address", "photo": [
                  {"file_id": "AgACAgIAAxsmall", "file_unique_id": "s1", "file_size": 900, "width": 90, "height": 67},
                  {"file_id": "AgACAgIAAxlarge", "file_unique_id": "l1", "file_size": 68000, "width": 1280,
                   "height": 960}]}),
              telegram_update(chat, base + 4, {"message_id": 11, "text": "Hi, do you deliver on Sundays and Mondays?",
                                                "edit_date": int(chat.start) + 60}, edited=True)]
    return [telegram_post(url, secret_token, step) for step in steps]


SMS_STATUSES = ("sent", "delivered", "undelivered", "failed")


def sms_requests(url: str, *, auth_token: str, account_sid: str, chat: Chat, line: str = "+74951234567",
                 reply_id: str | None = None, statuses: tuple[str, ...] = ()) -> list[Request]:
    """A customer's SMS to a Twilio number (and, given our reply's or campaign message's sid, its statuses: sent and
    delivered unless others are named, then without the customer's message; a failure with Twilio's ErrorCode),
    signed as Twilio signs."""
    from webhooks.providers.twilio import signature

    sid = "SM" + hashlib.sha256(f"{chat.serial}:sms".encode()).hexdigest()[:32]
    incoming = {"ToCountry": "RU", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
                "Body": "Hello, is my order ready?", "To": line, "NumSegments": "1", "MessageSid": sid,
                "AccountSid": account_sid, "From": chat.customer, "ApiVersion": "2010-04-01"}
    steps = [] if statuses and reply_id else [incoming]
    if reply_id:
        steps += [{"MessageSid": reply_id, "SmsSid": reply_id, "MessageStatus": status, "SmsStatus": status,
                   "AccountSid": account_sid, "From": line, "To": chat.customer, "ApiVersion": "2010-04-01",
                   **({"ErrorCode": "30003"} if status in ("undelivered", "failed") else {})}
                  for status in statuses or ("sent", "delivered")]
    return [Request(url=url, body=urlencode(fields).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "X-Twilio-Signature": signature(auth_token, url, fields)}) for fields in steps]
