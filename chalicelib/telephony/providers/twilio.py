"""``twilio``: Twilio Voice status and recording callbacks, click-to-call through the Calls API, recordings.

Every contract is Twilio's published one; the tests check ours against Twilio's Python SDK
(twilio/twilio-python 9.13), which the runtime never imports (bundle size, cold start):

- Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security; the SDK's
  ``twilio/request_validator.py``): ``X-Twilio-Signature`` is the base64 HMAC-SHA1, under the account's
  auth token, of the full URL Twilio called (query included) followed by each POST parameter's name and
  value, sorted by name. Like the SDK's ``validate`` we accept it over the URL with or without its port.
  It holds no time, so nothing makes it stale but a replaced auth token; a replayed request is caught
  by its event id (the inbox keeps ids 30 days). Webhooks a Webhook Rule signs with a SharedKey
  (``X-Twilio-Webhooks-Signature-Settings``) cannot pass: the integration holds the auth token only.
- Status callbacks (https://www.twilio.com/docs/voice/api/call-resource "StatusCallback",
  "StatusCallbackEvent"; TwiML ``<Number>``/``<Client>``/``<Sip>`` ``statusCallback``,
  https://www.twilio.com/docs/voice/twiml/number): a form post per leg and status: ``CallSid``,
  ``AccountSid``, ``From``, ``To``, ``CallStatus`` (queued, initiated, ringing, in-progress, completed,
  busy, failed, no-answer, canceled; the ``answered`` event comes as in-progress), ``Direction``
  (inbound, outbound-api, outbound-dial), ``ParentCallSid`` on a leg ``<Dial>`` placed, ``CallDuration``
  when it ends, ``Timestamp`` (RFC 2822), ``CallbackSource``, ``SequenceNumber``.
- Recording status callbacks (https://www.twilio.com/docs/voice/api/recording "RecordingStatusCallback";
  Twilio's "Getting Started with Recording Status Callbacks"): ``AccountSid``, ``CallSid``,
  ``RecordingSid``, ``RecordingUrl``, ``RecordingStatus`` (in-progress, completed, absent, failed),
  ``RecordingDuration``, ``RecordingSource``. The audio is ``RecordingUrl`` + ``.mp3`` with HTTP basic
  auth ``account_sid:auth_token`` (same page, "Fetch a Recording media file").
- Click-to-call (the Call resource's "Create a Call"; the SDK's ``CallList.create``): ``POST
  https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Calls.json``, basic auth, form fields ``To``
  (the employee), ``From`` (caller_id), ``Twiml`` (``<Dial>`` the customer), ``StatusCallback`` with one
  ``StatusCallbackEvent`` field per event, ``Record`` and ``RecordingStatusCallback``; Twilio answers
  201 with the Call resource, whose ``sid`` the call's callbacks carry.

One call, several legs, one ``provider_call_id`` (the parent leg's sid): an incoming call is its own
leg (inbound) plus one leg per extension its TwiML ``<Dial>`` rings; a click-to-call is the leg ringing
the employee (outbound-api) plus the leg its TwiML dials to the customer, which reports with
``?leg=customer`` in its URL (signed by Twilio like the rest) since nothing else tells its ``To`` is the
customer. Whether the call was answered, and its talk time, come from the dialled legs; a parent leg
that completes says only that the call is over (a missed incoming call completes too, its TwiML having
run), and an extension's leg that ends unanswered says nothing (another may have answered): if none
did, the call was missed. ``SequenceNumber`` counts one leg's callbacks, not the call's, so it is not
used to order them (``Timestamp`` is).

Twilio has no extensions: an employee is a phone number, a Client identity (``client:alice``) or a SIP
address (``sip:alice@acme.sip.twilio.com``), written in the settings without the scheme (``alice``,
``alice@acme.sip.twilio.com``, ``+79161234567``). An incoming call's TwiML ``<Dial>`` should set no
``callerId``, so the leg ringing the employee shows the caller's number while it rings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed, Reply
from chalicelib.core import errors, phones
from chalicelib.core.schema import Schema
from chalicelib.telephony.events import CallEvent, Dialled, Disposition, Phase, Recording, TelephonyAdapter
from chalicelib.telephony.settings import Credential, TelephonySettings

API = "https://api.twilio.com/2010-04-01"
MAX_BODY = 16 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")  # every StatusCallbackEvent there is
CUSTOMER_LEG = "customer"  # the ``leg`` query a click-to-call's customer leg reports with
E164 = r"^\+[1-9][0-9]{6,14}$"
CALL_SID, ACCOUNT_SID, RECORDING_SID = (rf"^{prefix}[0-9a-fA-F]{{32}}$" for prefix in ("CA", "AC", "RE"))

CallStatus = Literal["queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer",
                     "canceled"]
# A leg that ended without being answered; "completed" is the one status that says it was.
UNANSWERED: dict[str, Disposition] = {"busy": "busy", "failed": "failed", "no-answer": "missed", "canceled": "missed"}
# What each status of a leg means for the call, by kind of leg (an ended status is always "end").
INBOUND_PARENT: dict[str, Phase] = {"queued": "start", "initiated": "start", "ringing": "start",
                                    "in-progress": "start"}  # Twilio took the call; its TwiML runs
EMPLOYEE_CALL: dict[str, Phase] = {"queued": "start", "initiated": "start", "ringing": "ringing",
                                   "in-progress": "start"}  # a click-to-call ringing the employee first
DIALLED_LEG: dict[str, Phase] = {"queued": "ringing", "initiated": "ringing", "ringing": "ringing",
                                 "in-progress": "answer"}  # a leg <Dial> places: answered is the call's answer


class TwilioSettings(TelephonySettings):
    """A Twilio account: its SID, its auth token (sealed) and the number click-to-call calls come from."""

    account_sid: str = Field(pattern=ACCOUNT_SID, description="The account SID (AC...), from the Twilio Console")
    auth_token: Credential = Field(description="The account's auth token: Twilio signs its callbacks with it")
    caller_id: str | None = Field(default=None, pattern=E164, description=(
        "The Twilio number (E.164) click-to-call calls come from; without it there is no click-to-call"))

    @field_validator("caller_id", mode="before")
    @classmethod
    def _caller_id_as_typed(cls, value: Any, info: ValidationInfo) -> Any:
        """The Twilio number in any format the company types it ("(718) 555-0100"), kept in E.164 by its
        country (the ``region`` the caller gives as context); Twilio takes and reports E.164 only."""
        region = _region(info)
        if region and isinstance(value, str) and value.strip() and not re.fullmatch(E164, value):
            return _typed_number(value, region)
        return value

    @field_validator("extensions", mode="before")
    @classmethod
    def _employee_numbers_as_typed(cls, value: Any, info: ValidationInfo) -> Any:
        """An employee's phone number typed as people write it ("718-555-0101") kept in E.164: Twilio reports
        the leg ringing it so, and kept as typed it would be taken for a Client identity and never match."""
        if not isinstance(value, dict):
            return value
        region = _region(info)
        kept: dict[Any, Any] = {}
        for typed, user_id in value.items():
            # "client:jess" or "sip:carlos@acme.sip.twilio.com" pasted from the Twilio Console: the extension is the
            # address without its scheme, as a call's leg reports it (extension_of); it was refused by the pattern
            key = (extension_of(typed.strip()) or typed) if isinstance(typed, str) and re.match(
                r"\s*(client|sip):", typed, re.IGNORECASE) else typed
            number = _typed_number(key, region) if region and _reads_as_number(key) else key
            if number in kept and kept[number] != user_id:  # "718-555-0101" and "(718) 555-0101": one phone
                raise PydanticCustomError("duplicate_extension", "{number} is given to two employees",
                                          {"number": number})
            kept[number] = user_id
        return kept


def _region(info: ValidationInfo) -> str | None:
    """The company's country, when the caller validates its settings with it as context."""
    found = info.context.get("region") if isinstance(info.context, dict) else None
    return found if isinstance(found, str) and found else None


