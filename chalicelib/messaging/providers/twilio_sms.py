"""SMS and MMS through a ``twilio`` line: the Messaging webhook in, the Messages API out, delivery statuses.

The telephony issue's Twilio integration carries the account (its SID, its sealed auth token and the number,
``caller_id``); the same ``/hooks/twilio/<key>`` URL takes the number's "A message comes in" webhook and the
status callbacks of the messages we send, signed like voice callbacks (``X-Twilio-Signature``, checked by the
telephony adapter before anything is read). What a delivery is, a call's or a message's, is told by its fields:
Twilio names a message ``MessageSid`` (``SM...``/``MM...``). Contracts (twilio.com/docs/messaging):

- Incoming message ("Messaging webhook request"): ``MessageSid``, ``AccountSid``, ``From``, ``To``, ``Body``,
  ``NumMedia`` and ``MediaUrl<N>``/``MediaContentType<N>`` (files fetched with the account's basic auth).
- Status callback ("Outbound Message Status in Status Callbacks"): ``MessageSid``, ``MessageStatus`` (queued,
  sending, sent, delivered, undelivered, failed, read), ``ErrorCode`` when it failed.
- Sending ("Create a Message resource"): ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form ``To``,
  ``From``, ``Body``, ``StatusCallback``; Twilio answers 201 with the Message resource, whose ``sid`` its
  callbacks carry.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed
from chalicelib.core import errors
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

API = "https://api.twilio.com/2010-04-01"
MESSAGE_SID = r"^(SM|MM)[0-9a-fA-F]{32}$"
E164 = r"^\+[1-9][0-9]{6,14}$"
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "undelivered": "failed", "failed": "failed"}
MAX_MEDIA = 10


def is_message(fields: Mapping[str, Any]) -> bool:
    """True for a Messaging webhook or a message's status callback (a voice callback names a CallSid)."""
    return "MessageSid" in fields or "SmsSid" in fields


def parse(fields: Mapping[str, Any]) -> Parsed:
    """One stored delivery of a signed message webhook (422 when it is not one Twilio sends)."""
    sid = str(fields.get("MessageSid") or fields.get("SmsSid") or "")
    if not re.fullmatch(MESSAGE_SID, sid):
        raise adapters.unparseable("Not a Twilio message: MessageSid.", "MessageSid")
    status = str(fields.get("MessageStatus") or fields.get("SmsStatus") or "received")
    if status not in ("received", "receiving") and status not in STATUSES and status not in ("queued", "sending",
                                                                                             "accepted", "scheduled"):
        raise adapters.unparseable("Not a Twilio message status.", "MessageStatus")
    try:
        events(fields)
    except (KeyError, ValueError, TypeError) as exc:
        raise adapters.unparseable("This Twilio message cannot be read.") from exc
    return Parsed(fields=dict(fields), provider_event_id=f"{sid}:{status}", summary=f"sms {status}")


