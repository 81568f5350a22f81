"""``mango``: Mango Office's Virtual PBX ("VPBX"), by its published API description.

Where each contract comes from: "MANGO OFFICE API v1.10 (24.12.2017)", the PDF Mango's support pages
link as ``MangoOffice_VPBX_API_v1.9.pdf`` (page numbers below are its own), and "Примеры кода для API
v1.8" (the PHP examples, whose worked signature is the test vector of ``tests/telephony/test_mango.py``).

- Signing (p. 5, "Общие положения взаимодействия систем"): every request, Mango's and ours, is an
  url-encoded form of ``vpbx_api_key``, ``sign`` and ``json``, where
  ``sign = sha256(vpbx_api_key + json + vpbx_api_salt)`` in hex over the json text exactly as sent.
  The salt never travels. A refused request answers ``420`` with ``{"code": <result code>}``.
- Notifications (p. 7-17, "API Realtime"): Mango appends the event's name to the URL it is given.
  ``/events/call`` reports one leg of a call: ``entry_id`` names the whole call across its legs (IVR,
  queue, each employee rung, transfers), ``call_id`` the leg, ``seq`` numbers the leg's notifications
  (they may arrive out of order), ``call_state`` is Appeared | Connected | OnHold | Disconnected and
  ``location`` ivr | queue | abonent. ``/events/recording`` follows a recording (Started | Continued |
  Completed, with ``completion_code`` and ``recipient`` Cloud | Mail | CloudAndMail). ``/events/summary``
  is the call's final notification: ``call_direction`` 0 internal | 1 inbound | 2 outbound, the
  create/forward/talk/end times (``talk_time`` 0 when nobody talked), ``entry_result`` and
  ``disconnect_reason``. Notifications are asynchronous: Mango reads only the HTTP status (p. 5).
- Result codes (p. 43-45): a code the reader does not know is read as its class (1124 as 1120).
- Click-to-call (p. 18-19, "Инициирование вызова от имени сотрудника"): POST
  ``https://app.mango-office.ru/vpbx/commands/callback`` with ``{"command_id", "from": {"extension"},
  "to_number"[, "line_number"]}``; the PBX rings the employee, then the number. Its outcome arrives
  later at ``<url>/result/callback``, and its legs at ``/events/call`` carrying the ``command_id``.
- Recordings (p. 36, "Получение записи разговора посредством POST запроса"): POST
  ``queries/recording/post`` with ``{"recording_id", "action": "download"}`` answers ``302`` to a
  one-time link on files.mango-office.ru, whose GET answers the audio.

What we decided where the description leaves room:

- Stored: call, summary and recording notifications. Any other (``dtmf``, ``sms``) is verified and
  answered 200 but not stored: the CRM does nothing with it, and DTMF digits typed into an IVR may
  be card numbers or PINs.
- Stale: ``sign`` covers no time, so a signed notification whose own time (``timestamp``, a
  summary's ``end_time``) is over a day old is refused like a forged one: a day is how long the
  inbox deduplicates a payload by its hash, so a captured request cannot be replayed after that.
- One call: ``entry_id`` is the provider call id of every event. ``seq`` restarts with each leg, so
  an event's ``CallEvent.seq`` is ``timestamp * 1000 + seq`` (legs ordered by time, one leg by seq).
- The end is the summary's (a leg's Disconnected ends an IVR leg before the employee's rings); the
  summary also says when the call started and was answered. Answered means ``talk_time`` > 0 (the
  description's own example 2 has ``entry_result`` 1 for a call that ended in the IVR).
- Numbers: Mango writes them in international format without "+": they are given as "+<digits>".
  SIP addresses and internal numbers are nobody's phone and are left out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import ConfigDict, Field, ValidationError

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed, Reply
from chalicelib.core import errors, http
from chalicelib.core.schema import Schema
from chalicelib.telephony.events import CallEvent, Dialled, Direction, Disposition, Phase, Recording, TelephonyAdapter
from chalicelib.telephony.providers.pbx import silent_wav
from chalicelib.telephony.settings import Credential, TelephonySettings

API_BASE = "https://app.mango-office.ru/vpbx/"
CALLBACK_URL = API_BASE + "commands/callback"
RECORDING_URL = API_BASE + "queries/recording/post"
FILES_HOST = "files.mango-office.ru"  # where the one-time recording links lead
STORED = ("call", "summary", "recording")
MAX_BODY = 32 * 1024
STALE_AFTER_SECONDS = 24 * 3600  # the inbox's payload-hash dedupe window
SEQ_SPAN = 1000  # an event's seq: timestamp * SEQ_SPAN + the leg's own seq
FORM = "application/x-www-form-urlencoded"
PHONE = re.compile(r"^\+?(\d{10,15})$")
DIRECTIONS: dict[int, Direction] = {1: "inbound", 2: "outbound"}  # a summary's call_direction (0: internal)


class MangoSettings(TelephonySettings):
    """A Mango Office integration: the VPBX's API key and signing salt (Integrations > API connector)."""

    api_key: Credential = Field(description="The VPBX's unique code (vpbx_api_key)")
    api_salt: Credential = Field(description="The key Mango signs with (vpbx_api_salt); sealed, shown as a hint")
    line_number: str | None = Field(default=None, pattern=r"^\d{5,20}$",
                                    description="The line a click-to-call goes out on (the VPBX's default when null)")


