"""Mango Office: signed notifications through the real hook, call events, the API requests it builds."""

from __future__ import annotations

import hashlib
import io
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound
from chalicelib.core import errors
from chalicelib.telephony.providers import mango
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, events, hook_path, post
from webhooks import __main__ as cli
from webhooks import simulate
from webhooks.providers import Call
from webhooks.providers import mango as simulator

KEY = CREDENTIALS["mango"]["api_key"]
SALT = CREDENTIALS["mango"]["api_salt"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CUSTOMER, LINE = "79161234567", "74951234567"


def form(payload: dict[str, Any] | str, *, key: str = KEY, salt: str = SALT, sign: str | None = None) -> bytes:
    """A notification's body as Mango posts it, signed the documented way (computed here, apart from the code)."""
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    signature = sign if sign is not None else hashlib.sha256((key + text + salt).encode()).hexdigest()
    return urlencode({"vpbx_api_key": key, "sign": signature, "json": text}).encode()


def leg(state: str, **fields: Any) -> dict[str, Any]:
    """An /events/call notification of an inbound call's first leg, happening now."""
    return {"entry_id": "MToxMDA1NzU5Mzo1MDI=", "call_id": "MToxMDA1NzU5Mzo1MDI6MQ==", "timestamp": int(time.time()),
            "seq": 1, "call_state": state, "location": "ivr", "from": {"number": CUSTOMER},
            "to": {"number": LINE, "line_number": LINE}, **fields}


def credentials(**settings: Any) -> Credentials:
    return Credentials(settings={"api_key": KEY, **settings}, secrets={"api_salt": SALT}, signing_secret="whsec_x")


def inbound(name: str, raw: bytes) -> Inbound:
    return Inbound(provider="mango", method="POST", url=f"https://crm.example/hooks/mango/k/events/{name}",
                   headers={"content-type": FORM["Content-Type"]}, body=raw, tail=name)


def events_of(name: str, payload: dict[str, Any]) -> list[Any]:
    [parsed] = mango.ADAPTER.parse(inbound(name, form(payload)))
    return mango.ADAPTER.call_events(parsed.fields)


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Mango Calls", country="RU")


@pytest.fixture
def line(client: ApiClient, company: Company) -> dict[str, Any]:
    return create_telephony(client, company, "mango")


def send(client: ApiClient, line: dict[str, Any], name: str, raw: bytes) -> Any:
    return post(client, f"{hook_path(line)}/events/{name}", raw, FORM)


# -- the signature, against the description's own worked example -------------------------------------


def test_the_signature_is_the_documented_one() -> None:
    # "Примеры кода для API v1.8", p. 2: this json under these placeholders signs to this value.
    text = ('{"command_id":"your-command-id","from":{"extension":"<extension>","number":""},'
            '"to_number":"<to_number>"}')
    documented = "afdeb462cd5e0e422a9c9220390124608df06a4472cb1add6ebd6e24184bd15a"
    assert mango.sign("<YOUR_API_KEY>", text, "<YOUR_API_SALT>") == documented
    request = simulator.notification("https://crm.example/hooks/mango/k", "call", json.loads(text),
                                     key="<YOUR_API_KEY>", salt="<YOUR_API_SALT>")
    assert dict(parse_qsl(request.body.decode()))["sign"] == documented
    assert request.url == "https://crm.example/hooks/mango/k/events/call"


# -- the hook ----------------------------------------------------------------------------------------


def test_a_signed_notification_is_stored_with_a_masked_summary(client: ApiClient, company: Company,
                                                               line: dict[str, Any]) -> None:
    answer = send(client, line, "call", form(leg("Appeared")))
    assert (answer.status_code, answer.body) == (200, b"")
    [stored] = events(client, company, line)
    assert stored["summary"] == "call Appeared ivr 79161…"
    assert CUSTOMER not in json.dumps(stored)


def test_a_wrong_key_answers_404(client: ApiClient, line: dict[str, Any]) -> None:
    wrong = hook_path(line).rsplit("/", 1)[0] + "/" + "x" * 43
    assert post(client, f"{wrong}/events/call", form(leg("Appeared")), FORM).status_code == 404


@pytest.mark.parametrize("case", ["forged", "other_salt", "other_key", "no_sign", "no_key", "not_a_form", "stale"])
def test_a_bad_signature_answers_401_and_stores_nothing(client: ApiClient, company: Company, line: dict[str, Any],
                                                        case: str) -> None:
    good = leg("Appeared")
    raw = {
        "forged": form(good, sign="0" * 64),
        "other_salt": form(good, salt="not-the-salt"),
        "other_key": form(good, key="another-vpbx"),  # signed right, but by another VPBX
        "no_sign": urlencode({"vpbx_api_key": KEY, "json": json.dumps(good)}).encode(),
        "no_key": urlencode({"sign": "0" * 64, "json": json.dumps(good)}).encode(),
        "not_a_form": b"%%%",
        "stale": form({**good, "timestamp": int(time.time()) - 2 * 24 * 3600}),
    }[case]
    answer = send(client, line, "call", raw)
    assert answer.status_code == 401, answer.body
    assert body(answer)["error"]["code"] == "invalid_signature"
    assert events(client, company, line) == []


def test_a_tampered_body_no_longer_matches_its_signature(client: ApiClient, company: Company,
                                                        line: dict[str, Any]) -> None:
    signed = dict(parse_qsl(form(leg("Appeared")).decode()))
    signed["json"] = signed["json"].replace(CUSTOMER, "79990000000")
    assert send(client, line, "call", urlencode(signed).encode()).status_code == 401
    assert events(client, company, line) == []


NOW = int(time.time())


@pytest.mark.parametrize("name,payload", [
    ("call", "not json"),
    ("call", "[1, 2]"),
    ("call", json.dumps({"call_id": "x", "timestamp": NOW, "seq": 1, "call_state": "Appeared"})),  # no entry_id
    ("summary", json.dumps({"entry_id": "e", "call_direction": 7, "create_time": NOW, "end_time": NOW})),
    ("recording", json.dumps({"recording_id": "r", "recording_state": "Completed", "timestamp": "soon"})),
], ids=["call-not-json", "call-not-an-object", "call-without-entry-id", "summary-bad-direction",
        "recording-bad-time"])  # ids without the clock: parallel workers must collect the same tests
def test_a_signed_notification_that_cannot_be_read_answers_422(client: ApiClient, company: Company,
                                                               line: dict[str, Any], name: str, payload: str) -> None:
    answer = send(client, line, name, form(payload))
    assert answer.status_code == 422, answer.body
    assert events(client, company, line) == []


def test_dtmf_is_verified_and_answered_but_not_kept(client: ApiClient, company: Company,
                                                   line: dict[str, Any]) -> None:
    dtmf = {"seq": 1, "dtmf": "4276", "timestamp": int(time.time()), "call_id": "c", "entry_id": "e",
            "location": "ivr.2", "initiator": CUSTOMER}
    assert send(client, line, "dtmf", form(dtmf, sign="f" * 64)).status_code == 401
    assert send(client, line, "dtmf", form(dtmf)).status_code == 200
    assert events(client, company, line) == []


def test_a_repeated_notification_is_stored_once(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    raw = form(leg("Appeared"))
    assert [send(client, line, "call", raw).status_code for _ in range(2)] == [200, 200]
    assert len(events(client, company, line)) == 1


def test_the_salt_is_sealed_and_never_shown(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    assert "api_salt" not in line["settings"] and line["settings"]["api_key"] == KEY
    assert line["credential_hints"] == {"api_salt": "…" + SALT[-4:]}
    read = client.get(f"/api/v1/integrations/{line['id']}", token=company.owner.token)
    assert SALT not in read.body.decode()


@pytest.mark.parametrize("scenario", ["answered", "missed", "outbound"])
def test_the_simulators_notifications_are_accepted(client: ApiClient, company: Company, line: dict[str, Any],
                                                   scenario: str) -> None:
    sent = simulator.requests(scenario, line["webhook_url"], key=KEY, secret=SALT, call=Call())
    for request in sent:
        answer = post(client, urlsplit(request.url).path, request.body, request.headers)
        assert answer.status_code == 200, (request.url, answer.body)
    names = [request.url.rsplit("/", 1)[1] for request in sent]
    assert names == {"answered": ["call"] * 4 + ["recording", "call", "recording", "summary"],
                     "missed": ["call"] * 4 + ["summary"],
                     "outbound": ["call", "call", "recording", "call", "recording", "summary"]}[scenario]
    assert len(events(client, company, line)) == len(sent)


def test_the_command_line_plays_every_scenario(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    def sender(request: simulate.Request) -> simulate.Answer:
        answer = post(client, urlsplit(request.url).path, request.body, request.headers)
        return simulate.Answer(answer.status_code, answer.body)

    argv = ["simulate", "mango", "--url", line["webhook_url"], "--secret", SALT, "--key", KEY]
    out = io.StringIO()
    assert cli.main(argv, out=out, sender=sender) == 0, out.getvalue()
    assert len(events(client, company, line)) == 8 + 5 + 6
    with pytest.raises(SystemExit):
        cli.main(["simulate", "mango", "--url", line["webhook_url"], "--secret", SALT], out=out, sender=sender)


# -- call events from the stored fields ---------------------------------------------------------------


def test_an_inbound_call_through_the_menu_to_an_employee() -> None:
    t = int(time.time())
    employee = {"extension": "101", "number": "sip:101@vpbx.mangosip.ru", "line_number": LINE}
    caller = {"number": CUSTOMER, "taken_from_call_id": "ivr-leg"}
    second = {"call_id": "abonent-leg", "location": "abonent", "from": caller, "to": employee}
    [start] = events_of("call", leg("Appeared", timestamp=t))
    assert events_of("call", leg("Disconnected", timestamp=t + 4, seq=2, disconnect_reason=1100)) == []
    [ringing] = events_of("call", leg("Appeared", timestamp=t + 4, **second))
    [answer] = events_of("call", leg("Connected", timestamp=t + 9, seq=2, **second))
    assert events_of("call", leg("OnHold", timestamp=t + 20, seq=3, **second)) == []
    assert events_of("call", leg("Disconnected", timestamp=t + 51, seq=4, **second)) == []
    assert [e.phase for e in (start, ringing, answer)] == ["start", "ringing", "answer"]
    assert {e.provider_call_id for e in (start, ringing, answer)} == {"MToxMDA1NzU5Mzo1MDI="}
    assert {e.direction for e in (start, ringing, answer)} == {"inbound"}
    assert (start.from_number, start.to_number, start.extension) == ("+79161234567", "+74951234567", None)
    assert (ringing.extension, answer.extension, answer.from_number) == ("101", "101", "+79161234567")
    assert answer.at is not None and answer.at.tzinfo is not None and answer.at.timestamp() == t + 9
    # seq restarts with each leg: the events are ordered across legs by time, then by the leg's seq
    assert start.seq == t * 1000 + 1 and start.seq < ringing.seq < answer.seq


def test_the_summary_ends_the_call() -> None:
    t = int(time.time()) - 60
    answered = {"entry_id": "e1", "call_direction": 1, "from": {"number": CUSTOMER},
                "to": {"extension": "101", "number": "sip:101@vpbx.mangosip.ru"}, "line_number": LINE,
                "create_time": t, "forward_time": t + 4, "talk_time": t + 9, "end_time": t + 51, "entry_result": 1,
                "disconnect_reason": 1110}
    start, answer, end = events_of("summary", answered)
    assert [e.phase for e in (start, answer, end)] == ["start", "answer", "end"]
    assert (start.at.timestamp(), answer.at.timestamp(), end.at.timestamp()) == (t, t + 9, t + 51)
    assert (end.disposition, end.duration_seconds, end.extension) == ("answered", 42, "101")
    assert (end.from_number, end.to_number, end.direction, end.seq) == ("+79161234567", "+74951234567", "inbound",
                                                                          None)
    missed = {**answered, "talk_time": 0, "entry_result": 0}
    start, end = events_of("summary", missed)
    assert (end.phase, end.disposition, end.duration_seconds) == ("end", "missed", 0)
    # the description's example 2: entry_result 1, yet the call ended in the menu and nobody talked
    [_, menu_end] = events_of("summary", {**answered, "to": {}, "talk_time": 0, "disconnect_reason": 1170})
    assert menu_end.disposition == "missed"


@pytest.mark.parametrize("reason,expected", [(1121, "busy"), (1110, "missed"), (1111, "missed"), (1122, "missed"),
                                             (3200, "failed"), (1131, "failed"), (2240, "failed"), (4201, "failed"),
                                             (5003, "failed"), (None, "missed")])
def test_an_outbound_call_nobody_answered_ends_by_its_reason(reason: int | None, expected: str) -> None:
    t = int(time.time()) - 60
    outbound = {"entry_id": "e2", "call_direction": 2, "from": {"extension": "101", "number": "sip:u@x.mangosip.ru"},
                "to": {"number": CUSTOMER}, "line_number": LINE, "create_time": t, "forward_time": t,
                "talk_time": 0, "end_time": t + 20, "entry_result": 0, "disconnect_reason": reason}
    _, end = events_of("summary", outbound)
    assert (end.direction, end.disposition, end.extension) == ("outbound", expected, "101")
    assert (end.from_number, end.to_number) == ("+74951234567", "+79161234567")


def test_inbound_calls_nobody_answered_are_missed_unless_the_caller_is_barred() -> None:
    t = int(time.time()) - 60
    summary = {"entry_id": "e3", "call_direction": 1, "from": {"number": CUSTOMER}, "to": {"extension": "101"},
               "line_number": LINE, "create_time": t, "talk_time": 0, "end_time": t + 30}
    assert events_of("summary", {**summary, "disconnect_reason": 1192})[-1].disposition == "missed"  # after hours
    assert events_of("summary", {**summary, "disconnect_reason": 1121})[-1].disposition == "missed"
    assert events_of("summary", {**summary, "disconnect_reason": 1151})[-1].disposition == "failed"  # black list
    assert events_of("summary", {**summary, "call_direction": 0}) == []  # between two employees


def test_a_completed_recording_in_the_cloud_is_the_calls_recording() -> None:
    t = int(time.time())
    started = {"recording_id": "r100:777", "recording_state": "Started", "seq": 1, "entry_id": "e1",
               "call_id": "c1", "extension": "101", "timestamp": t}
    assert events_of("recording", started) == []
    [done] = events_of("recording", {**started, "recording_state": "Completed", "seq": 2, "completion_code": 1000,
                                     "recipient": "CloudAndMail"})
    assert (done.phase, done.provider_call_id, done.recording) == ("recording", "e1", {"recording_id": "r100:777"})
    too_short = {**started, "recording_state": "Completed", "completion_code": 4002}
    mailed = {**started, "recording_state": "Completed", "completion_code": 1000, "recipient": "Mail"}
    assert events_of("recording", too_short) == events_of("recording", mailed) == []


def test_a_click_to_call_as_the_description_shows_it() -> None:
    # "Инициирование исходящего вызова" (p. 47-48): the PBX rings the employee 1234, then the number.
    command = "cmd.2.vpbx.12345.external.system.com.net"
    first = {"call_id": "100:500:251", "entry_id": "232wc3e3w3s222", "timestamp": 1399906971, "seq": "1",
             "location": "abonent", "call_state": "Appeared", "from": {"extension": "5555", "number": "74955404444"},
             "to": {"extension": "1234", "number": "12345678"}, "command_id": command}
    second = {**first, "call_id": "100:500:258", "timestamp": 1399906976, "seq": "1",
              "from": {"extension": "1234", "number": "12345678", "taken_from_call_id": "100:500:251"},
              "to": {"extension": "5555", "number": "74955404444"}}
    adapter = mango.ADAPTER
    [ring_employee] = adapter.call_events({"event": "call", "json": first})
    assert adapter.call_events({"event": "call", "json": {**first, "seq": "2", "call_state": "Connected"}}) == []
    [to_customer] = adapter.call_events({"event": "call", "json": second})
    [talking] = adapter.call_events({"event": "call", "json": {**second, "seq": "2", "call_state": "Connected"}})
    assert [e.phase for e in (ring_employee, to_customer, talking)] == ["start", "start", "answer"]
    assert {e.direction for e in (ring_employee, to_customer, talking)} == {"outbound"}
    assert {e.extension for e in (ring_employee, to_customer, talking)} == {"1234"}
    assert {e.to_number for e in (ring_employee, to_customer, talking)} == {"+74955404444"}
    assert {e.provider_call_id for e in (ring_employee, to_customer, talking)} == {"232wc3e3w3s222"}


def test_a_call_between_two_employees_is_no_customers_call() -> None:
    internal = {"entry_id": "e", "call_id": "c", "timestamp": 1399906976, "seq": 1, "call_state": "Appeared",
                "location": "abonent", "from": {"extension": "101"}, "to": {"extension": "102"}}
    assert mango.ADAPTER.call_events({"event": "call", "json": internal}) == []
    assert mango.ADAPTER.call_events({"event": "dtmf", "json": internal}) == []


# -- the requests to Mango's API ----------------------------------------------------------------------


def recorded_form(request: dict[str, Any]) -> dict[str, str]:
    assert request["method"] == "POST" and request["headers"] == FORM
    return dict(parse_qsl(request["body"], keep_blank_values=True))


def test_dial_asks_for_a_callback_exactly_as_documented() -> None:
    transport.clear_sandbox()
    assert mango.ADAPTER.dial(credentials(), extension="101", number="+79161234567").provider_call_id is None
    [request] = transport.sandbox_requests("mango")
    assert request["url"] == "https://app.mango-office.ru/vpbx/commands/callback"
    sent = recorded_form(request)
    assert set(sent) == {"vpbx_api_key", "sign", "json"} and sent["vpbx_api_key"] == KEY
    assert sent["sign"] == hashlib.sha256((KEY + sent["json"] + SALT).encode()).hexdigest()
    command = json.loads(sent["json"])
    assert command.pop("command_id").startswith("crm-")
    assert command == {"from": {"extension": "101"}, "to_number": "79161234567"}
    assert " " not in sent["json"]  # compact, as the description asks

    transport.clear_sandbox()
    mango.ADAPTER.dial(credentials(line_number=LINE), extension="101", number="+79161234567")
    [request] = transport.sandbox_requests("mango")
    assert json.loads(recorded_form(request)["json"])["line_number"] == LINE


def test_fetch_recording_posts_the_query_then_follows_the_one_time_link() -> None:
    transport.clear_sandbox()
    recording = mango.ADAPTER.fetch_recording(credentials(), {"recording_id": "MToxMjI3NTM6MzUwNzMxMDk4NTow"})
    query, download = transport.sandbox_requests("mango")
    assert query["url"] == "https://app.mango-office.ru/vpbx/queries/recording/post"
    sent = recorded_form(query)
    assert json.loads(sent["json"]) == {"recording_id": "MToxMjI3NTM6MzUwNzMxMDk4NTow", "action": "download"}
    assert sent["sign"] == hashlib.sha256((KEY + sent["json"] + SALT).encode()).hexdigest()
    assert download["method"] == "GET" and urlsplit(download["url"]).hostname == "files.mango-office.ru"
    assert recording.body[:4] == b"RIFF" and recording.content_type == "audio/wav"


def test_mangos_refusals_are_provider_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([transport.Answer(420, b'{"code":3102}'), transport.Answer(200, b'{"result":2240}'),
                    transport.Answer(420, b'{"code":3320}'), transport.Answer(302, b"", {"location": "http://x"})])
    monkeypatch.setattr(transport, "send", lambda request: next(answers))
    for attempt in (lambda: mango.ADAPTER.dial(credentials(), extension="101", number="+79161234567"),
                    lambda: mango.ADAPTER.dial(credentials(), extension="101", number="+79161234567"),
                    lambda: mango.ADAPTER.fetch_recording(credentials(), {"recording_id": "r"}),
                    lambda: mango.ADAPTER.fetch_recording(credentials(), {"recording_id": "r"})):
        with pytest.raises(transport.ProviderError):
            attempt()
    with pytest.raises(errors.CRMError):
        mango.ADAPTER.fetch_recording(credentials(), {})


def test_the_sandbox_refuses_what_mango_refuses() -> None:
    bad = transport.Outbound(provider="mango", method="POST", url=mango.CALLBACK_URL, headers=FORM,
                             body=form({"command_id": "c", "to_number": CUSTOMER}))  # no from.extension
    answer = transport.send(bad)
    assert (answer.status, json.loads(answer.body)) == (420, {"code": 3103})
    unsigned = transport.Outbound(provider="mango", method="POST", url=mango.RECORDING_URL, headers=FORM,
                                  body=form({"recording_id": "r", "action": "download"}, sign="nope"))
    assert transport.send(unsigned).status == 420


def test_without_its_salt_nothing_verifies() -> None:
    raw = form(leg("Appeared"))
    with pytest.raises(errors.CRMError) as refused:
        mango.ADAPTER.verify(inbound("call", raw), Credentials(settings={"api_key": KEY}, secrets={},
                                                                signing_secret="whsec_x"))
    assert refused.value.code == adapters.invalid_signature().code
    mango.ADAPTER.verify(inbound("call", raw), credentials())  # and with it, it does


# -- calls, end to end (once the call processor answers GET /api/v1/calls) -----------------------------


def test_simulated_calls_become_calls(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    if client.get("/api/v1/calls", token=company.owner.token).status_code != 200:
        pytest.skip("GET /api/v1/calls is not served yet")
    calls: dict[str, Call] = {}
    for scenario in ("answered", "missed", "outbound"):
        calls[scenario] = Call(start=time.time() - 120)
        for request in simulator.requests(scenario, line["webhook_url"], key=KEY, secret=SALT, call=calls[scenario]):
            assert post(client, urlsplit(request.url).path, request.body, request.headers).status_code == 200
    listed = body(client.get("/api/v1/calls", token=company.owner.token))["items"]
    read = [body(client.get(f"/api/v1/calls/{c['id']}", token=company.owner.token)) for c in listed]
    by_id = {c["provider_call_id"]: c for c in read}
    assert len(read) == 3  # nineteen notifications, three calls
    answered, missed, outbound = (by_id[simulator._id(1, calls[s].call_id)] for s in ("answered", "missed", "outbound"))
    assert (answered["direction"], answered["status"], answered["duration_seconds"]) == ("inbound", "answered", 42)
    assert (missed["direction"], missed["status"], missed["duration_seconds"]) == ("inbound", "missed", 0)
    assert (outbound["direction"], outbound["status"], outbound["duration_seconds"]) == ("outbound", "answered", 42)
    assert (answered["from_number"], answered["to_number"]) == ("+79161234567", "+74951234567")
    assert (outbound["from_number"], outbound["to_number"]) == ("+74951234567", "+79161234567")
    assert answered["contact_id"] and answered["contact_id"] == missed["contact_id"] == outbound["contact_id"]
    assert answered["recording"]["available"] is True and outbound["recording"]["available"] is True
    assert missed["recording"]["available"] is False
