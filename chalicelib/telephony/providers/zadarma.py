"""``zadarma``: Zadarma's PBX notifications (webhooks), its callback request and its call recordings.

Where each contract comes from (read, not guessed):

- Notifications: the official SDK ``zadarma/user-api-v1`` (``lib/Api.php`` ``getWebhookEvent`` and
  ``lib/Webhook/Notify*.php``, which name each event's fields and signed string) and Zadarma's API
  documentation of the notifications in the PBX (zadarma.com/en/support/api/, its webhooks part, as
  published also by Zadarma's Megacall brand, "API - Incoming call notifications", with the PHP check
  ``base64_encode(hash_hmac('sha1', caller_id . called_did . call_start, API_SECRET))``). Zadarma
  posts each event as a form to the notification URL with a ``Signature`` header: base64 of the HEX
  HMAC-SHA1 of a signed string under the API secret (``hash_hmac`` answers the hex string, and that
  string is what is base64-encoded, not the raw digest). The signed string differs per event::

      NOTIFY_START, NOTIFY_INTERNAL, NOTIFY_END, NOTIFY_IVR   caller_id . called_did . call_start
      NOTIFY_ANSWER                                           caller_id . destination . call_start
      NOTIFY_OUT_START, NOTIFY_OUT_END                        internal . destination . call_start
      NOTIFY_RECORD                                           pbx_call_id . call_id_with_rec

  ``pbx_call_id`` is the same on every event of one call ("permanent ID of the external call to the
  PBX"); NOTIFY_END and NOTIFY_OUT_END carry ``duration``, ``disposition`` ('answered', 'busy',
  'cancel', 'no answer', 'failed', 'no money', 'unallocated number', 'no limit', 'no day limit',
  'line limit', 'no money, no limit'), ``is_recorded`` and ``call_id_with_rec``. Saving the URL in
  Zadarma's account first checks it with ``GET <url>?zd_echo=X``, which must answer ``X``. Zadarma
  numbers no event and gives none an id of its own, so the inbox deduplicates by the payload's hash.
- API requests: the same SDK (``lib/Client.php`` ``getAuthHeader``/``encodeSignature``; the Python SDK
  ``zadarma/user-api-py-v1`` ``__get_auth_string_for_header`` is the same algorithm) and the API
  documentation's "Authorization": parameters sorted by name, ``http_build_query`` (RFC 1738), then
  ``Authorization: <api_key>:base64(hex(HMAC-SHA1(method . query . md5(query), api_secret)))``, where
  ``method`` is the path with the version (``/v1/request/callback/``). The SDK adds ``format=json`` to
  every request and sends ``requestCallback`` and ``getPbxRecord`` as GET with the query in the URL.
- Click-to-call: ``GET /v1/request/callback/`` with ``from`` (the employee's extension or SIP, rung
  first) and ``to`` (the customer's number, digits only as the SDK's ``filterNumber`` sends it); it
  answers ``{"status": "success", "from", "to", "time"}`` and no call id (zadarma/openapi
  ``spec/v1/openapi.json``, ``request.callback``).
- Recordings: ``GET /v1/pbx/record/request/`` with ``call_id`` (``call_id_with_rec``) or
  ``pbx_call_id`` and ``lifetime`` (seconds, 180 at least) answers ``{"status": "success", "link",
  "lifetime_till"}`` (``links`` when asked by ``pbx_call_id``); the link is then downloaded as it is
  (openapi ``pbx.record.request.get``; SDK ``getPbxRecord``).

Numbers come as digits in international format without the plus (the documentation's examples,
"442037691880"); the call events give them as E.164. ``call_start`` (``YYYY-MM-DD HH:MM:SS``) has no
offset and every event carries the call's start, not its own moment, so the call events leave ``at``
unset: the time an event is received stands for when it happened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed, Reply
from chalicelib.core import errors
from chalicelib.telephony.events import CallEvent, Dialled, Disposition, Phase, Recording, TelephonyAdapter
from chalicelib.telephony.providers.pbx import silent_wav
from chalicelib.telephony.settings import Credential, TelephonySettings

API_URL = "https://api.zadarma.com"
CALLBACK_METHOD = "/v1/request/callback/"
RECORD_METHOD = "/v1/pbx/record/request/"
LINK_LIFETIME_SECONDS = 180  # the shortest Zadarma allows: the link is downloaded at once
MAX_BODY = 16 * 1024
CALL_START = "%Y-%m-%d %H:%M:%S"
# call_start is in the account's time zone (UTC-12 to UTC+14): an event is stale when its call started
# more than a day before now in any zone, or starts later than now in every zone.
STALE_AFTER = timedelta(days=1, hours=14)
FUTURE_SLACK = timedelta(hours=14, minutes=5)

# event -> the fields whose values, concatenated, Zadarma signs
SIGNED: dict[str, tuple[str, ...]] = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
    "NOTIFY_IVR": ("caller_id", "called_did", "call_start"),  # voice-menu input: signed, stored, no call event
}
# event -> the fields a readable event has (beyond event and pbx_call_id); caller_id may be empty (hidden)
REQUIRED: dict[str, tuple[str, ...]] = {
    "NOTIFY_START": ("call_start",),
    "NOTIFY_INTERNAL": ("call_start",),
    "NOTIFY_ANSWER": ("call_start",),
    "NOTIFY_END": ("call_start", "disposition", "duration"),
    "NOTIFY_OUT_START": ("destination", "call_start"),
    "NOTIFY_OUT_END": ("destination", "call_start", "disposition", "duration"),
    "NOTIFY_RECORD": ("call_id_with_rec",),
    "NOTIFY_IVR": ("call_start",),
}
PHASES: dict[str, Phase] = {"NOTIFY_START": "start", "NOTIFY_INTERNAL": "ringing", "NOTIFY_ANSWER": "answer",
                            "NOTIFY_END": "end", "NOTIFY_OUT_START": "start", "NOTIFY_OUT_END": "end",
                            "NOTIFY_RECORD": "recording"}
DISPOSITIONS: dict[str, Disposition] = {"answered": "answered", "busy": "busy", "no answer": "missed",
                                        "cancel": "missed"}  # any other (no money, limits ...) failed


class ZadarmaSettings(TelephonySettings):
    """A Zadarma integration: the API key and secret from Zadarma's personal account (Settings > API)."""

    api_key: Credential
    api_secret: Credential


