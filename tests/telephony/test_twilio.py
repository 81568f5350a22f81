"""Twilio Voice: X-Twilio-Signature as Twilio's own SDK computes it, status and recording callbacks through
the hook, what they say about a call, click-to-call and recording downloads as Twilio's API takes them.

Expected signatures, Calls API requests and TwiML come from the ``twilio`` SDK (a dev dependency), never
from the adapter under test.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient
from twilio.twiml.voice_response import VoiceResponse

from chalicelib.channels import transport
from chalicelib.channels.adapters import Credentials
from chalicelib.core import errors
from chalicelib.telephony.events import CallEvent
from chalicelib.telephony.providers import twilio as provider
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, events, hook_path, play, post
from tests.telephony.kit import calls as kit_calls
from webhooks import __main__ as webhooks_cli
from webhooks.providers import Call
from webhooks.providers import twilio as simulator
from webhooks.simulate import Answer, Request

ACCOUNT, TOKEN = CREDENTIALS["twilio"]["account_sid"], CREDENTIALS["twilio"]["auth_token"]
LINE, CUSTOMER = "+74951234567", "+79161234567"
PARENT, CHILD = "CA" + "a" * 32, "CA" + "b" * 32
HOOK = "https://crm.example.com/hooks/twilio/key"
SDK = RequestValidator(TOKEN)
ADAPTER = provider.ADAPTER


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Twilio Ltd", country="RU")


@pytest.fixture
def line(client: ApiClient, company: Company) -> dict[str, Any]:
    return create_telephony(client, company, "twilio", caller_id=LINE, extensions={"101": company.owner.user_id})


@pytest.fixture
def sandbox() -> Iterator[list[transport.Outbound]]:
    """The requests the Twilio sandbox answers, unmasked (the recorded ones hide the Authorization)."""
    seen: list[transport.Outbound] = []

    def capture(request: transport.Outbound) -> transport.Answer:
        seen.append(request)
        return provider.sandbox(request)

    transport.clear_sandbox()
    transport.register_sandbox("twilio", capture)
    try:
        yield seen
    finally:
        transport.register_sandbox("twilio", provider.sandbox)


def status(call_status: str, **fields: str) -> dict[str, str]:
    """A voice status callback of the parent leg of an incoming call, as Twilio posts it."""
    return {"AccountSid": ACCOUNT, "ApiVersion": "2010-04-01", "CallSid": PARENT, "CallStatus": call_status,
            "Direction": "inbound", "From": CUSTOMER, "To": LINE, "Caller": CUSTOMER, "Called": LINE,
            "Timestamp": "Sun, 06 Dec 2026 10:00:05 +0000", "CallbackSource": "call-progress-events",
            "SequenceNumber": "0", **fields}


def signed(url: str, fields: dict[str, str], token: str = TOKEN) -> tuple[bytes, dict[str, str]]:
    """A form body and the headers Twilio sends with it, signed by Twilio's SDK."""
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                        "X-Twilio-Signature": RequestValidator(token).compute_signature(url, fields)}


def send(client: ApiClient, line: dict[str, Any], fields: dict[str, str], *, url: str | None = None,
         token: str = TOKEN, query: str = "") -> Any:
    """Post a callback to the line's hook, signed over ``url`` (the hook's own URL by default)."""
    target = line["webhook_url"] + query
    raw, headers = signed(url or target, fields, token)
    return post(client, hook_path(line) + query, raw, headers)


# -- the signature ----------------------------------------------------------------------------------


def test_the_signature_is_twilios_documented_example() -> None:
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
              ("From", "+12349013030"), ("To", "+18005551212")]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert provider.signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert simulator.signature("12345", url, dict(params)) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


class _Repeated(dict[str, list[str]]):
    def getlist(self, name: str) -> list[str]:  # how the SDK reads a repeated parameter (Django's QueryDict)
        return self[name]


@pytest.mark.parametrize("pairs", [
    [("To", "client:alice"), ("From", "+79161234567"), ("CallStatus", "ringing")],
    [("B", "2"), ("A", "x y"), ("a", "é ✓"), ("Empty", "")],
    [("StatusCallbackEvent", "ringing"), ("StatusCallbackEvent", "answered"), ("StatusCallbackEvent", "ringing")],
])
def test_the_signature_is_the_sdks(pairs: list[tuple[str, str]]) -> None:
    grouped = _Repeated()
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    assert provider.signature(TOKEN, HOOK, pairs) == SDK.compute_signature(HOOK, grouped)