def _reads_as_number(text: Any) -> bool:
    """True when an extension is a phone number as people type it (digits, spaces, brackets, dashes, dots, a
    leading +; 7 digits or more), not a Client identity or a SIP address."""
    return (isinstance(text, str) and re.fullmatch(r"\+?[0-9 ().\-]+", text) is not None
            and sum(char.isdigit() for char in text) >= 7)


def _typed_number(text: str, region: str) -> str:
    found = phones.e164(text.strip(), region)
    if found is None:
        raise PydanticCustomError("invalid_phone", "Not a valid phone number")
    return found


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _rfc2822(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value or None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise ValueError("not an RFC 2822 date") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


BlankIsNone = BeforeValidator(_blank_is_none)


class Callback(Schema):
    """What we read of a Twilio callback (it sends more: ApiVersion, CallerName, FromCity ...)."""

    model_config = ConfigDict(extra="ignore")

    account_sid: str = Field(alias="AccountSid", pattern=ACCOUNT_SID)
    call_sid: str = Field(alias="CallSid", pattern=CALL_SID)
    parent_call_sid: Annotated[str | None, BlankIsNone] = Field(default=None, alias="ParentCallSid", pattern=CALL_SID)

    @property
    def call_id(self) -> str:
        """The call every leg belongs to: the parent's sid, else its own."""
        return self.parent_call_sid or self.call_sid


class StatusCallback(Callback):
    """A voice status callback of one leg."""

    call_status: CallStatus = Field(alias="CallStatus")
    direction: Annotated[Literal["inbound", "outbound-api", "outbound-dial"] | None, BlankIsNone] = Field(
        default=None, alias="Direction")
    from_: str = Field(default="", alias="From", max_length=256)
    to: str = Field(default="", alias="To", max_length=256)
    call_duration: Annotated[int | None, BlankIsNone] = Field(default=None, alias="CallDuration", ge=0)
    timestamp: Annotated[datetime | None, BeforeValidator(_rfc2822)] = Field(default=None, alias="Timestamp")
    leg: Literal["customer"] | None = None  # from the URL's query: the customer's leg of a click-to-call


class RecordingCallback(Callback):
    """A recording status callback."""

    recording_sid: str = Field(alias="RecordingSid", pattern=RECORDING_SID)
    recording_status: str = Field(alias="RecordingStatus", min_length=1, max_length=40)
    recording_url: Annotated[str | None, BlankIsNone] = Field(default=None, alias="RecordingUrl",
                                                           pattern=r"^https://[^\s]+$", max_length=500)
    recording_duration: Annotated[int | None, BlankIsNone] = Field(default=None, alias="RecordingDuration", ge=-1)


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The X-Twilio-Signature of a request: base64 HMAC-SHA1 of the URL and the sorted parameters."""
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    signed = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def urls_as_called(url: str) -> list[str]:
    """The URL without and with its port: the SDK accepts a signature over either, as Twilio's vary."""
    parts = urlsplit(url)
    if parts.port:
        return [urlunsplit(parts._replace(netloc=parts.netloc.split(":")[0])), url]
    port = 443 if parts.scheme == "https" else 80
    return [url, urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))]