def sign(signed: str, secret: str) -> str:
    """Zadarma's signature of a string: base64 of the hex HMAC-SHA1 (the SDK's ``encodeSignature``)."""
    digest = hmac.new(secret.encode(), signed.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def notification_signature(fields: Mapping[str, str], secret: str) -> str:
    """The ``Signature`` header of a notification (its event's fields, concatenated, signed)."""
    return sign("".join(fields.get(name, "") for name in SIGNED[fields["event"]]), secret)


def query_string(params: Mapping[str, str]) -> str:
    """PHP's ``http_build_query`` (RFC 1738) of the parameters sorted by name, as Zadarma signs them."""
    def encode(value: str) -> str:
        return quote_plus(value, safe="").replace("~", "%7E")  # PHP's urlencode leaves no ~ bare

    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))


def authorization(method: str, query: str, *, key: str, secret: str) -> str:
    """The ``Authorization`` header of an API request (``key:signature``)."""
    return f"{key}:{sign(method + query + hashlib.md5(query.encode(), usedforsecurity=False).hexdigest(), secret)}"


def _call_start(fields: Mapping[str, str]) -> datetime | None:
    """call_start as a naive local time, or None when it is not one."""
    try:
        return datetime.strptime(fields.get("call_start", ""), CALL_START)
    except ValueError:
        return None


def _stale(fields: Mapping[str, str], now: float) -> bool:
    started = _call_start(fields)
    if started is None:
        return False  # an unreadable time is parse's to refuse (422), once the signature holds
    moment = datetime.fromtimestamp(now, tz=UTC).replace(tzinfo=None)
    return started < moment - STALE_AFTER or started > moment + FUTURE_SLACK