def test_the_url_is_signed_with_or_without_its_port_as_the_sdk_accepts() -> None:
    assert provider.urls_as_called("https://crm.example.com/h?a=1") == [
        "https://crm.example.com/h?a=1", "https://crm.example.com:443/h?a=1"]
    assert provider.urls_as_called("http://127.0.0.1:8000/h") == ["http://127.0.0.1/h", "http://127.0.0.1:8000/h"]


@pytest.mark.parametrize("scenario", ["answered", "missed", "outbound"])
def test_the_simulators_requests_pass_the_sdks_validator(scenario: str) -> None:
    for request in simulator.requests(scenario, HOOK, key=ACCOUNT, secret=TOKEN, call=Call()):
        params = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        assert SDK.validate(request.url, params, request.headers["X-Twilio-Signature"]), request
        assert not SDK.validate(request.url, {**params, "CallStatus": "busy"}, request.headers["X-Twilio-Signature"])


# -- the hook ---------------------------------------------------------------------------------------


def test_a_signed_callback_is_stored_and_answered_with_empty_twiml(client: ApiClient, company: Company,
                                                                   line: dict[str, Any]) -> None:
    answer = send(client, line, status("completed", CallDuration="47"))
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/xml")
    assert ET.fromstring(answer.body).tag == "Response"
    [event] = events(client, company, line)
    assert event["summary"] == "completed inbound +79161… → +74951…"  # enough to recognise, not the number
    assert CUSTOMER not in json.dumps(event) and LINE not in json.dumps(event)