def employee_address(extension: str) -> str:
    """Where the Calls API reaches an extension: a phone number, a SIP address or a Client identity."""
    if extension.startswith(("client:", "sip:")) or re.fullmatch(E164, extension):
        return extension
    return f"sip:{extension}" if "@" in extension else f"client:{extension}"


def extension_of(address: str) -> str | None:
    """The settings' extension of a leg's address (``client:alice`` -> alice, a number as it is)."""
    scheme, colon, rest = address.partition(":")
    if colon and scheme.lower() in ("client", "sip"):
        return rest.split(";")[0] or None  # a SIP URI's parameters (;transport=tls) are not the login
    return address or None


def _masked(text: str) -> str:
    return text[:6] + "…" if len(text) > 6 else text  # enough to recognise, not the whole number


class TwilioAdapter(TelephonyAdapter):
    type = "twilio"
    label = "Twilio"
    settings_model = TwilioSettings
    secret_settings = ("auth_token",)

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        offered = (inbound.header("x-twilio-signature") or "").encode()
        token = credentials.secret("auth_token")
        try:
            params = parse_qsl(inbound.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise adapters.invalid_signature() from exc
        expected = [signature(token, url, params).encode() for url in urls_as_called(inbound.url)]
        # Both compared, always: no early exit tells which URL form came closer.
        matches = [hmac.compare_digest(candidate, offered) for candidate in expected]
        if not offered or not any(matches):
            raise adapters.invalid_signature()

    def parse(self, inbound: Inbound) -> list[Parsed]:
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("A Twilio callback is at most 16 KB.")
        try:
            fields: dict[str, Any] = dict(inbound.form())
        except errors.BadRequestError as exc:
            raise adapters.unparseable("The body is not a form.") from exc
        if "leg" in inbound.query:
            fields["leg"] = inbound.query["leg"]
        from chalicelib.messaging.providers import twilio_sms  # the line's SMS: same URL, same signature

        if twilio_sms.is_message(fields):
            return [twilio_sms.parse(fields)]
        callback = _read(fields)
        if isinstance(callback, RecordingCallback):
            if callback.recording_status == "completed" and not callback.recording_url:
                raise adapters.unparseable("A completed recording has no RecordingUrl.", "RecordingUrl")
            summary = f"recording {callback.recording_status} of {callback.call_sid[:8]}…"
            return [Parsed(fields=fields, summary=summary,
                           provider_event_id=f"{callback.recording_sid}:{callback.recording_status}")]
        summary = (f"{callback.call_status} {callback.direction or ''} {_masked(callback.from_)} → "
                   f"{_masked(callback.to)}")
        return [Parsed(fields=fields, summary=" ".join(summary.split())[:200],
                       provider_event_id=f"{callback.call_sid}:{callback.call_status}")]

    def answer(self, inbound: Inbound, event_ids: list[str]) -> Reply:
        # Twilio wants a 2xx and reads nothing of a callback's answer; an empty TwiML document is valid anywhere.
        return Reply(status=200, body=EMPTY_TWIML, content_type="text/xml")

    def call_events(self, fields: Mapping[str, Any]) -> list[CallEvent]:
        callback = _read(dict(fields))
        if isinstance(callback, RecordingCallback):
            if callback.recording_status != "completed" or not callback.recording_url:
                return []  # in-progress, absent (too short, silent) or failed: nothing to fetch
            return [CallEvent(provider_call_id=callback.call_id, phase="recording",
                              recording={"url": callback.recording_url, "sid": callback.recording_sid})]
        return [_leg_event(callback)]

    def dial(self, credentials: Credentials, *, extension: str, number: str) -> Dialled:
        caller_id = str(credentials.settings.get("caller_id") or "")
        if not caller_id:
            raise errors.ValidationError(
                "Click-to-call needs the Twilio number calls are made from.", code="caller_id_required",
                details=[{"loc": ["settings", "caller_id"], "msg": "Set the Twilio number (E.164)", "type": "missing"}])
        if not credentials.webhook_url:
            raise errors.InternalError("The integration's webhook URL is unknown: Twilio could not report the call.")
        account_sid, authorization = credentials.basic_auth("account_sid", "auth_token")
        body = urlencode(call_request(extension=extension, number=number, caller_id=caller_id,
                                      webhook_url=credentials.webhook_url)).encode()
        answer = transport.send(transport.Outbound(
            provider=self.type, method="POST", url=f"{API}/Accounts/{account_sid}/Calls.json", body=body,
            headers={"Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"}, secret_headers=("Authorization",)))
        created = answer.json()
        sid = created.get("sid") if isinstance(created, dict) else None
        if answer.status != 201 or not isinstance(sid, str) or not re.fullmatch(CALL_SID, sid):
            message = created.get("message") if isinstance(created, dict) else None
            raise transport.ProviderError(f"Twilio refused the call ({answer.status}): {message or 'no reason'}")
        return Dialled(provider_call_id=sid)

    def fetch_recording(self, credentials: Credentials, reference: Mapping[str, str]) -> Recording:
        url = reference.get("url") or ""
        parts = urlsplit(url)
        if parts.scheme != "https" or not (parts.hostname or "").endswith(".twilio.com"):
            raise transport.ProviderError("The recording is not on Twilio: its credentials are not sent there.")
        _, authorization = credentials.basic_auth("account_sid", "auth_token")
        media = url if parts.path.endswith((".mp3", ".wav")) else url + ".mp3"
        answer = transport.send(transport.Outbound(provider=self.type, method="GET", url=media,
                                                   headers={"Authorization": authorization},
                                                   secret_headers=("Authorization",)))
        if answer.status != 200 or not answer.body:
            raise transport.ProviderError(f"Twilio answered {answer.status} for the recording.")
        return Recording(body=answer.body, content_type=answer.headers.get("content-type", "audio/mpeg"))


def call_request(*, extension: str, number: str, caller_id: str, webhook_url: str) -> list[tuple[str, str]]:
    """The Calls API form of a click-to-call: ring the employee, then <Dial> the customer, recorded."""
    customer_leg = f"{webhook_url}?{urlencode({'leg': CUSTOMER_LEG})}"
    twiml = (f"<Response><Dial callerId={quoteattr(caller_id)}><Number statusCallback={quoteattr(customer_leg)} "
             f"statusCallbackEvent={quoteattr(' '.join(CALL_EVENTS))} statusCallbackMethod=\"POST\">"
             f"{escape(number)}</Number></Dial></Response>")
    return [("To", employee_address(extension)), ("From", caller_id), ("Twiml", twiml),
            ("StatusCallback", webhook_url), ("StatusCallbackMethod", "POST"),
            *(("StatusCallbackEvent", event) for event in CALL_EVENTS),
            ("Record", "true"), ("RecordingStatusCallback", webhook_url),
            ("RecordingStatusCallbackMethod", "POST"), ("RecordingStatusCallbackEvent", "completed")]


def _read(fields: dict[str, Any]) -> StatusCallback | RecordingCallback:
    model: type[StatusCallback | RecordingCallback] = RecordingCallback if "RecordingSid" in fields else StatusCallback
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise adapters.unparseable(f"Not a Twilio voice callback: {where}: {first['msg']}", where) from exc


def _leg_event(callback: StatusCallback) -> CallEvent:
    """What one leg's status says about the call (the module's docstring tells the legs apart)."""
    if callback.parent_call_sid is None:
        return _parent_event(callback)
    status = callback.call_status
    ended = status == "completed" or status in UNANSWERED
    answered = status == "completed"
    phase: Phase = "end" if ended else DIALLED_LEG[status]
    leg = CallEvent(provider_call_id=callback.call_id, phase=phase, at=callback.timestamp,
                    from_number=callback.from_ or None)
    if callback.leg == CUSTOMER_LEG:  # a click-to-call's one customer leg: how it ended is how the call did
        return replace(leg, direction="outbound", to_number=callback.to or None,
                       disposition=("answered" if answered else UNANSWERED.get(status)) if ended else None,
                       duration_seconds=(callback.call_duration or 0) if ended else None)
    # One of the extensions an incoming call rings (several may ring at once): a leg that ended unanswered
    # says nothing of the call, which another leg may have answered; if none did, the call was missed.
    unanswered_end = ended and not answered
    return replace(leg, direction="inbound", extension=None if unanswered_end else extension_of(callback.to),
                   disposition="answered" if answered else None,
                   duration_seconds=(callback.call_duration or 0) if answered else None)


def _parent_event(callback: StatusCallback) -> CallEvent:
    """An incoming call's own leg, or the leg a click-to-call rings the employee on."""
    status = callback.call_status
    unanswered = UNANSWERED.get(status)
    ended = status == "completed" or unanswered is not None
    inbound = callback.direction in (None, "inbound")
    # Completed says only that the call is over: whether anyone answered, the dialled legs say.
    return CallEvent(
        provider_call_id=callback.call_id,
        phase="end" if ended else (INBOUND_PARENT if inbound else EMPLOYEE_CALL)[status],
        direction="inbound" if inbound else "outbound", at=callback.timestamp,
        # A click-to-call's first leg is from the line to the employee: the customer's leg has both numbers.
        from_number=(callback.from_ or None) if inbound else None,
        to_number=(callback.to or None) if inbound else None, extension=None if inbound else extension_of(callback.to),
        disposition=unanswered, duration_seconds=0 if unanswered else None)


# -- the sandbox: Twilio's API as its reference answers it ------------------------------------------

_CALLS = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Calls\.json$")
_MEDIA = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/"
                    r"RE[0-9a-fA-F]{32}\.mp3$")