def _problem(fields: Mapping[str, str]) -> str | None:
    """What makes a verified notification unreadable, or None."""
    event = fields.get("event", "")
    if event not in REQUIRED:
        return f"unknown event {event[:40]!r}"
    if not fields.get("pbx_call_id") or len(fields["pbx_call_id"]) > 200:
        return "pbx_call_id is missing or too long"
    missing = [name for name in REQUIRED[event] if not fields.get(name)]
    if missing:
        return f"{event} needs {', '.join(missing)}"
    if "call_start" in REQUIRED[event] and _call_start(fields) is None:
        return "call_start is not YYYY-MM-DD HH:MM:SS"
    if "duration" in REQUIRED[event] and not (fields["duration"].isdigit() and len(fields["duration"]) <= 7):
        return "duration is not a number of seconds"
    return None


def _masked(number: str | None) -> str:
    number = number or ""
    return number[:6] + "…" if len(number) > 6 else number  # enough to recognise, not the whole number


def summary(fields: Mapping[str, str]) -> str:
    """A short line for the events list, with the outside number cut short."""
    event = fields.get("event", "")
    outside = fields.get("destination") if event.startswith("NOTIFY_OUT") else fields.get("caller_id")
    parts = [event, fields.get("disposition", ""), _masked(outside) if event != "NOTIFY_RECORD" else ""]
    if event in {"NOTIFY_INTERNAL", "NOTIFY_ANSWER"} and fields.get("internal"):
        parts.append(f"ext {fields['internal']}")
    return " ".join(part for part in parts if part)[:200]


def _number(value: str | None) -> str | None:
    """A number as E.164: Zadarma sends international numbers as digits without the plus ("79161234567",
    "442037691880"); an extension, a SIP id or a hidden number ("0", "anonymous") is left as it came."""
    value = (value or "").strip()
    if value.isdigit() and 8 <= len(value) <= 15:
        return "+" + value
    return value or None


def _recording(fields: Mapping[str, str]) -> dict[str, str] | None:
    if not fields.get("call_id_with_rec"):
        return None
    return {"call_id": fields["call_id_with_rec"], "pbx_call_id": fields.get("pbx_call_id", "")}


class ZadarmaAdapter(TelephonyAdapter):
    type = "zadarma"
    label = "Zadarma"
    settings_model = ZadarmaSettings
    secret_settings = ("api_secret",)
    methods = ("GET", "POST")  # GET: the zd_echo URL check

    def handshake(self, inbound: Inbound) -> Reply | None:
        if inbound.method != "GET":
            return None
        return Reply(200, inbound.query.get("zd_echo", ""), "text/plain")

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        offered = inbound.header("signature") or ""
        if not offered:
            raise adapters.invalid_signature()
        try:
            fields = inbound.form()  # Zadarma signs field values, not the body: they are read to be checked
        except errors.BadRequestError as exc:
            raise adapters.invalid_signature() from exc  # no fields, nothing that could carry a signature
        if fields.get("event") not in SIGNED:
            raise adapters.invalid_signature()  # an event whose signed string nobody documents
        expected = notification_signature(fields, credentials.secret("api_secret"))
        if not hmac.compare_digest(expected.encode(), offered.strip().encode()):
            raise adapters.invalid_signature()
        if _stale(fields, time.time()):
            raise adapters.invalid_signature()

    def parse(self, inbound: Inbound) -> list[Parsed]:
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("A notification is at most 16 KB.")
        fields = inbound.form()
        problem = _problem(fields)
        if problem is not None:
            raise adapters.unparseable(f"Not a Zadarma notification: {problem}")
        return [Parsed(fields=fields, provider_event_id=None, summary=summary(fields))]

    def answer(self, inbound: Inbound, event_ids: list[str]) -> Reply:
        # An empty 200: NOTIFY_START may carry routing instructions back (JSON); we give none.
        return Reply(200, "", "text/plain")

    def call_events(self, fields: Mapping[str, Any]) -> list[CallEvent]:
        raw = {str(k): str(v) for k, v in fields.items()}
        event = raw.get("event", "")
        phase = PHASES.get(event)
        if phase is None or _problem(raw) is not None:
            return []  # NOTIFY_IVR: a caller's voice-menu input says nothing of the call itself
        outbound = event.startswith("NOTIFY_OUT")
        ending = phase == "end"
        return [CallEvent(
            provider_call_id=raw["pbx_call_id"], phase=phase,
            direction=None if phase == "recording" else ("outbound" if outbound else "inbound"),
            from_number=_number(raw.get("caller_id")),
            to_number=_number(raw.get("destination") if outbound else raw.get("called_did")),
            extension=raw.get("internal") or None,
            disposition=DISPOSITIONS.get(raw.get("disposition", ""), "failed") if ending else None,
            duration_seconds=int(raw["duration"]) if ending else None,
            recording=_recording(raw) if phase == "recording" or raw.get("is_recorded") == "1" else None)]

    def dial(self, credentials: Credentials, *, extension: str, number: str) -> Dialled:
        digits = re.sub(r"\D", "", number)
        _api(credentials, CALLBACK_METHOD, {"from": extension, "to": digits})
        return Dialled(provider_call_id=None)  # Zadarma answers from, to and time, no id of the call

    def fetch_recording(self, credentials: Credentials, reference: Mapping[str, str]) -> Recording:
        which = {"call_id": reference["call_id"]} if reference.get("call_id") else {
            "pbx_call_id": reference.get("pbx_call_id", "")}
        found = _api(credentials, RECORD_METHOD, {**which, "lifetime": str(LINK_LIFETIME_SECONDS)})
        links = [found["link"]] if found.get("link") else list(found.get("links") or [])
        if not links or not str(links[0]).startswith("https://"):
            raise transport.ProviderError("Zadarma gave no link to the recording.")
        answer = transport.send(transport.Outbound(provider="zadarma", method="GET", url=str(links[0])))
        if answer.status != 200 or not answer.body:
            raise transport.ProviderError(f"Zadarma answered {answer.status} for the recording.")
        return Recording(body=answer.body, content_type=answer.headers.get("content-type", "audio/mpeg"))