# -- what Mango posts -------------------------------------------------------------------------

Ident = Annotated[str, Field(min_length=1, max_length=128)]
Stamp = Annotated[int, Field(ge=0, le=10**11)]


class _Notice(Schema):
    """Mango's json: fields it may add are ignored; numbers and codes come as strings or numbers."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, populate_by_name=True)


class Party(_Notice):
    """One side of a call: an employee's extension, a number (phone, SIP address), the line it came in on."""

    extension: str | None = Field(default=None, max_length=64)
    number: str | None = Field(default=None, max_length=128)
    line_number: str | None = Field(default=None, max_length=128)
    taken_from_call_id: str | None = Field(default=None, max_length=128)


class CallNotice(_Notice):
    """``/events/call``: one leg's state."""

    entry_id: Ident
    call_id: Ident
    timestamp: Stamp
    seq: int = Field(ge=0, le=10**9)
    call_state: str = Field(min_length=1, max_length=32)
    location: str | None = Field(default=None, max_length=64)
    from_: Party = Field(default_factory=Party, alias="from")
    to: Party = Field(default_factory=Party)
    disconnect_reason: int | None = None
    command_id: str | None = Field(default=None, max_length=128)
    callback_initiator: str | None = Field(default=None, max_length=128)


class SummaryNotice(_Notice):
    """``/events/summary``: the whole call once it is over."""

    entry_id: Ident
    call_direction: int = Field(ge=0, le=2)
    from_: Party = Field(default_factory=Party, alias="from")
    to: Party = Field(default_factory=Party)
    line_number: str | None = Field(default=None, max_length=128)
    create_time: Stamp
    forward_time: Stamp = 0
    talk_time: Stamp = 0
    end_time: Stamp
    entry_result: int | None = None
    disconnect_reason: int | None = None


class RecordingNotice(_Notice):
    """``/events/recording``: a recording's progress."""

    recording_id: Ident
    recording_state: str = Field(min_length=1, max_length=32)
    seq: int | None = None
    entry_id: Ident
    call_id: str | None = Field(default=None, max_length=128)
    extension: str | None = Field(default=None, max_length=64)
    timestamp: Stamp
    completion_code: int | None = None
    recipient: str | None = Field(default=None, max_length=32)


NOTICES: dict[str, type[_Notice]] = {"call": CallNotice, "summary": SummaryNotice, "recording": RecordingNotice}


def sign(api_key: str, text: str, api_salt: str) -> str:
    """Mango's ``sign`` of a json text: sha256(vpbx_api_key + json + vpbx_api_salt), hex."""
    return hashlib.sha256((api_key + text + api_salt).encode("utf-8")).hexdigest()


# -- the adapter ------------------------------------------------------------------------------


