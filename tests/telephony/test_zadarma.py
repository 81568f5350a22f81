"""Zadarma: the URL check, signed notifications through the real hook, call events, the API requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound
from chalicelib.core import errors
from chalicelib.telephony.providers import zadarma
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, events, hook_path, post
from webhooks import __main__ as cli
from webhooks import simulate
from webhooks.providers import Call
from webhooks.providers import zadarma as simulator

SECRET = CREDENTIALS["zadarma"]["api_secret"]
KEY = CREDENTIALS["zadarma"]["api_key"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sdk_signature(signed: str, secret: str) -> str:
    """The SDKs' own lines: PHP ``base64_encode(hash_hmac('sha1', $s, $secret))`` (hash_hmac answers hex);
    Python ``base64.b64encode(bytes(hmac.new(secret, data, sha1).hexdigest(), 'utf8'))``."""
    return base64.b64encode(bytes(hmac.new(secret.encode("utf8"), signed.encode("utf8"), hashlib.sha1).hexdigest(),
                                  "utf8")).decode()


# Computed apart from this code base, with Node's crypto:
#   Buffer.from(createHmac('sha1', secret).update(s).digest('hex')).toString('base64')
VECTORS = {
    "start": ("79161234567" "74951234567" "2026-12-06 10:00:00",
              "NjlkMjA2MTExMjc5NGU3NzUwMmY2OWI0MzRkNWQ3YTI4NDEyMTA3Ng=="),
    "answer": ("79161234567" "101" "2026-12-06 10:00:00", "MTEwMGE5MjZjZDc3OTdiNzQ2M2VhYjZiNzM3OTM1Y2JhYTc1YzQ1MA=="),
    "out": ("101" "79161234567" "2026-12-06 10:00:00", "ZTYyOWJjNjVmODUxOWZmMDdlZmZiNTIwZDAzYmY0YTNkMTg3OGQ3ZQ=="),
    "record": ("in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d" "1-1458313316.343456-100-2016-01-11-100155",
               "YTNkMzFkNGE5ZGM4NDgzN2ZhYjYzZmYzMGQxNmZjZmM4MjQxY2U2Zg=="),
}
CALLBACK_AUTH = "OTYwYTJhNjRhNjUzNmRhZmE5MjcyYzgwMjEwOTc1NGE0Yjk4NjVkNw=="  # format=json&from=101&to=79161234567
RECORD_AUTH = "ZDhhM2FjYjdhNzNmYjg3MWE2NGNjZjFiMmQxZDlmYTQ1MTY0MWQ2OQ=="  # call_id=1-1458...&format=json&lifetime=180


def now_start(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%d %H:%M:%S")


def notification(event: str, **fields: str) -> dict[str, str]:
    """A realistic notification of one event (the call started just now) with the given fields."""
    base = {"call_start": now_start(), "pbx_call_id": "in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d",
            "caller_id": "79161234567", "called_did": "74951234567"}
    if event.startswith("NOTIFY_OUT"):
        base = {"call_start": now_start(), "pbx_call_id": "out_5f1c0e2d", "internal": "101",
                "destination": "79161234567"}
    if event == "NOTIFY_RECORD":
        base = {"pbx_call_id": base["pbx_call_id"], "call_id_with_rec": "1-1458313316.343456-101-2026-12-06-100000"}
    return {"event": event, **base, **fields}


def signed_headers(fields: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    signed = "".join(fields.get(name, "") for name in zadarma.SIGNED[fields["event"]])
    return {**FORM, "Signature": sdk_signature(signed, secret)}


def credentials(secret: str = SECRET) -> Credentials:
    return Credentials(settings={"api_key": KEY}, secrets={"api_secret": secret}, signing_secret="whsec_unused")


def inbound(fields: dict[str, str], headers: dict[str, str] | None = None, method: str = "POST",
            query: dict[str, str] | None = None) -> Inbound:
    return Inbound(provider="zadarma", method=method, url="https://crm.example/hooks/zadarma/k",
                   query=query or {}, headers={k.lower(): v for k, v in (headers or {}).items()},
                   body=urlencode(fields).encode())


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Zadarma Calls", country="RU")


@pytest.fixture
def line(client: ApiClient, company: Company) -> dict[str, Any]:
    return create_telephony(client, company, "zadarma")


def send(client: ApiClient, line: dict[str, Any], fields: dict[str, str], headers: dict[str, str]) -> Any:
    return post(client, hook_path(line), urlencode(fields).encode(), headers)


# -- the signature, against values computed elsewhere ------------------------------------------------


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_the_signature_is_the_documented_one(name: str) -> None:
    signed, expected = VECTORS[name]
    assert sdk_signature(signed, SECRET) == expected  # the SDK's lines agree with Node's crypto
    assert zadarma.sign(signed, SECRET) == expected
    # base64 of the hex string, not of the raw digest (the two differ; only the first is Zadarma's)
    raw = base64.b64encode(hmac.new(SECRET.encode(), signed.encode(), hashlib.sha1).digest()).decode()
    assert zadarma.sign(signed, SECRET) != raw


def test_each_event_signs_its_own_fields() -> None:
    start = notification("NOTIFY_START", call_start="2026-12-06 10:00:00")
    assert zadarma.notification_signature(start, SECRET) == VECTORS["start"][1]
    answer = notification("NOTIFY_ANSWER", call_start="2026-12-06 10:00:00", destination="101", internal="101")
    assert zadarma.notification_signature(answer, SECRET) == VECTORS["answer"][1]
    out = notification("NOTIFY_OUT_END", call_start="2026-12-06 10:00:00", disposition="answered", duration="5")
    assert zadarma.notification_signature(out, SECRET) == VECTORS["out"][1]
    record = notification("NOTIFY_RECORD", call_id_with_rec="1-1458313316.343456-100-2016-01-11-100155")
    assert zadarma.notification_signature(record, SECRET) == VECTORS["record"][1]
    assert simulator.signature(record, SECRET) == VECTORS["record"][1]


def test_the_api_signature_is_the_documented_one() -> None:
    query = zadarma.query_string({"to": "79161234567", "from": "101", "format": "json"})
    assert query == "format=json&from=101&to=79161234567"  # sorted by name, as the SDK ksorts
    assert zadarma.authorization("/v1/request/callback/", query, key=KEY, secret=SECRET) == f"{KEY}:{CALLBACK_AUTH}"
    assert zadarma.query_string({"a": "x y~/"}) == "a=x+y%7E%2F"  # PHP's http_build_query, RFC 1738


# -- the hook -----------------------------------------------------------------------------------------


def test_the_url_check_answers_its_echo_and_stores_nothing(client: ApiClient, company: Company,
                                                           line: dict[str, Any]) -> None:
    answer = client.get(hook_path(line) + "?zd_echo=a1b2c3")
    assert answer.status_code == 200
    assert answer.body == b"a1b2c3"
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert events(client, company, line) == []


def test_a_wrong_key_answers_404(client: ApiClient, line: dict[str, Any]) -> None:
    fields = notification("NOTIFY_START")
    wrong = hook_path(line).rsplit("/", 1)[0] + "/not-a-key"
    assert post(client, wrong, urlencode(fields).encode(), signed_headers(fields)).status_code == 404
    assert client.get(wrong + "?zd_echo=x").status_code == 404


def test_a_signed_notification_is_stored_with_a_masked_summary(client: ApiClient, company: Company,
                                                               line: dict[str, Any]) -> None:
    fields = notification("NOTIFY_START")
    answer = send(client, line, fields, signed_headers(fields))
    assert answer.status_code == 200, answer.body
    assert answer.body == b""
    [event] = events(client, company, line)
    assert event["summary"] == "NOTIFY_START 791612…"
    assert "79161234567" not in event["summary"]


@pytest.mark.parametrize("case", ["forged", "other_secret", "missing", "stale", "future", "tampered", "unknown_event",
                                  "not_a_form"])
def test_a_bad_signature_answers_401_and_stores_nothing(client: ApiClient, company: Company, line: dict[str, Any],
                                                        case: str) -> None:
    fields = notification("NOTIFY_START")
    headers = signed_headers(fields)
    raw = urlencode(fields).encode()
    if case == "forged":
        headers["Signature"] = base64.b64encode(b"0" * 40).decode()
    elif case == "other_secret":
        headers = signed_headers(fields, secret="someone-else")
    elif case == "missing":
        headers.pop("Signature")
    elif case in {"stale", "future"}:
        fields["call_start"] = now_start(timedelta(days=-3) if case == "stale" else timedelta(days=1))
        headers = signed_headers(fields)  # correctly signed, but not of a call happening now
        raw = urlencode(fields).encode()
    elif case == "tampered":
        raw = urlencode({**fields, "caller_id": "79990000000"}).encode()  # a signed field changed
    elif case == "unknown_event":
        fields["event"] = "NOTIFY_SOMETHING"
        raw = urlencode(fields).encode()
    elif case == "not_a_form":
        raw = b"\xff\xfe not a form"
    answer = post(client, hook_path(line), raw, headers)
    assert answer.status_code == 401, answer.body
    assert body(answer)["error"]["code"] == "invalid_signature"
    assert events(client, company, line) == []


@pytest.mark.parametrize("change", [{"call_start": "06.12.2026 10:00"}, {"pbx_call_id": ""},
                                   {"duration": "-5"}, {"duration": "forty"}, {"disposition": ""}])
def test_a_signed_notification_that_cannot_be_read_answers_422(client: ApiClient, company: Company,
                                                               line: dict[str, Any], change: dict[str, str]) -> None:
    fields = {**notification("NOTIFY_END", disposition="answered", duration="42", internal="101"), **change}
    answer = send(client, line, fields, signed_headers(fields))
    assert answer.status_code == 422, answer.body
    assert events(client, company, line) == []


def test_a_disabled_integration_still_checks_the_signature(client: ApiClient, company: Company,
                                                           line: dict[str, Any]) -> None:
    fields = notification("NOTIFY_START")
    response = client.patch(f"/api/v1/integrations/{line['id']}", {"status": "disabled", "version": line["version"]},
                            token=company.owner.token)
    assert response.status_code == 200, response.body
    assert send(client, line, fields, {**FORM, "Signature": "bm9wZQ=="}).status_code == 401
    assert send(client, line, fields, signed_headers(fields)).status_code == 200


def test_the_secret_is_sealed_and_never_shown(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    shown = body(client.get(f"/api/v1/integrations/{line['id']}", token=company.owner.token))
    assert "api_secret" not in shown["settings"] and SECRET not in str(shown)
    assert shown["settings"]["api_key"] == KEY
    assert shown["credential_hints"]["api_secret"] == "…" + SECRET[-4:]


@pytest.mark.parametrize("scenario", ["answered", "missed", "outbound"])
def test_the_simulators_notifications_are_accepted(client: ApiClient, company: Company, line: dict[str, Any],
                                                   scenario: str) -> None:
    sent = simulator.requests(scenario, line["webhook_url"], key=KEY, secret=SECRET, call=Call())
    for request in sent:
        answer = post(client, urlsplit(request.url).path, request.body, request.headers)
        assert answer.status_code == 200, (request.body, answer.body)
    kinds = [dict(parse_qsl(r.body.decode()))["event"] for r in sent]
    assert kinds == {"answered": ["NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END", "NOTIFY_RECORD"],
                     "missed": ["NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_END"],
                     "outbound": ["NOTIFY_OUT_START", "NOTIFY_OUT_END", "NOTIFY_RECORD"]}[scenario]
    assert len(events(client, company, line)) == len(sent)


def test_the_command_line_plays_every_scenario(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    def sender(request: simulate.Request) -> simulate.Answer:
        answer = post(client, urlsplit(request.url).path, request.body, request.headers)
        return simulate.Answer(answer.status_code, answer.body)

    argv = ["simulate", "zadarma", "--url", line["webhook_url"], "--secret", SECRET, "--key", KEY]
    out = io.StringIO()
    assert cli.main(argv, out=out, sender=sender) == 0, out.getvalue()
    assert len(events(client, company, line)) == 5 + 3 + 3


# -- call events from the stored fields -----------------------------------------------------------------


def events_of(fields: dict[str, str]) -> list[Any]:
    [parsed] = zadarma.ADAPTER.parse(inbound(fields))
    return zadarma.ADAPTER.call_events(parsed.fields)


def test_an_answered_inbound_call_folds_under_one_id() -> None:
    start, ring = notification("NOTIFY_START"), notification("NOTIFY_INTERNAL", internal="101")
    answer = notification("NOTIFY_ANSWER", destination="101", internal="101")
    end = notification("NOTIFY_END", internal="101", duration="42", disposition="answered", status_code="16",
                       is_recorded="1", call_id_with_rec="1-1458313316.343456-101-2026-12-06-100000")
    record = notification("NOTIFY_RECORD")
    found = [e for fields in (start, ring, answer, end, record) for e in events_of(fields)]
    assert [e.phase for e in found] == ["start", "ringing", "answer", "end", "recording"]
    assert {e.provider_call_id for e in found} == {"in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d"}
    assert [e.direction for e in found] == ["inbound"] * 4 + [None]
    first, ringing, answered, ended, recorded = found
    assert (first.from_number, first.to_number, first.extension) == ("+79161234567", "+74951234567", None)
    assert ringing.extension == "101" and answered.extension == "101"
    assert (ended.disposition, ended.duration_seconds, ended.extension) == ("answered", 42, "101")
    reference = {"call_id": "1-1458313316.343456-101-2026-12-06-100000",
                 "pbx_call_id": "in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d"}
    assert ended.recording == reference and recorded.recording == reference
    assert all(e.at is None and e.seq is None for e in found)  # call_start has no offset; no numbering


@pytest.mark.parametrize(("disposition", "expected"), [("no answer", "missed"), ("cancel", "missed"), ("busy", "busy"),
                                                       ("failed", "failed"), ("no money", "failed"),
                                                       ("unallocated number", "failed")])
def test_an_end_maps_zadarmas_disposition(disposition: str, expected: str) -> None:
    [ended] = events_of(notification("NOTIFY_END", duration="0", disposition=disposition, is_recorded="0"))
    assert (ended.phase, ended.disposition, ended.duration_seconds, ended.recording) == ("end", expected, 0, None)


def test_an_outbound_call_reads_the_extension_and_the_customer() -> None:
    [started] = events_of(notification("NOTIFY_OUT_START"))
    [ended] = events_of(notification("NOTIFY_OUT_END", caller_id="74951234567", duration="17",
                                     disposition="answered", is_recorded="0"))
    assert (started.phase, started.direction, started.extension, started.to_number) == (
        "start", "outbound", "101", "+79161234567")
    assert (ended.phase, ended.direction, ended.from_number, ended.to_number) == (
        "end", "outbound", "+74951234567", "+79161234567")
    assert (ended.disposition, ended.duration_seconds) == ("answered", 17)
    assert started.provider_call_id == ended.provider_call_id == "out_5f1c0e2d"


@pytest.mark.parametrize(("sent", "read"), [("442037691880", "+442037691880"), ("+79161234567", "+79161234567"),
                                            ("0", "0"), ("anonymous", "anonymous"), ("100", "100"), ("", None)])
def test_numbers_become_e164_where_they_are_numbers(sent: str, read: str | None) -> None:
    [started] = events_of(notification("NOTIFY_START", caller_id=sent))
    assert started.from_number == read


def test_a_voice_menu_event_is_stored_but_makes_no_call_event() -> None:
    assert events_of(notification("NOTIFY_IVR")) == []


def test_verify_and_handshake_directly() -> None:
    fields = notification("NOTIFY_RECORD")
    zadarma.ADAPTER.verify(inbound(fields, signed_headers(fields)), credentials())  # no call_start: no staleness
    with pytest.raises(errors.CRMError) as refused:
        zadarma.ADAPTER.verify(inbound(fields, signed_headers(fields)), credentials("other"))
    assert refused.value.status == 401
    with pytest.raises(errors.CRMError):
        zadarma.ADAPTER.verify(inbound(fields, signed_headers(fields)),
                               Credentials(settings={}, secrets={}, signing_secret="x"))  # no secret: nothing verifies
    reply = zadarma.ADAPTER.handshake(inbound({}, method="GET", query={"zd_echo": "xyz"}))
    assert reply == adapters.Reply(200, "xyz", "text/plain")
    assert zadarma.ADAPTER.handshake(inbound(fields, method="POST", query={"zd_echo": "xyz"})) is None


# -- the requests to Zadarma's API ------------------------------------------------------------------------


def test_dial_asks_zadarma_for_a_callback_exactly_as_documented() -> None:
    transport.clear_sandbox()
    dialled = zadarma.ADAPTER.dial(credentials(), extension="101", number="+7 916 123-45-67")
    assert dialled.provider_call_id is None
    [request] = transport.sandbox_requests("zadarma")
    assert request["method"] == "GET"
    assert request["url"] == "https://api.zadarma.com/v1/request/callback/?format=json&from=101&to=79161234567"
    assert request["headers"] == {"Authorization": "***"}  # the signature is kept out of the record
    assert request["body"] == ""
    signed = "/v1/request/callback/" + "format=json&from=101&to=79161234567"
    expected = sdk_signature(signed + hashlib.md5(b"format=json&from=101&to=79161234567").hexdigest(), SECRET)
    assert expected == CALLBACK_AUTH
    sent = _sent_headers(lambda: zadarma.ADAPTER.dial(credentials(), extension="101", number="+79161234567"))
    assert sent["Authorization"] == f"{KEY}:{CALLBACK_AUTH}"


def test_fetch_recording_requests_the_link_then_downloads_it() -> None:
    transport.clear_sandbox()
    reference = {"call_id": "1-1458313316.343456-100-2016-01-11-100155", "pbx_call_id": "in_ae6b03b3"}
    recording = zadarma.ADAPTER.fetch_recording(credentials(), reference)
    assert recording.body[:4] == b"RIFF" and recording.body[8:12] == b"WAVE"
    assert recording.content_type == "audio/wav"
    ask, download = transport.sandbox_requests("zadarma")
    assert ask["method"] == "GET" and ask["headers"] == {"Authorization": "***"}
    assert ask["url"] == ("https://api.zadarma.com/v1/pbx/record/request/"
                          "?call_id=1-1458313316.343456-100-2016-01-11-100155&format=json&lifetime=180")
    assert download["method"] == "GET" and download["headers"] == {}
    assert download["url"].startswith("https://api.zadarma.com/v1/pbx/record/download/")
    assert download["url"].endswith("/1-1458313316.343456-100-2016-01-11-100155.mp3")
    sent = _sent_headers(lambda: zadarma.ADAPTER.fetch_recording(credentials(), reference))
    assert sent["Authorization"] == f"{KEY}:{RECORD_AUTH}"


def test_fetch_recording_by_the_call_id_alone_takes_the_first_link() -> None:
    transport.clear_sandbox()
    recording = zadarma.ADAPTER.fetch_recording(credentials(), {"call_id": "", "pbx_call_id": "out_5f1c0e2d"})
    assert recording.body[:4] == b"RIFF"
    ask, _ = transport.sandbox_requests("zadarma")
    assert ask["url"].endswith("/v1/pbx/record/request/?format=json&lifetime=180&pbx_call_id=out_5f1c0e2d")


def test_a_refusal_from_zadarma_is_a_provider_error() -> None:
    refusal = transport.Answer(401, b'{"status":"error","message":"Not authorized"}', {})
    transport.register_sandbox("zadarma", lambda request: refusal)
    try:
        with pytest.raises(transport.ProviderError) as failed:
            zadarma.ADAPTER.dial(credentials(), extension="101", number="+79161234567")
    finally:
        transport.register_sandbox("zadarma", zadarma._sandbox)
    assert failed.value.status == 502 and "Not authorized" in str(failed.value)


def _sent_headers(call: Any) -> dict[str, str]:
    """The headers of the first request a call sends, unmasked (what leaves the machine in AWS)."""
    seen: list[transport.Outbound] = []

    def spy(request: transport.Outbound) -> transport.Answer:
        seen.append(request)
        return zadarma._sandbox(request)

    transport.register_sandbox("zadarma", spy)
    try:
        call()
    finally:
        transport.register_sandbox("zadarma", zadarma._sandbox)
    return dict(seen[0].headers)


# -- calls, end to end (once the call processor answers GET /api/v1/calls) ---------------------------------


def test_simulated_calls_become_calls(client: ApiClient, company: Company, line: dict[str, Any]) -> None:
    if client.get("/api/v1/calls", token=company.owner.token).status_code != 200:
        pytest.skip("GET /api/v1/calls is not served yet")
    calls: dict[str, Call] = {}
    for scenario in ("answered", "missed", "outbound"):
        calls[scenario] = Call(start=time.time())
        for request in simulator.requests(scenario, line["webhook_url"], key=KEY, secret=SECRET,
                                          call=calls[scenario]):
            assert post(client, urlsplit(request.url).path, request.body, request.headers).status_code == 200
    listed = body(client.get("/api/v1/calls", token=company.owner.token))["items"]
    read = [body(client.get(f"/api/v1/calls/{c['id']}", token=company.owner.token)) for c in listed]
    by_id = {c["provider_call_id"]: c for c in read}
    assert len(read) == 3  # eleven notifications, three calls
    answered = by_id[f"in_{calls['answered'].call_id}"]
    missed = by_id[f"in_{calls['missed'].call_id}"]
    outbound = by_id[f"out_{calls['outbound'].call_id}"]
    assert (answered["direction"], answered["status"], answered["duration_seconds"]) == ("inbound", "answered", 42)
    assert (missed["direction"], missed["status"]) == ("inbound", "missed")
    assert (outbound["direction"], outbound["status"], outbound["duration_seconds"]) == ("outbound", "answered", 42)
    assert answered["from_number"] == "+79161234567" and outbound["to_number"] == "+79161234567"
    assert answered["contact_id"] and answered["contact_id"] == missed["contact_id"] == outbound["contact_id"]
    assert answered["recording"]["available"] is True