def _api(credentials: Credentials, method: str, params: Mapping[str, str]) -> dict[str, Any]:
    """A signed GET of Zadarma's API (as the SDK sends it), its JSON answer when it succeeded."""
    query = query_string({**params, "format": "json"})
    header = authorization(method, query, key=str(credentials.settings.get("api_key", "")),
                           secret=credentials.secret("api_secret"))
    answer = transport.send(transport.Outbound(
        provider="zadarma", method="GET", url=f"{API_URL}{method}?{query}",
        headers={"Authorization": header}, secret_headers=("Authorization",)))
    found = answer.json()
    if answer.status != 200 or not isinstance(found, dict) or found.get("status") != "success":
        message = str(found.get("message", "")) if isinstance(found, dict) else ""
        raise transport.ProviderError(f"Zadarma refused the request ({answer.status}): {message}"[:300])
    return found


def _sandbox(request: transport.Outbound) -> transport.Answer:
    """Zadarma's API as documented: the callback, the record request, the record download."""
    parts = urlsplit(request.url)
    params = dict(parse_qsl(parts.query))
    if parts.path.startswith("/v1/pbx/record/download/"):
        return transport.Answer(200, silent_wav(), {"content-type": "audio/wav"})
    if ":" not in request.headers.get("Authorization", ""):
        return _json(401, {"status": "error", "message": "Not authorized"})
    if parts.path == CALLBACK_METHOD and params.get("from") and params.get("to"):
        return _json(200, {"status": "success", "from": params["from"], "to": params["to"], "time": int(time.time())})
    if parts.path == RECORD_METHOD and (params.get("call_id") or params.get("pbx_call_id")):
        till = datetime.fromtimestamp(time.time() + LINK_LIFETIME_SECONDS, tz=UTC).strftime(CALL_START)
        name = params.get("call_id") or params["pbx_call_id"]
        link = f"{API_URL}/v1/pbx/record/download/{secrets.token_urlsafe(12)}/{name}.mp3"
        return _json(200, {"status": "success", "lifetime_till": till,
                           **({"link": link} if params.get("call_id") else {"links": [link]})})
    return _json(400, {"status": "error", "message": "Wrong parameters"})


def _json(status: int, payload: dict[str, Any]) -> transport.Answer:
    return transport.Answer(status, json.dumps(payload).encode(), {"content-type": "application/json"})


ADAPTER = ZadarmaAdapter()
adapters.register(ADAPTER)
transport.register_sandbox("zadarma", _sandbox)
