"""An SMS campaign through the Twilio line's Messaging API and a WhatsApp template campaign through the Graph API,
both through the channel seam's recording sandbox: each consenting recipient gets one message, with the unsubscribe
link in its last line (SMS) or the template's last variable (WhatsApp)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from chalicelib.channels import transport
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.campaigns.helpers import Queue
from tests.factories import Company, signup
from tests.messaging.kit import create_line
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony

PHONES = ("+79160001001", "+79160001002")


def _audience(client: ApiClient, company: Company, channel: str) -> str:
    owner = company.owner.token
    for number, name in zip(PHONES, ("Olga", "Pavel"), strict=True):
        made = body(client.post("/api/v1/contacts", {"first_name": name, "tags": ["sms"],
                                                    "phones": [{"number": number}]}, token=owner))
        if name == "Olga":
            client.put(f"/api/v1/contacts/{made['id']}/consent", {channel: "granted"}, token=owner)
    segment = body(client.post("/api/v1/segments", {"name": "Phones", "conditions": [
        {"type": "tag_has", "value": "sms"}]}, token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment["id"])
    return str(segment["id"])


def _send(client: ApiClient, company: Company, shape: dict[str, Any], queue: Queue) -> dict[str, Any]:
    owner = company.owner.token
    campaign = client.post("/api/v1/campaigns", shape, token=owner)
    assert campaign.status_code == 201, campaign.body
    made = body(campaign)
    tested = client.post(f"/api/v1/campaigns/{made['id']}/test", {"to": "+79169990000"}, token=owner)
    assert tested.status_code == 200, tested.body
    version = body(client.get(f"/api/v1/campaigns/{made['id']}", token=owner))["version"]
    transport.clear_sandbox()
    assert client.post(f"/api/v1/campaigns/{made['id']}/send", {"version": version}, token=owner).status_code == 200
    queue.drain()
    return dict(body(client.get(f"/api/v1/campaigns/{made['id']}/results", token=owner)))


def test_an_sms_campaign_goes_through_the_twilio_line(client: ApiClient, campaign_queue: Queue) -> None:
    company = signup(client, company="SMS campaigner")
    line = create_telephony(client, company, "twilio", caller_id="+74951110000")
    segment_id = _audience(client, company, "sms")
    shape = {"name": "Sale", "channel": "sms", "segment_id": segment_id, "integration_id": line["id"],
             "body": "{first_name}, roses -20% today"}
    results = _send(client, company, shape, campaign_queue)
    assert (results["sent"], results["skipped_consent"]) == (1, 1)
    [request] = [r for r in transport.sandbox_requests("twilio") if r["url"].endswith("/Messages.json")]
    form = dict(parse_qsl(request["body"]))
    assert form["To"] == PHONES[0] and form["From"] == "+74951110000"
    first, last = form["Body"].split("\n")
    assert first == "Olga, roses -20% today" and "/m/u/" in last


def test_a_whatsapp_template_campaign_carries_the_unsubscribe_link_last(client: ApiClient,
                                                                         campaign_queue: Queue) -> None:
    company = signup(client, company="WhatsApp campaigner")
    line = create_line(client, company, "whatsapp")
    segment_id = _audience(client, company, "whatsapp")
    results = _send(client, company, {"name": "Spring", "channel": "whatsapp", "segment_id": segment_id,
                                      "integration_id": line["id"], "template": {
                                          "name": "spring_sale", "language": "ru", "parameters": ["{first_name}"]}},
                    campaign_queue)
    assert (results["sent"], results["skipped_consent"]) == (1, 1)
    [request] = [r for r in transport.sandbox_requests("whatsapp") if r["url"].endswith("/messages")]
    sent = json.loads(request["body"])
    assert sent["to"] == PHONES[0].lstrip("+") and sent["template"]["name"] == "spring_sale"
    values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert values[0] == "Olga" and "/m/u/" in values[-1]


def test_a_test_send_takes_the_testers_number_as_people_type_it(client: ApiClient) -> None:
    """A Kazan salon's owner typed her number as she writes it and was refused ('check the marked fields', nothing
    marked); any format the company's country reads goes through, and what is no number is refused, sending nothing."""
    company = signup(client, company="Lilia salon", country="RU", timezone="Europe/Moscow", locale="ru")
    owner = company.owner.token
    line = create_line(client, company, "whatsapp")
    segment = body(client.post("/api/v1/segments", {"name": "All", "conditions": [
        {"type": "tag_has", "value": "clients"}]}, token=owner))
    made = body(client.post("/api/v1/campaigns", {
        "name": "December", "channel": "whatsapp", "segment_id": segment["id"], "integration_id": line["id"],
        "template": {"name": "december_ru", "language": "ru", "parameters": ["{first_name}"]}}, token=owner))
    transport.clear_sandbox()
    for junk in ("12345", "call me", "+7 917"):
        refused = client.post(f"/api/v1/campaigns/{made['id']}/test", {"to": junk}, token=owner)
        assert refused.status_code == 422, refused.body
        assert body(refused)["error"]["details"][0]["type"] == "invalid_phone"
    assert transport.sandbox_requests("whatsapp") == []
    assert body(client.get(f"/api/v1/campaigns/{made['id']}", token=owner))["test_sent_at"] is None
    for typed in ("8 (917) 000-11-22", "+7 917 000-11-22", "89170001122"):
        tested = client.post(f"/api/v1/campaigns/{made['id']}/test", {"to": typed}, token=owner)
        assert tested.status_code == 200, tested.body
        assert body(tested)["to"] == "79170001122"
    sent = [json.loads(r["body"])["to"] for r in transport.sandbox_requests("whatsapp")
            if r["url"].endswith("/messages")]
    assert sent == ["79170001122"] * 3