def sandbox(request: transport.Outbound) -> transport.Answer:
    """Twilio's answers: 201 and the Call resource to a call, an MP3 to a recording, its error JSON else."""
    from chalicelib.messaging.providers import twilio_sms  # the Messages API of the same account

    messaging = twilio_sms.sandbox(request)
    if messaging is not None:
        return messaging
    found = _CALLS.match(request.url) or _MEDIA.match(request.url)
    if found is None:
        return _error(404, 20404, "The requested resource was not found")
    authorization = request.headers.get("Authorization", "")
    try:
        user = base64.b64decode(authorization.removeprefix("Basic "), validate=True).decode().partition(":")[0]
    except ValueError:
        user = ""
    if not authorization.startswith("Basic ") or user != found.group(1):
        return _error(401, 20003, "Authenticate")
    if request.method == "GET" and found.re is _MEDIA:
        return transport.Answer(200, silent_mp3(), {"content-type": "audio/mpeg"})
    if request.method == "POST" and found.re is _CALLS:
        return _created(found.group(1), dict(parse_qsl(request.body.decode(), keep_blank_values=True)))
    return _error(405, 20004, "Method not allowed")


def _created(account_sid: str, form: dict[str, str]) -> transport.Answer:
    for name, code, message in (("To", 21201, "No 'To' number is specified"),
                                ("From", 21213, "No 'From' number is specified")):
        if not form.get(name):
            return _error(400, code, message)
    if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
        return _error(400, 21205, "Url parameter is required")
    sid, now = "CA" + uuid.uuid4().hex, format_datetime(datetime.now(UTC))
    call = {"sid": sid, "account_sid": account_sid, "to": form["To"], "from": form["From"], "status": "queued",
            "direction": "outbound-api", "api_version": "2010-04-01", "parent_call_sid": None,
            "date_created": now, "date_updated": now, "start_time": None, "end_time": None, "duration": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json"}
    return transport.Answer(201, json.dumps(call).encode(), {"content-type": "application/json"})


def _error(status: int, code: int, message: str) -> transport.Answer:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return transport.Answer(status, json.dumps(body).encode(), {"content-type": "application/json"})


def silent_mp3(seconds: float = 1.0) -> bytes:
    """A valid MPEG-1 Layer III stream of silence: 32 kbit/s, 32 kHz, mono, 144-byte frames."""
    header = bytes((0xFF, 0xFB, 0x18, 0xC0))  # sync, MPEG-1, Layer III, no CRC | 32 kbit/s, 32 kHz | mono
    frame = header + bytes(144 - len(header))  # zero side info and main data decode as silence
    return frame * max(1, round(seconds * 32000 / 1152))


ADAPTER = adapters.register(TwilioAdapter())
transport.register_sandbox("twilio", sandbox)
