"""``whatsapp``: the WhatsApp Cloud API's webhooks in, its messages endpoint out, media through the Graph API.

Every contract is Meta's published one (developers.facebook.com/documentation/business-messaging/whatsapp):

- Verification requests ("Webhooks", "Verification requests"): ``GET <url>?hub.mode=subscribe&
  hub.verify_token=<token>&hub.challenge=<n>``; the endpoint answers the challenge as it came, 200, when the token
  is the one set in the app dashboard (here: the integration's secret), else 403.
- Event notifications ("Validating payloads"): ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the raw
  body under the app secret. Checked before anything is read; then every change must be for the integration's
  ``phone_number_id`` (``value.metadata.phone_number_id``), else the delivery is refused (nothing stored).
- The ``messages`` webhook ("messages webhook reference"): ``entry[].changes[].value`` with ``metadata``,
  ``contacts[]`` (``profile.name``, ``wa_id``), ``messages[]`` (``from``, ``id`` (wamid), ``timestamp`` (Unix
  seconds), ``type``: text, image, document, audio, video, sticker, location, contacts, button, interactive
  (button_reply, list_reply), with ``referral`` when the chat began from a click-to-WhatsApp ad), and ``statuses[]``
  (``id``, ``status``: sent, delivered, read, failed; ``timestamp``, ``recipient_id``, ``errors[]``). Each message
  and each status is stored as a delivery of its own, deduplicated by the wamid (and the status).
- Sending ("Messages", ``POST https://graph.facebook.com/<version>/<phone_number_id>/messages``, bearer token):
  ``{"messaging_product": "whatsapp", "recipient_type": "individual", "to": <wa_id>, "type": "text",
  "text": {"preview_url": false, "body": ...}}`` or ``"type": "template"``; Meta answers ``{"messages":[{"id":
  "wamid..."}]}`` or ``{"error": {"message", "type", "code", "fbtrace_id"}}``. Free text is accepted only within
  24 hours of the customer's last message (the customer service window); templates outside it.
- Media ("Media", ``GET https://graph.facebook.com/<version>/<media id>``, bearer token) answers ``{"url",
  "mime_type", "sha256", "file_size", "id"}``; the file is a GET of that URL with the same bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed, Reply
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
    Template,
)

GRAPH = "https://graph.facebook.com/v21.0"
MAX_BODY = 256 * 1024
WINDOW_SECONDS = 24 * 60 * 60
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
STATUSES = ("sent", "delivered", "read", "failed")
_GRAPH_ID = r"^[0-9]{1,40}$"


class WhatsAppSettings(MessengerSettings):
    """A WhatsApp Business number: its ids, its access token and the app secret Meta signs with (both sealed)."""

    phone_number_id: str = Field(pattern=_GRAPH_ID, description="The business number's id (WhatsApp Manager)")
    waba_id: str = Field(pattern=_GRAPH_ID, description="The WhatsApp Business Account id")
    access_token: str = Field(min_length=10, max_length=1000, description="A system user's access token")
    app_secret: str = Field(min_length=8, max_length=200, description="The Meta app's secret: it signs the webhooks")


def signature(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 Meta sends with a body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _json(body: bytes) -> Any:
    try:
        return http.load_json(body)  # depth-bounded, like every JSON body the app reads
    except errors.CRMError as exc:
        raise adapters.unparseable("The body is not JSON.") from exc


def _changes(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("object") != "whatsapp_business_account":
        raise adapters.unparseable("Not a WhatsApp Business Account notification.", "object")
    found = []
    for entry in document.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                found.append(change)
    return found


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise ValueError("not a Unix timestamp") from exc


class WhatsAppAdapter(MessagingAdapter):
    type = "whatsapp"
    label = "WhatsApp"
    channel = "whatsapp"
    settings_model = WhatsAppSettings
    secret_settings = ("access_token", "app_secret")
    methods = ("GET", "POST")
    reply_window = WINDOW_SECONDS

    def verified_handshake(self, inbound: Inbound, credentials: Credentials) -> Reply | None:
        if inbound.method != "GET":
            return None
        token = inbound.query.get("hub.verify_token", "")
        challenge = inbound.query.get("hub.challenge", "")
        valid = hmac.compare_digest(token.encode(), credentials.signing_secret.encode())
        if inbound.query.get("hub.mode") == "subscribe" and valid and challenge and len(challenge) <= 200:
            return Reply(status=200, body=challenge, content_type="text/plain")
        return Reply(status=403, body="Forbidden", content_type="text/plain")

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        offered = (inbound.header("x-hub-signature-256") or "").encode()
        expected = signature(credentials.secret("app_secret"), inbound.body).encode()
        if not offered or not hmac.compare_digest(expected, offered):
            raise adapters.invalid_signature()
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("A WhatsApp notification is at most 256 KB.")
        mine = str(credentials.settings.get("phone_number_id") or "")
        for change in _changes(_json(inbound.body)):
            metadata = change["value"].get("metadata") or {}
            carries = "messages" in change["value"] or "statuses" in change["value"]
            if carries and str(metadata.get("phone_number_id") or "") != mine:
                raise errors.ForbiddenError("This notification is for another WhatsApp number.",
                                                code="wrong_phone_number")

    def parse(self, inbound: Inbound) -> list[Parsed]:
        deliveries: list[Parsed] = []
        for change in _changes(_json(inbound.body)):
            value = change["value"]
            common = {"metadata": value.get("metadata") or {}, "contacts": value.get("contacts") or []}
            for message in value.get("messages") or []:
                if not isinstance(message, dict) or not isinstance(message.get("id"), str):
                    raise adapters.unparseable("A message has no id.", "messages")
                summary = f"{message.get('type', 'message')} from …{str(message.get('from'))[-4:]}"
                deliveries.append(Parsed(fields={**common, "messages": [message]}, provider_event_id=message["id"],
                                         summary=summary))
            for status in value.get("statuses") or []:
                if not isinstance(status, dict) or not isinstance(status.get("id"), str):
                    raise adapters.unparseable("A status has no id.", "statuses")
                deliveries.append(Parsed(fields={"metadata": common["metadata"], "statuses": [status]},
                                         provider_event_id=f"{status['id']}:{status.get('status')}",
                                         summary=f"status {status.get('status')}"))
        for delivery in deliveries:  # a signed body we could not read later is refused now, nothing stored
            try:
                self.message_events(delivery.fields)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise adapters.unparseable("A message or status of this notification cannot be read.") from exc
        return deliveries

    def answer(self, inbound: Inbound, event_ids: list[str]) -> Reply:
        return Reply(status=200, body="EVENT_RECEIVED")

    def message_events(self, fields: Mapping[str, Any]) -> list[IncomingMessage | StatusUpdate]:
        names = {str(c.get("wa_id")): ((c.get("profile") or {}).get("name")) for c in fields.get("contacts") or []
                 if isinstance(c, dict)}
        found: list[IncomingMessage | StatusUpdate] = [_message(m, names) for m in fields.get("messages") or []]
        for status in fields.get("statuses") or []:
            if status.get("status") not in STATUSES:
                continue  # "deleted", "warning" ...: nothing a thread shows
            error = next(iter(status.get("errors") or []), None)
            found.append(StatusUpdate(
                provider_message_id=str(status["id"]), status=status["status"], at=_moment(status.get("timestamp")),
                chat_id=str(status.get("recipient_id") or "") or None,
                error={"code": error.get("code"), "title": str(error.get("title") or error.get("message") or "")[:300]}
                if isinstance(error, dict) else None))
        return found

    def send_text(self, credentials: Credentials, *, chat_id: str, text: str) -> Sent:
        return self._send(credentials, {"messaging_product": "whatsapp", "recipient_type": "individual",
                                        "to": chat_id, "type": "text",
                                        "text": {"preview_url": False, "body": text}})

    def send_template(self, credentials: Credentials, *, chat_id: str, template: Template) -> Sent:
        body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
        if template.parameters:
            body["components"] = [{"type": "body", "parameters": [{"type": "text", "text": value}
                                                                  for value in template.parameters]}]
        return self._send(credentials, {"messaging_product": "whatsapp", "recipient_type": "individual",
                                        "to": chat_id, "type": "template", "template": body})

    def send_document(self, credentials: Credentials, *, chat_id: str, url: str, filename: str,
                      caption: str | None = None) -> Sent:
        """A document message: Meta fetches the file from url (a short-lived link of ours)."""
        document = {"link": url, "filename": filename, **({"caption": caption} if caption else {})}
        return self._send(credentials, {"messaging_product": "whatsapp", "recipient_type": "individual",
                                        "to": chat_id, "type": "document", "document": document})

    def _send(self, credentials: Credentials, payload: dict[str, Any]) -> Sent:
        number = str(credentials.settings.get("phone_number_id") or "")
        answer = transport.send(transport.Outbound(
            provider=self.type, method="POST", url=f"{GRAPH}/{number}/messages",
            headers=_auth(credentials) | {"Content-Type": "application/json"},
            body=json.dumps(payload, ensure_ascii=False).encode(), secret_headers=("Authorization",)))
        created = answer.json()
        found: Any = next(iter(created.get("messages") or []), {}) if isinstance(created, dict) else {}
        wamid = found.get("id") if isinstance(found, dict) else None
        if answer.status != 200 or not isinstance(wamid, str):
            error = created.get("error") if isinstance(created, dict) else None
            busy = answer.status == 429 or (isinstance(error, dict) and error.get("code") in WAIT_CODES)
            raise (transport.ProviderBusy if busy else transport.ProviderError)(
                f"WhatsApp refused the message ({answer.status}): {_reason(created)}")
        return Sent(provider_message_id=wamid)

    def fetch_media(self, credentials: Credentials, attachment: Attachment) -> Media:
        if not re.fullmatch(_GRAPH_ID, attachment.provider_media_id):
            raise transport.ProviderError("Not a WhatsApp media id.")
        answer = transport.send(transport.Outbound(provider=self.type, method="GET",
                                                   url=f"{GRAPH}/{attachment.provider_media_id}",
                                                   headers=_auth(credentials), secret_headers=("Authorization",)))
        found = answer.json()
        url = found.get("url") if isinstance(found, dict) else None
        if answer.status != 200 or not isinstance(url, str) or not url.startswith("https://"):
            raise transport.ProviderError(f"WhatsApp answered {answer.status} for the media: {_reason(found)}")
        media = transport.send(transport.Outbound(provider=self.type, method="GET", url=url,
                                                  headers=_auth(credentials), secret_headers=("Authorization",)))
        if media.status != 200 or not media.body:
            raise transport.ProviderError(f"WhatsApp answered {media.status} for the file.")
        return Media(body=media.body, content_type=str(found.get("mime_type") or attachment.mime
                                                       or "application/octet-stream"))

    def chat_link(self, settings: Mapping[str, Any], chat_id: str) -> str | None:
        return f"https://wa.me/{chat_id}" if chat_id.isdigit() else None


# Meta's codes for "send again later", answered with HTTP 400 (developers.facebook.com/documentation/business-messaging/
# whatsapp/support/error-codes): 4 the app's call rate, 80007 the account's rate, 130429 the number's throughput, 131056
# the pair rate (one customer too often), 2 and 131016 its service briefly down.
WAIT_CODES = frozenset({2, 4, 80007, 130429, 131016, 131056})


def _auth(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.secret('access_token')}"}


def _reason(answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return "no reason"
    code, message = error.get("code"), str(error.get("message") or "")
    return (message if code is None or f"#{code}" in message else f"(#{code}) {message}".strip())[:200]


def _message(message: Mapping[str, Any], names: Mapping[str, Any]) -> IncomingMessage:
    """One inbound message of the ``messages`` webhook, whatever its type."""
    sender_id = str(message["from"])
    kind = str(message.get("type") or "unknown")
    content: Mapping[str, Any] = message[kind] if isinstance(message.get(kind), dict) else {}
    text: str | None = None
    attachments: tuple[Attachment, ...] = ()
    if kind == "text":
        text = str(content.get("body") or "")
    elif kind in MEDIA_KINDS:
        text = content.get("caption")
        attachments = (Attachment(kind=kind, provider_media_id=str(content.get("id")),
                                  mime=content.get("mime_type"), name=content.get("filename")),)
    elif kind == "location":
        parts = [content.get("name"), content.get("address"),
                 f"{content.get('latitude')}, {content.get('longitude')}"]
        text = "\n".join(str(p) for p in parts if p)
    elif kind == "contacts":
        cards = message.get("contacts") or []
        text = "\n".join(" ".join(filter(None, [(c.get("name") or {}).get("formatted_name"),
                                               *[p.get("phone") for p in c.get("phones") or []]]))
                         for c in cards if isinstance(c, dict))
    elif kind == "button":
        text = content.get("text") or content.get("payload")
    elif kind == "interactive":
        reply = content.get(str(content.get("type"))) or {}
        text = reply.get("title") or reply.get("id")
    elif kind == "reaction":
        text = content.get("emoji")
    referral = message.get("referral") if isinstance(message.get("referral"), dict) else None
    return IncomingMessage(
        provider_message_id=str(message["id"]), at=_moment(message.get("timestamp")), kind=kind,
        text=str(text)[:4096] if text is not None else None, attachments=attachments,
        sender=Sender(chat_id=sender_id, name=names.get(sender_id), phone="+" + sender_id if sender_id.isdigit()
                      else None),
        referral={k: referral.get(k) for k in ("source_type", "source_id", "source_url", "headline", "ctwa_clid")
                  if referral.get(k)} if referral else None)


# -- the sandbox: the Graph API as Meta documents its answers ------------------------------------

_MESSAGES = re.compile(r"^https://graph\.facebook\.com/v[0-9.]+/([0-9]+)/messages$")
_MEDIA = re.compile(r"^https://graph\.facebook\.com/v[0-9.]+/([0-9]+)$")
_FILE = re.compile(r"^https://lookaside\.fbsbx\.com/whatsapp_business/attachments/\?mid=([0-9]+)")
SANDBOX_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da"
                            "63f8cfc0f01f0005000201d2d4b2d70000000049454e44ae426082")


def sandbox(request: transport.Outbound) -> transport.Answer:
    """Meta's answers: a wamid to a message, a media URL to a media id, the file to that URL, errors as Meta's."""
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return _error(401, 190, "Invalid OAuth access token.")
    if (found := _MESSAGES.match(request.url)) and request.method == "POST":
        try:
            sent = json.loads(request.body)
        except ValueError:
            return _error(400, 100, "Invalid parameter")
        if sent.get("messaging_product") != "whatsapp" or not sent.get("to") or sent.get("type") not in (
                "text", "template", "document") or (sent.get("type") == "document" and not str(
                (sent.get("document") or {}).get("link", "")).startswith("http")):
            return _error(400, 100, "Invalid parameter")
        import uuid

        wamid = "wamid.HBgL" + uuid.uuid4().hex.upper()
        return _ok({"messaging_product": "whatsapp", "contacts": [{"input": sent["to"], "wa_id": sent["to"]}],
                    "messages": [{"id": wamid}]})
    if (found := _MEDIA.match(request.url)) and request.method == "GET":
        media_id = found.group(1)
        return _ok({"messaging_product": "whatsapp", "id": media_id, "mime_type": "image/png",
                    "sha256": hashlib.sha256(SANDBOX_PNG).hexdigest(), "file_size": str(len(SANDBOX_PNG)),
                    "url": f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={media_id}&ext=1"})
    if _FILE.match(request.url) and request.method == "GET":
        return transport.Answer(200, SANDBOX_PNG, {"content-type": "image/png"})
    return _error(404, 803, "Some of the aliases you requested do not exist")


def _ok(body: dict[str, Any]) -> transport.Answer:
    return transport.Answer(200, json.dumps(body).encode(), {"content-type": "application/json"})


def _error(status: int, code: int, message: str) -> transport.Answer:
    body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox"}}
    return transport.Answer(status, json.dumps(body).encode(), {"content-type": "application/json"})


ADAPTER = adapters.register(WhatsAppAdapter())
transport.register_sandbox("whatsapp", sandbox)