def test_an_sms_test_send_goes_to_the_typed_number_in_e164(client: ApiClient) -> None:
    company = signup(client, company="Lilia SMS", country="RU", timezone="Europe/Moscow", locale="ru")
    owner = company.owner.token
    line = create_telephony(client, company, "twilio", caller_id="+74951110000")
    segment = body(client.post("/api/v1/segments", {"name": "All", "conditions": [
        {"type": "tag_has", "value": "clients"}]}, token=owner))
    made = body(client.post("/api/v1/campaigns", {"name": "Sale", "channel": "sms", "segment_id": segment["id"],
                                                  "integration_id": line["id"], "body": "{first_name}, -20%"},
                            token=owner))
    tested = client.post(f"/api/v1/campaigns/{made['id']}/test", {"to": "8 917 000-11-22"}, token=owner)
    assert tested.status_code == 200, tested.body
    assert body(tested)["to"] == "+79170001122"


def test_a_field_that_is_no_merge_field_is_refused_not_sent_as_written(client: ApiClient) -> None:
    """A salon's owner wrote '{unsubscribe_url}' as the template's last variable (the hint said the last one takes the
    link): every customer would have got the braces as written, and Meta a variable more than the template has."""
    company = signup(client, company="Lilia fields", country="RU", timezone="Europe/Moscow", locale="ru")
    owner = company.owner.token
    line = create_line(client, company, "whatsapp")
    shape = {"name": "December", "channel": "whatsapp", "integration_id": line["id"],
             "template": {"name": "december_ru", "language": "ru", "parameters": ["{first_name}", "{unsubscribe_url}"]}}
    refused = client.post("/api/v1/campaigns", shape, token=owner)
    assert refused.status_code == 422, refused.body
    [detail] = body(refused)["error"]["details"]
    assert (detail["loc"], detail["type"], detail["ctx"]) == (
        ["body", "template", "parameters", 1], "unknown_merge_field", {"field": "{unsubscribe_url}"})
    assert body(client.get("/api/v1/campaigns", token=owner))["items"] == []
    shape["template"]["parameters"] = ["{first_name}", "20%"]
    made = body(client.post("/api/v1/campaigns", shape, token=owner))
    for change in ({"body": "Привет, {имя}!"}, {"subject": "{ first_name }, -20%"}):
        sms = client.post("/api/v1/campaigns", {"name": "SMS", "channel": "email", **change}, token=owner)
        assert sms.status_code == 422 and body(sms)["error"]["code"] == "unknown_merge_field", sms.body
    kept = client.patch(f"/api/v1/campaigns/{made['id']}", {"version": made["version"], "template": {
        "name": "december_ru", "language": "ru", "parameters": ["{name}", "{Имя}"]}}, token=owner)
    assert kept.status_code == 422, kept.body
    assert body(client.get(f"/api/v1/campaigns/{made['id']}", token=owner))["template"]["parameters"] == [
        "{first_name}", "20%"]