class MangoAdapter(TelephonyAdapter):
    """Mango's notifications in, its commands/callback and recording download out."""

    type = "mango"
    label = "Mango Office"
    settings_model = MangoSettings
    secret_settings = ("api_salt",)

    def handshake(self, inbound: Inbound) -> Reply | None:
        """The control panel's "check connection" posts to ``/ping``: answered 200, nothing stored."""
        return Reply(status=200, body="") if (inbound.tail or "").strip().lower() == "ping" else None

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        form = _form(inbound)
        offered_key, offered, text = form.get("vpbx_api_key", ""), form.get("sign", ""), form.get("json")
        api_key = str(credentials.settings.get("api_key") or "")
        salt = credentials.secret("api_salt")
        if not api_key or not offered_key or not offered or text is None:
            raise adapters.invalid_signature()
        key_ok = hmac.compare_digest(offered_key.encode(), api_key.encode())
        sign_ok = hmac.compare_digest(sign(api_key, text, salt).encode(), offered.strip().lower().encode())
        if not (key_ok and sign_ok) or _stale(text):
            raise adapters.invalid_signature()

    def parse(self, inbound: Inbound) -> list[Parsed]:
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("A Mango notification is at most 32 KB.")
        name = (inbound.tail or "").strip().lower()
        if name not in STORED:
            return []  # verified and answered, not kept (see the module's decisions)
        payload = _payload(_form(inbound).get("json"))
        notice = _read(name, payload)
        return [Parsed(fields={"event": name, "json": payload}, summary=_summary(notice))]

    def answer(self, inbound: Inbound, event_ids: list[str]) -> Reply:
        return Reply(status=200, body="")  # Mango reads the status only

    def call_events(self, fields: Mapping[str, Any]) -> list[CallEvent]:
        model = NOTICES.get(str(fields.get("event")))
        payload = fields.get("json")
        if model is None or not isinstance(payload, Mapping):
            return []
        notice = model.model_validate(dict(payload))
        if isinstance(notice, CallNotice):
            return _leg_events(notice)
        if isinstance(notice, SummaryNotice):
            return _summary_events(notice)
        assert isinstance(notice, RecordingNotice)
        return _recording_events(notice)

    def dial(self, credentials: Credentials, *, extension: str, number: str) -> Dialled:
        command: dict[str, Any] = {"command_id": f"crm-{uuid.uuid4().hex}", "from": {"extension": extension},
                                   "to_number": number.lstrip("+")}
        if credentials.settings.get("line_number"):
            command["line_number"] = str(credentials.settings["line_number"])
        answer = transport.send(signed_request(CALLBACK_URL, credentials, command))
        result = _result(answer)
        if answer.status != 200 or (result is not None and result // 1000 != 1):
            raise transport.ProviderError(f"Mango refused the call (HTTP {answer.status}, result {result or '-'}).")
        return Dialled()  # the call's entry_id comes with its first /events/call

    def fetch_recording(self, credentials: Credentials, reference: Mapping[str, str]) -> Recording:
        recording_id = str(reference.get("recording_id") or "")
        if not recording_id:
            raise errors.CRMError("The call's recording has no Mango id.", code="no_recording")
        query = {"recording_id": recording_id, "action": "download"}
        answer = transport.send(signed_request(RECORDING_URL, credentials, query))
        if answer.status in (301, 302, 303, 307, 308):
            link = answer.headers.get("location", "")
            if not link.startswith("https://"):
                raise transport.ProviderError("Mango redirected the recording somewhere unexpected.")
            answer = transport.send(transport.Outbound(provider=self.type, method="GET", url=link))
        content_type = answer.headers.get("content-type", "audio/mpeg").split(";")[0].strip().lower()
        if answer.status != 200 or not answer.body or "json" in content_type:
            raise transport.ProviderError(f"Mango answered {answer.status} for the recording "
                                          f"(result {_result(answer) or '-'}).")
        return Recording(body=answer.body, content_type=content_type)


def signed_request(url: str, credentials: Credentials, payload: Mapping[str, Any]) -> transport.Outbound:
    """A request to Mango's API: the form of our key, the json (compact, as the description asks) and its sign."""
    text = json.dumps(payload, separators=(",", ":"))
    api_key = str(credentials.settings.get("api_key") or "")
    body = urlencode({"vpbx_api_key": api_key, "sign": sign(api_key, text, credentials.secret("api_salt")),
                      "json": text})
    return transport.Outbound(provider="mango", method="POST", url=url, headers={"Content-Type": FORM},
                              body=body.encode())


# -- reading a notification ---------------------------------------------------------------------


def _form(inbound: Inbound) -> dict[str, str]:
    try:
        return inbound.form()
    except errors.BadRequestError:
        return {}  # no form, no signature: verify refuses it


def _stale(text: str) -> bool:
    try:
        payload = http.load_json(text.encode())  # depth-bounded, like every JSON body the app reads
        stamp = payload.get("timestamp", payload.get("end_time")) if isinstance(payload, dict) else None
        moment = int(stamp) if stamp is not None else None
    except (errors.MalformedBodyError, ValueError, TypeError, OverflowError):
        return False  # unreadable: parse answers that
    return moment is not None and time.time() - moment > STALE_AFTER_SECONDS


def _payload(text: str | None) -> dict[str, Any]:
    try:
        payload = http.load_json((text or "").encode())
    except errors.MalformedBodyError as exc:
        raise adapters.unparseable("The json field is not JSON (or nests too deep).", "json") from exc
    if not isinstance(payload, dict):
        raise adapters.unparseable("The json field is not an object.", "json")
    return payload


def _read(name: str, payload: dict[str, Any]) -> _Notice:
    try:
        return NOTICES[name].model_validate(payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise adapters.unparseable(f"Not a Mango {name} notification: {where}: {first['msg']}", "json") from exc


def _masked(number: str | None) -> str:
    digits = (number or "").lstrip("+")
    return digits[:5] + "…" if len(digits) > 5 else digits  # enough to recognise, not the whole number


def _summary(notice: _Notice) -> str:
    if isinstance(notice, CallNotice):
        line = f"call {notice.call_state} {notice.location or ''} {_masked(notice.from_.number)}"
    elif isinstance(notice, SummaryNotice):
        way = {0: "internal", 1: "inbound", 2: "outbound"}[notice.call_direction]
        talk = max(notice.end_time - notice.talk_time, 0) if notice.talk_time else 0
        line = f"summary {way} {talk}s {_masked(notice.from_.number)}"
    else:
        assert isinstance(notice, RecordingNotice)
        line = f"recording {notice.recording_state}"
    return " ".join(line.split())[:200]


# -- what it means ----------------------------------------------------------------------------


def _at(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, tz=UTC)


def _phone(value: str | None) -> str | None:
    found = PHONE.match((value or "").strip())
    return "+" + found.group(1) if found else None


def _leg_direction(notice: CallNotice) -> Direction | None:
    if notice.command_id or notice.callback_initiator:
        return "outbound"  # a call the PBX placed on request (our click-to-call, a web callback)
    if not notice.from_.extension:
        return "inbound"
    return "outbound" if not notice.to.extension else None  # two employees: an internal call


def _leg_events(notice: CallNotice) -> list[CallEvent]:
    """Appeared starts the call (or rings an employee), Connected answers it; the summary ends it."""
    direction = _leg_direction(notice)
    if direction is None or notice.call_state not in ("Appeared", "Connected"):
        return []
    # A click-to-call's first leg rings the employee who asked (``to``), showing the customer (``from``).
    rings_initiator = direction == "outbound" and bool(notice.command_id or notice.callback_initiator) \
        and not notice.from_.taken_from_call_id
    employee, customer = ((notice.to, notice.from_) if direction == "inbound" or rings_initiator
                          else (notice.from_, notice.to))
    from_number, to_number = ((_phone(customer.number), _phone(notice.to.line_number)) if direction == "inbound"
                              else (None, _phone(customer.number)))
    extension = employee.extension or None
    in_menu = notice.location in ("ivr", "queue")
    phase: Phase
    if notice.call_state == "Connected":
        if rings_initiator or in_menu:
            return []  # the employee took the PBX's call, or a menu picked up: nobody talks to the customer yet
        phase = "answer"
    elif direction == "inbound" and not in_menu and extension:
        phase = "ringing"
    else:
        phase = "start"
    return [CallEvent(provider_call_id=notice.entry_id, phase=phase, direction=direction, at=_at(notice.timestamp),
                      from_number=from_number, to_number=to_number, extension=extension,
                      seq=notice.timestamp * SEQ_SPAN + min(notice.seq, SEQ_SPAN - 1))]


def _unanswered(direction: Direction, reason: int | None) -> Disposition:
    """How a call nobody talked on ended, by its disconnect reason's class (p. 9 and 43-45)."""
    code = reason or 0
    if direction == "inbound":  # the customer called: a call back is owed, unless the caller was barred
        return "failed" if code // 10 == 115 or code == 4502 else "missed"
    if code == 1121:
        return "busy"  # the number answered "busy"
    if code // 1000 in (2, 3, 5) or code // 10 in (113, 114, 115) or code // 100 in (42, 45):
        return "failed"  # billing, a wrong or barred number, unreachable, the PBX's own trouble
    return "missed"


def _summary_events(notice: SummaryNotice) -> list[CallEvent]:
    direction = DIRECTIONS.get(notice.call_direction)
    if direction is None:
        return []  # between two employees: no customer's call
    if direction == "inbound":
        from_number, to_number, extension = _phone(notice.from_.number), _phone(notice.line_number), notice.to.extension
    else:
        from_number, to_number, extension = _phone(notice.line_number), _phone(notice.to.number), notice.from_.extension
    talked = notice.talk_time > 0
    common: dict[str, Any] = {"provider_call_id": notice.entry_id, "direction": direction,
                              "from_number": from_number, "to_number": to_number, "extension": extension or None}
    events = [CallEvent(phase="start", at=_at(notice.create_time), **common)]
    if talked:
        events.append(CallEvent(phase="answer", at=_at(notice.talk_time), **common))
    events.append(CallEvent(phase="end", at=_at(notice.end_time), **common,
                            disposition="answered" if talked else _unanswered(direction, notice.disconnect_reason),
                            duration_seconds=max(notice.end_time - notice.talk_time, 0) if talked else 0))
    return events


def _recording_events(notice: RecordingNotice) -> list[CallEvent]:
    """A completed recording kept in Mango's cloud (the API hands over no other)."""
    kept = notice.completion_code is None or notice.completion_code // 1000 == 1
    in_cloud = notice.recipient is None or "cloud" in notice.recipient.lower()
    if notice.recording_state != "Completed" or not kept or not in_cloud:
        return []
    return [CallEvent(provider_call_id=notice.entry_id, phase="recording", at=_at(notice.timestamp),
                      extension=notice.extension or None, recording={"recording_id": notice.recording_id})]


def _result(answer: transport.Answer) -> int | None:
    """The result code of Mango's answer (``result`` on success, ``code`` on a 420), when it has one."""
    try:
        found = json.loads(answer.body or b"null")
        value = found.get("result", found.get("code")) if isinstance(found, dict) else None
        return int(value) if value is not None else None
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


# -- the sandbox ------------------------------------------------------------------------------


def _refused(code: int) -> transport.Answer:
    return transport.Answer(420, json.dumps({"code": code}).encode(), {"content-type": "application/json"})


def _sandbox(request: transport.Outbound) -> transport.Answer:
    """Mango's API as its description answers: a recording's 302 and file, a refusal's 420 {"code"}; a
    command taken answers 200 ``{"result":1000}`` (the code client libraries such as mango-vpbx read)."""
    if request.method == "GET" and urlsplit(request.url).hostname == FILES_HOST:
        return transport.Answer(200, silent_wav(), {"content-type": "audio/wav"})
    if request.method != "POST":
        return _refused(3101)
    form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
    if not all(form.get(name) for name in ("vpbx_api_key", "sign", "json")):
        return _refused(3103)
    if not re.fullmatch(r"[0-9a-f]{64}", form["sign"]):
        return _refused(3102)
    try:
        command = json.loads(form["json"])
    except ValueError:
        return _refused(3104)
    if request.url == CALLBACK_URL:
        caller = command.get("from") if isinstance(command, dict) else None
        if not isinstance(caller, dict) or not caller.get("extension") or not command.get("to_number"):
            return _refused(3103)
        return transport.Answer(200, b'{"result":1000}', {"content-type": "application/json"})
    if request.url == RECORDING_URL:
        if not isinstance(command, dict) or not command.get("recording_id") \
                or command.get("action") not in ("download", "play"):
            return _refused(3103)
        token = hashlib.sha256(str(command["recording_id"]).encode()).hexdigest()[:32]
        return transport.Answer(302, b"", {"location": f"https://{FILES_HOST}/{token}"})
    return transport.Answer(404, b"")


ADAPTER = adapters.register(MangoAdapter())
transport.register_sandbox("mango", _sandbox)