def test_a_repeated_callback_is_stored_once(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    for _ in range(2):
        assert send(client, line, status("ringing")).status_code == 200
    assert len(events(client, company, line)) == 1


def test_a_signature_over_the_url_without_its_port_is_accepted(client: ApiClient, company: Company,
                                                               line: dict[str, Any]) -> None:
    split = urlsplit(line["webhook_url"])
    assert split.port  # the local public URL has one: Twilio may sign without it
    portless = split._replace(netloc=split.hostname or "").geturl()
    assert send(client, line, status("ringing"), url=portless).status_code == 200
    assert len(events(client, company, line)) == 1


@pytest.mark.parametrize("forgery", ["missing", "other_token", "other_url", "changed_after_signing", "garbage"])
def test_a_forged_or_missing_signature_answers_401_and_stores_nothing(
        client: ApiClient, company: Company, line: dict[str, Any], forgery: str) -> None:
    fields = status("completed", CallDuration="47")
    raw, headers = signed(line["webhook_url"], fields)
    if forgery == "missing":
        headers.pop("X-Twilio-Signature")
    elif forgery == "other_token":
        raw, headers = signed(line["webhook_url"], fields, token="another-accounts-token")
    elif forgery == "other_url":
        raw, headers = signed(line["webhook_url"] + "?leg=customer", fields)
    elif forgery == "changed_after_signing":
        raw = urlencode({**fields, "CallDuration": "4700"}).encode()
    else:
        headers["X-Twilio-Signature"] = "ünïcode but not base64"
    answer = post(client, hook_path(line), raw, headers)
    assert answer.status_code == 401, answer.body
    assert body(answer)["error"]["code"] == "invalid_signature"
    assert events(client, company, line) == []


def test_a_signature_with_a_replaced_auth_token_is_stale(client: ApiClient, company: Company,
                                                         line: dict[str, Any]) -> None:
    changed = client.patch(f"/api/v1/integrations/{line['id']}", {
        "version": line["version"], "settings": {**line["settings"], "auth_token": "the-new-token-0002"}},
        token=company.owner.token)
    assert changed.status_code == 200, changed.body
    assert "auth_token" not in body(changed)["settings"]
    assert send(client, line, status("ringing")).status_code == 401
    assert events(client, company, line) == []
    assert send(client, line, status("ringing"), token="the-new-token-0002").status_code == 200


def test_a_wrong_key_answers_404(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    url = line["webhook_url"][:-4] + "zzzz"
    raw, headers = signed(url, status("ringing"))
    assert post(client, urlsplit(url).path, raw, headers).status_code == 404
    assert events(client, company, line) == []


@pytest.mark.parametrize("fields, query", [
    ({"AccountSid": ACCOUNT, "CallStatus": "ringing"}, ""),  # no CallSid
    (status("answered"), ""),  # not a CallStatus (the answered event is sent as in-progress)
    (status("ringing", CallSid="CA-not-a-sid"), ""),
    (status("ringing", Direction="sideways"), ""),
    (status("ringing", Timestamp="yesterday"), ""),
    (status("completed", CallDuration="long"), ""),
    (status("ringing"), "?leg=someone"),
    ({"AccountSid": ACCOUNT, "CallSid": PARENT, "RecordingSid": "RE" + "1" * 32, "RecordingStatus": "completed"}, ""),
])
def test_a_signed_body_that_is_no_voice_callback_answers_422_and_stores_nothing(
        client: ApiClient, company: Company, line: dict[str, Any], fields: dict[str, str], query: str) -> None:
    answer = send(client, line, fields, query=query)
    assert answer.status_code == 422, answer.body
    assert events(client, company, line) == []


def test_a_signed_body_that_is_no_form_answers_422(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    raw = b"CallSid&&"  # signed as what it parses to, yet no form
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": SDK.compute_signature(line["webhook_url"], {"CallSid": ""})}
    assert post(client, hook_path(line), raw, headers).status_code == 422
    assert events(client, company, line) == []


def test_the_auth_token_is_sealed_and_the_settings_checked(client: ApiClient, company: Company,
                                                           line: dict[str, Any]) -> None:
    assert "auth_token" not in line["settings"] and line["credential_hints"] == {"auth_token": "…0001"}
    assert line["settings"]["account_sid"] == ACCOUNT and line["settings"]["caller_id"] == LINE
    for wrong in ({"account_sid": "AC123"}, {"caller_id": "8 495 123"}, {"auth_token": ""}):
        answer = client.post("/api/v1/integrations", {"type": "twilio", "name": "bad", "settings": {
            **CREDENTIALS["twilio"], **wrong}}, token=company.owner.token)
        assert answer.status_code == 422, (wrong, answer.body)


def test_a_us_company_types_its_numbers_as_people_write_them(client: ApiClient) -> None:
    """A New York plumber's Twilio number typed "(718) 555-0100" was refused with a regular expression, and a
    plumber's cell typed "718-555-0101" was kept as a Client identity, so a call ringing it named nobody."""
    plumbers = signup(client, company="Brooklyn Pipe Co.", country="US")
    line = create_telephony(client, plumbers, "twilio", caller_id="(718) 555-0100",
                            extensions={"718-555-0101": plumbers.owner.user_id, "rosa": plumbers.owner.user_id})
    assert line["settings"]["caller_id"] == "+17185550100"
    assert line["settings"]["extensions"] == {"+17185550101": plumbers.owner.user_id, "rosa": plumbers.owner.user_id}
    call = Call(customer="+19175550134", line="+17185550100", extension="+17185550101")
    requests = simulator.requests("answered", line["webhook_url"], key=ACCOUNT, secret=TOKEN, call=call)
    assert {answer.status_code for answer in play(client, line, requests)} == {200}
    [answered] = kit_calls(client, plumbers)
    assert answered["status"] == "answered" and answered["user_id"] == plumbers.owner.user_id
    missed = Call(customer="+13475550177", line="+17185550100", extension="rosa")
    play(client, line, simulator.requests("missed", line["webhook_url"], key=ACCOUNT, secret=TOKEN, call=missed))
    [call_back] = [call for call in kit_calls(client, plumbers) if call["status"] == "missed"]
    task = body(client.get(f"/api/v1/tasks/{call_back['callback']['task_id']}", token=plumbers.owner.token))
    assert task["description"].endswith(" on the line “twilio line”.")  # its name, not the type's "(twilio)"
    owner, dispatcher = plumbers.owner.user_id, add_member(client, plumbers, role="manager", name="rosa").user_id
    for wrong, problem in (({"caller_id": "(718) 555"}, "invalid_phone"),
                           ({"extensions": {"(718) 555-01": owner}}, "invalid_phone"),
                           ({"extensions": {"718-555-0101": owner, "(718) 555-0101": dispatcher}},
                            "duplicate_extension")):
        answer = client.post("/api/v1/integrations", {"type": "twilio", "name": "bad", "settings": {
            **CREDENTIALS["twilio"], **wrong}}, token=plumbers.owner.token)
        assert answer.status_code == 422 and body(answer)["error"]["details"][0]["type"] == problem, answer.body
    assert [found["name"] for found in body(client.get("/api/v1/integrations", token=plumbers.owner.token))["items"]] \
        == ["twilio line"]


@pytest.mark.parametrize("scenario, count", [("answered", 6), ("missed", 4), ("outbound", 9)])
def test_the_simulators_calls_are_accepted_by_the_hook(client: ApiClient, company: Company, line: dict[str, Any],
                                                       scenario: str, count: int) -> None:
    requests = simulator.requests(scenario, line["webhook_url"], key=ACCOUNT, secret=TOKEN, call=Call())
    assert [answer.status_code for answer in play(client, line, requests)] == [200] * count
    assert len(events(client, company, line)) == count


def test_the_command_line_plays_every_scenario(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    def sender(request: Request) -> Answer:
        [answer] = play(client, line, [request])
        return Answer(answer.status_code, answer.body)

    out = io.StringIO()
    argv = ["simulate", "twilio", "--url", line["webhook_url"], "--secret", TOKEN, "--key", ACCOUNT]
    assert webhooks_cli.main(argv, out=out, sender=sender) == 0, out.getvalue()
    assert len(events(client, company, line)) == 6 + 4 + 9


# -- what a callback says about the call --------------------------------------------------------------


def leg(call_status: str, to: str, **fields: str) -> dict[str, str]:
    """A status callback of a leg <Dial> placed (ParentCallSid is the call's)."""
    return status(call_status, CallSid=CHILD, ParentCallSid=PARENT, Direction="outbound-dial", To=to, **fields)


AT = datetime(2026, 12, 6, 10, 0, 5, tzinfo=UTC)


def one(fields: dict[str, str]) -> CallEvent:
    [event] = ADAPTER.call_events(fields)
    assert event.provider_call_id == PARENT and event.seq is None
    return event


@pytest.mark.parametrize("call_status, phase, disposition, duration", [
    ("ringing", "start", None, None), ("in-progress", "start", None, None),
    ("completed", "end", None, None),  # over; whether anyone answered, the dialled legs say
    ("busy", "end", "busy", 0), ("no-answer", "end", "missed", 0), ("canceled", "end", "missed", 0),
    ("failed", "end", "failed", 0),
])
def test_an_incoming_calls_own_leg(call_status: str, phase: str, disposition: str | None,
                                   duration: int | None) -> None:
    event = one(status(call_status, CallDuration="47"))
    assert (event.phase, event.direction, event.from_number, event.to_number, event.extension) == (
        phase, "inbound", CUSTOMER, LINE, None)
    assert (event.disposition, event.duration_seconds, event.at) == (disposition, duration, AT)
    assert event.at is not None and event.at.tzinfo is not None


@pytest.mark.parametrize("to, extension", [("client:101", "101"), ("client:alice", "alice"),
                                           ("sip:bob@acme.sip.twilio.com;transport=tls", "bob@acme.sip.twilio.com"),
                                           ("+79031234567", "+79031234567")])
def test_the_leg_ringing_an_extension_names_it(to: str, extension: str) -> None:
    event = one(leg("ringing", to))
    assert (event.phase, event.direction, event.extension, event.from_number, event.to_number) == (
        "ringing", "inbound", extension, CUSTOMER, None)


@pytest.mark.parametrize("call_status, phase, extension, disposition, duration", [
    ("initiated", "ringing", "101", None, None), ("ringing", "ringing", "101", None, None),
    ("in-progress", "answer", "101", None, None), ("completed", "end", "101", "answered", 42),
    # unanswered: says nothing (another extension may have answered; if none did, the call was missed)
    ("no-answer", "end", None, None, None), ("canceled", "end", None, None, None), ("busy", "end", None, None, None),
])
def test_an_extensions_leg_of_an_incoming_call(call_status: str, phase: str, extension: str | None,
                                               disposition: str | None, duration: int | None) -> None:
    event = one(leg(call_status, "client:101", CallDuration="42"))
    assert (event.phase, event.direction, event.extension, event.disposition, event.duration_seconds) == (
        phase, "inbound", extension, disposition, duration)


@pytest.mark.parametrize("call_status, phase, disposition", [
    ("initiated", "start", None), ("ringing", "ringing", None), ("in-progress", "start", None),
    ("completed", "end", None), ("no-answer", "end", "missed"), ("busy", "end", "busy")])
def test_a_click_to_calls_leg_to_the_employee(call_status: str, phase: str, disposition: str | None) -> None:
    event = one(status(call_status, Direction="outbound-api", From=LINE, To="client:101"))
    assert (event.phase, event.direction, event.extension, event.disposition) == (phase, "outbound", "101",
                                                                                  disposition)
    assert (event.from_number, event.to_number) == (None, None)  # the customer's leg has both


@pytest.mark.parametrize("call_status, phase, disposition, duration", [
    ("initiated", "ringing", None, None), ("ringing", "ringing", None, None), ("in-progress", "answer", None, None),
    ("completed", "end", "answered", 42), ("busy", "end", "busy", 0), ("no-answer", "end", "missed", 0),
    ("canceled", "end", "missed", 0), ("failed", "end", "failed", 0)])
def test_a_click_to_calls_leg_to_the_customer(call_status: str, phase: str, disposition: str | None,
                                              duration: int | None) -> None:
    fields = {**leg(call_status, CUSTOMER, From=LINE, CallDuration="42" if call_status == "completed" else "0"),
              "leg": "customer"}
    event = one(fields)
    assert (event.phase, event.direction, event.from_number, event.to_number, event.extension) == (
        phase, "outbound", LINE, CUSTOMER, None)
    assert (event.disposition, event.duration_seconds) == (disposition, duration)


def test_a_completed_recording_names_what_to_fetch() -> None:
    fields = {"AccountSid": ACCOUNT, "CallSid": PARENT, "RecordingSid": "RE" + "1" * 32,
              "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}",
              "RecordingStatus": "completed", "RecordingDuration": "42", "RecordingChannels": "2",
              "RecordingSource": "DialVerb"}
    event = one(fields)
    assert event.phase == "recording" and event.recording == {"url": fields["RecordingUrl"], "sid": "RE" + "1" * 32}
    for other in ("in-progress", "absent", "failed"):
        assert ADAPTER.call_events({**fields, "RecordingStatus": other, "RecordingUrl": ""}) == []


@pytest.mark.parametrize("scenario", ["answered", "missed", "outbound"])
def test_every_callback_of_a_simulated_call_folds_into_one_call(scenario: str) -> None:
    found = []
    for request in simulator.requests(scenario, HOOK, key=ACCOUNT, secret=TOKEN, call=Call()):
        fields: dict[str, Any] = dict(parse_qsl(request.body.decode()))
        fields.update(parse_qsl(urlsplit(request.url).query))
        found += ADAPTER.call_events(fields)
    assert len({event.provider_call_id for event in found}) == 1
    phases = [event.phase for event in found]
    assert phases[-1] == ("end" if scenario == "missed" else "recording")
    assert ("answer" in phases) == (scenario != "missed")
    assert [e.disposition for e in found if e.disposition] == ([] if scenario == "missed" else ["answered"])


# -- click-to-call and recordings ---------------------------------------------------------------------


def credentials(**settings: Any) -> Credentials:
    return Credentials(settings={"account_sid": ACCOUNT, "caller_id": LINE, **settings},
                       secrets={"auth_token": TOKEN}, signing_secret="whsec_unused", webhook_url=HOOK)


class _Capture(HttpClient):
    """The SDK's HTTP client, recording the request instead of sending it."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("twilio.capture"), is_async=False)
        self.sent: dict[str, Any] = {}

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> TwilioResponse:
        self.sent = {"method": method, "url": url, "data": data, "auth": auth}
        return TwilioResponse(201, json.dumps({"sid": "CA" + "c" * 32, "account_sid": ACCOUNT}))


def _pairs(data: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((name, value) for name, values in data.items()
                  for value in (values if isinstance(values, list) else [values]))


def test_click_to_call_is_the_calls_api_request_the_sdk_makes(sandbox: list[transport.Outbound]) -> None:
    dialled = ADAPTER.dial(credentials(), extension="alice", number=CUSTOMER)
    [request] = sandbox
    twiml = VoiceResponse()
    twiml.dial(caller_id=LINE).number(CUSTOMER, status_callback=HOOK + "?leg=customer", status_callback_method="POST",
                                      status_callback_event="initiated ringing answered completed")
    capture = _Capture()
    TwilioClient(ACCOUNT, TOKEN, http_client=capture).calls.create(
        to="client:alice", from_=LINE, twiml=twiml.to_xml(xml_declaration=False),
        status_callback=HOOK, status_callback_method="POST",
        status_callback_event=["initiated", "ringing", "answered", "completed"], record=True,
        recording_status_callback=HOOK, recording_status_callback_method="POST",
        recording_status_callback_event=["completed"])
    ours = dict(parse_qsl(request.body.decode()))
    assert (request.method, request.url) == (capture.sent["method"], capture.sent["url"]) == (
        "POST", f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
    assert ET.canonicalize(ours["Twiml"]) == ET.canonicalize(capture.sent["data"]["Twiml"])
    assert sorted(parse_qsl(request.body.decode())) == _pairs(capture.sent["data"])
    user, token = capture.sent["auth"]
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    [recorded] = transport.sandbox_requests("twilio")
    assert recorded["headers"]["Authorization"] == "***" and TOKEN not in json.dumps(recorded)
    assert dialled.provider_call_id is not None and dialled.provider_call_id.startswith("CA")
    assert len(dialled.provider_call_id) == 34


@pytest.mark.parametrize("extension, to", [("alice", "client:alice"), ("+79031234567", "+79031234567"),
                                           ("bob@acme.sip.twilio.com", "sip:bob@acme.sip.twilio.com")])
def test_click_to_call_rings_the_extension_first(sandbox: list[transport.Outbound], extension: str, to: str) -> None:
    ADAPTER.dial(credentials(), extension=extension, number=CUSTOMER)
    form = dict(parse_qsl(sandbox[0].body.decode()))
    assert form["To"] == to and form["From"] == LINE
    assert ET.fromstring(form["Twiml"]).find("./Dial/Number").text == CUSTOMER  # type: ignore[union-attr]


def test_click_to_call_needs_a_caller_id(sandbox: list[transport.Outbound]) -> None:
    with pytest.raises(errors.ValidationError) as refused:
        ADAPTER.dial(credentials(caller_id=None), extension="alice", number=CUSTOMER)
    assert refused.value.status == 422 and refused.value.code == "caller_id_required"
    assert sandbox == []


def test_a_call_twilio_refuses_is_a_provider_error(sandbox: list[transport.Outbound]) -> None:
    transport.register_sandbox("twilio", lambda request: transport.Answer(400, json.dumps({
        "code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}).encode()))
    with pytest.raises(transport.ProviderError) as refused:
        ADAPTER.dial(credentials(), extension="alice", number="+70000000000")
    assert refused.value.status == 502 and "Invalid 'To' Phone Number" in refused.value.message


def test_a_recording_is_its_mp3_fetched_with_basic_auth(sandbox: list[transport.Outbound]) -> None:
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'2' * 32}"
    recording = ADAPTER.fetch_recording(credentials(), {"url": url, "sid": "RE" + "2" * 32})
    [request] = sandbox
    assert (request.method, request.url) == ("GET", url + ".mp3")
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert transport.sandbox_requests("twilio")[0]["headers"]["Authorization"] == "***"
    assert recording.content_type == "audio/mpeg"
    assert recording.body[:2] == b"\xff\xfb" and len(recording.body) % 144 == 0  # MPEG-1 Layer III frames


def test_a_recording_elsewhere_is_not_fetched_with_the_token(sandbox: list[transport.Outbound]) -> None:
    for url in ("https://evil.example.com/Recordings/RE1", "http://api.twilio.com/2010-04-01/Recordings/RE1"):
        with pytest.raises(transport.ProviderError):
            ADAPTER.fetch_recording(credentials(), {"url": url})
    assert sandbox == []


def test_the_sandbox_answers_as_twilio(sandbox: list[transport.Outbound]) -> None:
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    unsigned = transport.send(transport.Outbound(provider="twilio", method="POST", url=url, body=b"To=%2B7"))
    assert unsigned.status == 401 and unsigned.json()["code"] == 20003
    auth = {"Authorization": "Basic " + base64.b64encode(f"{ACCOUNT}:x".encode()).decode()}
    no_twiml = transport.send(transport.Outbound(provider="twilio", method="POST", url=url, headers=auth,
                                                 body=b"To=%2B79161234567&From=%2B74951234567"))
    assert no_twiml.status == 400 and no_twiml.json()["code"] == 21205


# -- end to end: the hook, the call processor, the calls API ------------------------------------------


def test_simulated_calls_become_calls(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    for scenario in ("answered", "missed", "outbound"):
        requests = simulator.requests(scenario, line["webhook_url"], key=ACCOUNT, secret=TOKEN, call=Call())
        assert {answer.status_code for answer in play(client, line, requests)} == {200}
    assert {event["status"] for event in events(client, company, line)} == {"processed"}
    found = {(call["direction"], call["status"]): call for call in kit_calls(client, company)}
    assert set(found) == {("inbound", "answered"), ("inbound", "missed"), ("outbound", "answered")}
    answered, missed, outbound = found["inbound", "answered"], found["inbound", "missed"], found["outbound", "answered"]
    assert (answered["from_number"], answered["to_number"]) == (CUSTOMER, LINE)
    assert (outbound["from_number"], outbound["to_number"]) == (LINE, CUSTOMER)
    assert answered["duration_seconds"] == outbound["duration_seconds"] == 42 and missed["duration_seconds"] == 0
    assert answered["user_id"] == missed["user_id"] == outbound["user_id"] == company.owner.user_id  # extension 101
    assert answered["contact_id"] and answered["contact_id"] == missed["contact_id"] == outbound["contact_id"]
    assert answered["recording"]["available"] and outbound["recording"]["available"]
    assert not missed["recording"]["available"]
    contact = body(client.get(f"/api/v1/contacts/{answered['contact_id']}", token=company.owner.token))
    assert contact["phones"][0]["number"] == CUSTOMER


def test_a_click_to_call_folds_twilios_callbacks_into_the_call_it_made(
        client: ApiClient, company: Company, line: dict[str, Any], sandbox: list[transport.Outbound]) -> None:
    started = client.post("/api/v1/calls", {"number": CUSTOMER, "integration_id": line["id"]},
                          token=company.owner.token)
    assert started.status_code == 202, started.body
    [request] = sandbox
    form = dict(parse_qsl(request.body.decode()))
    assert (form["To"], form["From"], form["StatusCallback"]) == ("client:101", LINE, line["webhook_url"])
    call_id = body(started)["id"]
    sid = body(client.get(f"/api/v1/calls/{call_id}", token=company.owner.token))["provider_call_id"]
    employee = {"Direction": "outbound-api", "CallSid": sid, "From": LINE, "To": "client:101"}
    customer = {"Direction": "outbound-dial", "CallSid": CHILD, "ParentCallSid": sid, "From": LINE, "To": CUSTOMER}
    steps = [(employee, "initiated", ""), (employee, "ringing", ""), (employee, "in-progress", ""),
             (customer, "initiated", "?leg=customer"), (customer, "ringing", "?leg=customer"),
             (customer, "in-progress", "?leg=customer"), (customer, "completed", "?leg=customer"),
             (employee, "completed", "")]
    for n, (parties, call_status, query) in enumerate(steps):
        fields = status(call_status, **parties, Timestamp=f"Sun, 06 Dec 2026 10:00:{n:02d} +0000",
                        **({"CallDuration": "42"} if call_status == "completed" else {}))
        assert send(client, line, fields, query=query).status_code == 200
    recording = {"AccountSid": ACCOUNT, "CallSid": sid, "RecordingSid": "RE" + "3" * 32, "RecordingStatus": "completed",
                 "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'3' * 32}",
                 "RecordingDuration": "42", "RecordingSource": "OutboundAPI"}
    assert send(client, line, recording).status_code == 200
    assert [listed["id"] for listed in kit_calls(client, company)] == [call_id]  # one call, the one it made
    call = body(client.get(f"/api/v1/calls/{call_id}", token=company.owner.token))
    assert call["provider_call_id"] == sid
    assert (call["direction"], call["status"], call["duration_seconds"]) == ("outbound", "answered", 42)
    assert (call["to_number"], call["user_id"]) == (CUSTOMER, company.owner.user_id)
    assert call["recording"]["available"]
    assert sandbox[-1].url.endswith(f"/Recordings/RE{'3' * 32}.mp3")  # fetched from Twilio by the processor