PAIR = "(Business Account, Consumer Account) pair rate limit hit"


@pytest.mark.parametrize(("answers", "outcome"), [
    ([(400, 130429, "Rate limit hit"), (400, 131056, PAIR), (429, 4, "Application request limit")], (1, 0, 4)),
    ([(400, 131026, "(#131026) Message undeliverable")], (0, 1, 1))], ids=["throttled", "refused"])
def test_a_throttled_provider_delays_a_recipient_and_a_refusal_fails_them(
        client: ApiClient, campaign_queue: Queue, monkeypatch: Any, answers: list[tuple[int, int, str]],
        outcome: tuple[int, int, int]) -> None:
    """Meta answers a throughput or pair-rate limit with HTTP 400 and code 130429 / 131056, Twilio and Telegram with
    429: each said 'later', yet the 4xx failed the recipient for good and the salon's customer never got the message.
    Now the queue brings her again; a real refusal (131026, undeliverable) still fails at once."""
    company = signup(client, company="Throttled sender")
    line = create_line(client, company, "whatsapp")
    segment_id = _audience(client, company, "whatsapp")
    left, real = iter(answers), transport._RESPONDERS["whatsapp"]

    def answering(request: transport.Outbound) -> transport.Answer:
        if request.url.endswith("/messages") and PHONES[0].lstrip("+") in request.body.decode():  # not the test
            status, code, message = next(left, (0, 0, ""))
            if status:
                return transport.Answer(status, json.dumps({"error": {
                    "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "t"}}).encode())
        return real(request)

    monkeypatch.setitem(transport._RESPONDERS, "whatsapp", answering)
    results = _send(client, company, {"name": "Spring", "channel": "whatsapp", "segment_id": segment_id,
                                      "integration_id": line["id"], "template": {
                                          "name": "spring_sale", "language": "ru", "parameters": ["{first_name}"]}},
                    campaign_queue)
    tries = [r for r in transport.sandbox_requests("whatsapp") if r["url"].endswith("/messages")]
    # throttled: three times told to wait (the test send is cleared), then sent once; refused: once, for good
    assert (results["sent"], results["failed"], len(tries)) == outcome, results
    assert results["in_flight"] == 0


def test_twilio_answering_429_delays_an_sms_recipient(client: ApiClient, campaign_queue: Queue,
                                                      monkeypatch: Any) -> None:
    company = signup(client, company="SMS throttled")
    line = create_telephony(client, company, "twilio", caller_id="+74951110000")
    segment_id = _audience(client, company, "sms")
    real, told = transport._RESPONDERS["twilio"], []

    def throttling(request: transport.Outbound) -> transport.Answer:
        if request.url.endswith("/Messages.json") and not told and "79160001001" in request.body.decode():
            told.append(1)
            return transport.Answer(429, json.dumps({"code": 20429, "message": "Too Many Requests",
                                                     "status": 429}).encode())
        return real(request)

    monkeypatch.setitem(transport._RESPONDERS, "twilio", throttling)
    results = _send(client, company, {"name": "Sale", "channel": "sms", "segment_id": segment_id,
                                      "integration_id": line["id"], "body": "{first_name}, roses -20% today"},
                    campaign_queue)
    assert told and (results["sent"], results["failed"]) == (1, 0), results