def events(fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
    """What a stored message delivery says: a customer's message, or a status of ours."""
    sid = str(fields.get("MessageSid") or fields.get("SmsSid"))
    status = str(fields.get("MessageStatus") or fields.get("SmsStatus") or "received")
    now = datetime.now(UTC)  # Twilio's message webhooks carry no time: the moment it is read stands in
    if status in ("received", "receiving"):
        number = str(fields["From"])
        if not re.fullmatch(E164, number):
            raise ValueError("From is not a phone number")
        count = min(int(fields.get("NumMedia") or 0), MAX_MEDIA)
        files = tuple(Attachment(kind=_kind(str(fields.get(f"MediaContentType{n}") or "")),
                                 provider_media_id=str(fields[f"MediaUrl{n}"]),
                                 mime=str(fields.get(f"MediaContentType{n}") or "") or None) for n in range(count))
        body = str(fields.get("Body") or "")
        return [IncomingMessage(provider_message_id=sid, at=now, kind=files[0].kind if files and not body else "text",
                                text=body[:4096] or None, attachments=files,
                                sender=Sender(chat_id=number, phone=number))]
    mapped = STATUSES.get(status)
    if mapped is None:
        return []  # queued, sending, accepted: nothing the thread shows yet
    error = {"code": fields.get("ErrorCode"), "title": str(fields.get("ErrorMessage") or "")[:300]} \
        if fields.get("ErrorCode") else None
    return [StatusUpdate(provider_message_id=sid, status=mapped, at=now,  # type: ignore[arg-type]
                         chat_id=str(fields.get("To") or "") or None, error=error)]


def _kind(mime: str) -> str:
    major = mime.split("/")[0]
    return {"image": "image", "audio": "audio", "video": "video"}.get(major, "document")


class TwilioSmsAdapter(MessagingAdapter):
    """A Twilio line's messages (the line itself is telephony's ``twilio`` adapter: it verifies and parses)."""

    type = "twilio"
    label = "SMS"
    channel = "sms"
    settings_model = MessengerSettings

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        raise errors.InternalError("Twilio deliveries are verified by the line's telephony adapter.")

    def parse(self, inbound: Inbound) -> list[Parsed]:
        raise errors.InternalError("Twilio deliveries are parsed by the line's telephony adapter.")

    def message_events(self, fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
        return events(fields)

    def send_text(self, credentials: Credentials, *, chat_id: str, text: str) -> Sent:
        sender = str(credentials.settings.get("caller_id") or "")
        if not sender:
            missing = {"loc": ["settings", "caller_id"], "type": "missing", "msg": "Set the Twilio number (E.164)"}
            raise errors.ValidationError("SMS needs the Twilio number messages are sent from.",
                                         code="caller_id_required", details=[missing])
        account_sid, authorization = credentials.basic_auth("account_sid", "auth_token")
        form = [("To", chat_id), ("From", sender), ("Body", text)]
        if credentials.webhook_url:
            form.append(("StatusCallback", credentials.webhook_url))
        answer = transport.send(transport.Outbound(
            provider="twilio", method="POST", url=f"{API}/Accounts/{account_sid}/Messages.json",
            body=urlencode(form).encode(), secret_headers=("Authorization",),
            headers={"Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"}))
        created = answer.json()
        sid = created.get("sid") if isinstance(created, dict) else None
        if answer.status != 201 or not isinstance(sid, str) or not re.fullmatch(MESSAGE_SID, sid):
            message = created.get("message") if isinstance(created, dict) else None
            refused = transport.ProviderBusy if answer.status == 429 else transport.ProviderError  # 20429: too many
            raise refused(f"Twilio refused the message ({answer.status}): {message or 'no reason'}")
        return Sent(provider_message_id=sid)

    def fetch_media(self, credentials: Credentials, attachment: Attachment) -> Media:
        url = attachment.provider_media_id
        parts = urlsplit(url)
        if parts.scheme != "https" or not (parts.hostname or "").endswith(".twilio.com"):
            raise transport.ProviderError("The file is not on Twilio: its credentials are not sent there.")
        _, authorization = credentials.basic_auth("account_sid", "auth_token")
        answer = transport.send(transport.Outbound(provider="twilio", method="GET", url=url,
                                                   headers={"Authorization": authorization},
                                                   secret_headers=("Authorization",)))
        if answer.status != 200 or not answer.body:
            raise transport.ProviderError(f"Twilio answered {answer.status} for the file.")
        return Media(body=answer.body, content_type=answer.headers.get("content-type", attachment.mime or
                                                                       "application/octet-stream"))


ADAPTER = TwilioSmsAdapter()

# -- the sandbox: the Messages API and its media as Twilio answers them ------------------------------------------

_MESSAGES = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
_MEDIA = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/MM[0-9a-fA-F]{32}/"
                    r"Media/ME[0-9a-fA-F]{32}$")


def sandbox(request: transport.Outbound) -> transport.Answer | None:
    """Twilio's answers to a message or a message's media (None: not a Messaging request)."""
    found = _MESSAGES.match(request.url) or _MEDIA.match(request.url)
    if found is None:
        return None
    user = base64.b64decode(request.headers.get("Authorization", "Basic ").removeprefix("Basic ") or b"").decode(
        errors="replace").partition(":")[0]
    if user != found.group(1):
        return _error(401, 20003, "Authenticate")
    if found.re is _MEDIA and request.method == "GET":
        from chalicelib.messaging.providers.whatsapp import SANDBOX_PNG

        return transport.Answer(200, SANDBOX_PNG, {"content-type": "image/png"})
    form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    for name, code, message in (("To", 21604, "A 'To' phone number is required."),
                                ("From", 21603, "A 'From' phone number is required."),
                                ("Body", 21602, "Message body is required.")):
        if not form.get(name):
            return _error(400, code, message)
    sid = "SM" + uuid.uuid4().hex
    resource = {"sid": sid, "account_sid": found.group(1), "to": form["To"], "from": form["From"], "body": form["Body"],
                "status": "queued", "direction": "outbound-api", "num_segments": "1", "num_media": "0",
                "uri": f"/2010-04-01/Accounts/{found.group(1)}/Messages/{sid}.json"}
    return transport.Answer(201, json.dumps(resource).encode(), {"content-type": "application/json"})


def _error(status: int, code: int, message: str) -> transport.Answer:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return transport.Answer(status, json.dumps(body).encode(), {"content-type": "application/json"})
