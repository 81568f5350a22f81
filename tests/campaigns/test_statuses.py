"""Delivery statuses of campaign messages (#24): SES's events (through the configuration set, SNS and the campaign
mail events queue), Twilio's StatusCallback and WhatsApp's ``statuses`` reach the campaign's results and each
message, once, never moving back; a permanent bounce or a complaint withdraws the e-mail consent (later campaigns
skip the address), a transient bounce does not; an unknown message is stored and answered 200, changing nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from chalice.app import SQSEvent
from twilio.request_validator import RequestValidator

from chalicelib.campaigns import mail_events
from chalicelib.channels import transport
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.campaigns.helpers import Queue, parsed
from tests.factories import Company, outbox, signup
from tests.messaging.kit import APP_SECRET, create_line
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS, create_telephony, events, hook_path, post
from webhooks import __main__ as cli
from webhooks import messengers, ses_events

DOMAIN = "@campaign-statuses.example"
TWILIO_TOKEN = CREDENTIALS["twilio"]["auth_token"]


def _audience(client: ApiClient, company: Company, channel: str, people: dict[str, str]) -> dict[str, str]:
    """Contacts with consent on the channel, tagged into one built segment; answers {name: contact id} and the
    segment under ``segment``."""
    owner, made = company.owner.token, {}
    for name, address in people.items():
        fields = {"emails": [{"address": address}]} if channel == "email" else {"phones": [{"number": address}]}
        contact = body(client.post("/api/v1/contacts", {"first_name": name, "tags": ["statuses"], **fields},
                                   token=owner))
        client.put(f"/api/v1/contacts/{contact['id']}/consent", {channel: "granted"}, token=owner)
        made[name] = contact["id"]
    segment = body(client.post("/api/v1/segments", {"name": "Statuses", "conditions": [
        {"type": "tag_has", "value": "statuses"}]}, token=owner))
    with bind(TenantContext(tenant_id=company.tenant_id)):
        assert jobs.build(TenantContext(tenant_id=company.tenant_id), segment["id"])
    return {**made, "segment": segment["id"]}


def _send(client: ApiClient, company: Company, shape: dict[str, Any], queue: Queue) -> str:
    owner = company.owner.token
    made = body(client.post("/api/v1/campaigns", shape, token=owner))
    tested = client.post(f"/api/v1/campaigns/{made['id']}/test", {"to": "+79169990000"}, token=owner)
    assert tested.status_code == 200, tested.body
    version = body(client.get(f"/api/v1/campaigns/{made['id']}", token=owner))["version"]
    assert client.post(f"/api/v1/campaigns/{made['id']}/send", {"version": version}, token=owner).status_code == 200
    queue.drain()
    return str(made["id"])


def _results(client: ApiClient, company: Company, campaign_id: str) -> dict[str, Any]:
    return dict(body(client.get(f"/api/v1/campaigns/{campaign_id}/results", token=company.owner.token)))


def _messages(client: ApiClient, company: Company, campaign_id: str, query: str = "") -> dict[str, dict[str, Any]]:
    found = client.get(f"/api/v1/campaigns/{campaign_id}/messages{query}", token=company.owner.token)
    assert found.status_code == 200, found.body
    return {item["contact_id"]: item for item in body(found)["items"]}


def _capture(monkeypatch: pytest.MonkeyPatch, provider: str, id_of: Callable[[dict[str, Any]], str],
             then: Callable[[str], None] | None = None) -> list[str]:
    """The provider's message ids the sandbox answers (``then`` runs with each, before the send is recorded)."""
    answered: list[str] = []
    responder = transport._RESPONDERS[provider]

    def wrapper(request: transport.Outbound) -> transport.Answer:
        answer = responder(request)
        if request.method == "POST" and answer.status < 300:
            answered.append(id_of(json.loads(answer.body)))
            if then is not None:
                then(answered[-1])
        return answer

    monkeypatch.setitem(transport._RESPONDERS, provider, wrapper)
    return answered


# -- e-mail: SES events ------------------------------------------------------------------------------------------


def _mail_events(records: list[dict[str, Any] | str]) -> dict[str, Any]:
    """SES's records as SNS delivers them to the queue (raw, or one in SNS's envelope), to the app's handler."""
    return dict(mail_events.queued_events(SQSEvent({"Records": [
        {"messageId": f"m{n}", "receiptHandle": f"r{n}", "eventSource": "aws:sqs",
         "body": r if isinstance(r, str) else json.dumps(r)}
        for n, r in enumerate(records)]}, None)))


def _simulate_delivery(tmp_path: Path, company: Company, campaign_id: str, message_id: str) -> None:
    """``python -m webhooks simulate ses-events`` reads make run's outbox (as local.outbox writes it) and puts SES's
    event on the campaign mail events queue, whose handler the runner calls as Lambda would."""
    from local.outbox import describe

    lines = [json.dumps(describe(m)) for m in outbox() if hasattr(m, "raw_data")]
    (tmp_path / "outbox.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sqs = boto3.client("sqs", region_name=settings.region)
    url = sqs.create_queue(QueueName=settings.campaign_mail_events_queue_name)["QueueUrl"]
    out = io.StringIO()
    assert cli.main(["simulate", "ses-events", "--event", "delivery", "--message-id", message_id, "--outbox",
                     str(tmp_path / "outbox.jsonl"), "--queue", settings.campaign_mail_events_queue_name,
                     "--endpoint", f"https://sqs.{settings.region}.amazonaws.com"], out=out) == 0, out.getvalue()
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert json.loads(message["Body"])["mail"]["tags"]["crm-tenant"] == [company.tenant_id]
    assert _mail_events([message["Body"]]) == {"batchItemFailures": []}
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_ses_events_reach_the_results_once_and_bounces_and_complaints_suppress(client: ApiClient,
                                                                               campaign_queue: Queue,
                                                                               tmp_path: Path) -> None:
    company = signup(client, company="SES statuses")
    owner = company.owner.token
    people = {name: f"{name.lower()}{DOMAIN}" for name in ("Anna", "Boris", "Vera")}
    ids = _audience(client, company, "email", people)
    shape = {"name": "Spring", "channel": "email", "segment_id": ids["segment"], "subject": "Spring",
             "body": "Tulips are in"}
    campaign_id = _send(client, company, shape, campaign_queue)
    sent = {str(parsed(m)["To"]): m.id for m in outbox() if hasattr(m, "raw_data")
            and str(parsed(m)["To"]).endswith(DOMAIN)}

    def record(kind: str, name: str) -> dict[str, Any]:
        return ses_events.event(kind, message_id=sent[people[name]], tenant_id=company.tenant_id,
                                campaign_id=campaign_id, contact_id=ids[name], recipient=people[name],
                                configuration_set=settings.campaign_configuration_set)

    delivered = record("delivery", "Anna")
    envelope = {"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:eu-west-1:1:ses",
                "Message": json.dumps(delivered)}
    unknown = {**delivered, "mail": {**delivered["mail"], "messageId": "not-a-campaign-message-000"}}
    answer = _mail_events([delivered, envelope, record("complaint", "Anna"), record("bounce", "Boris"),
                           record("soft-bounce", "Vera"), unknown, "not json", {"mail": "nothing"}])
    assert answer == {"batchItemFailures": []}
    results = _results(client, company, campaign_id)
    assert (results["sent"], results["delivered"], results["complained"], results["bounced"]) == (3, 1, 1, 2)
    assert results["delivery_rate"] == round(1 / 3, 4)
    shown = _messages(client, company, campaign_id)
    assert shown[ids["Anna"]]["delivery"] == "complained" and shown[ids["Anna"]]["delivered_at"]
    assert shown[ids["Boris"]]["delivery"] == "bounced"
    assert shown[ids["Boris"]]["reason"] == "Permanent General 5.1.1"  # codes, never the diagnostic's address
    assert shown[ids["Vera"]]["reason"] == "Transient MailboxFull 4.2.2"
    assert set(_messages(client, company, campaign_id, "?delivery=bounced")) == {ids["Boris"], ids["Vera"]}
    consent = {name: body(client.get(f"/api/v1/contacts/{ids[name]}/consent", token=owner))["email"]
               for name in ("Anna", "Boris", "Vera")}
    assert (consent["Anna"]["status"], consent["Anna"]["source"]) == ("withdrawn", "complaint")
    assert (consent["Boris"]["status"], consent["Boris"]["source"]) == ("withdrawn", "bounce")
    assert consent["Vera"]["status"] == "granted"  # a transient bounce is no reason to stop writing
    # SES publishes at least once: the same events again count nothing
    assert _mail_events([record("delivery", "Anna"), delivered]) == {"batchItemFailures": []}
    assert _results(client, company, campaign_id) == results
    _simulate_delivery(tmp_path, company, campaign_id, sent[people["Vera"]])
    assert _results(client, company, campaign_id)["delivered"] == 2  # Vera's, through the simulator and the queue
    later = _send(client, company, {**shape, "name": "Summer"}, campaign_queue)
    after = _results(client, company, later)
    assert (after["sent"], after["skipped_consent"]) == (1, 2)  # only Vera is written to again


def test_an_email_ses_rejected_shows_as_undelivered_with_its_reason_and_keeps_the_consent(
        client: ApiClient, campaign_queue: Queue) -> None:
    # SES refuses to send a message it finds bad (a Reject event): the campaign's Messages panel says so, the
    # results count it undelivered, and the contact, who did nothing, may still be written to.
    company = signup(client, company="SES reject")
    people = {"Gleb": f"gleb{DOMAIN}"}
    ids = _audience(client, company, "email", people)
    campaign_id = _send(client, company, {"name": "Offer", "channel": "email", "segment_id": ids["segment"],
                                          "subject": "Offer", "body": "Peonies are in"}, campaign_queue)
    [message_id] = [m.id for m in outbox(people["Gleb"]) if hasattr(m, "raw_data")]
    rejected = ses_events.event("reject", message_id=message_id, tenant_id=company.tenant_id,
                                campaign_id=campaign_id, contact_id=ids["Gleb"], recipient=people["Gleb"],
                                configuration_set=settings.campaign_configuration_set)
    assert _mail_events([rejected, rejected]) == {"batchItemFailures": []}
    results = _results(client, company, campaign_id)
    assert (results["sent"], results["undelivered"], results["delivered"]) == (1, 1, 0)
    shown = _messages(client, company, campaign_id)[ids["Gleb"]]
    assert (shown["delivery"], shown["reason"]) == ("undelivered", "Reject: Bad content")
    consent = body(client.get(f"/api/v1/contacts/{ids['Gleb']}/consent", token=company.owner.token))["email"]
    assert consent["status"] == "granted"


def test_a_garbled_ses_event_is_kept_failed_and_another_companys_message_is_unknown(client: ApiClient) -> None:
    company, other = signup(client, company="SES garbled"), signup(client, company="SES other")
    shape = ses_events.event("delivery", message_id="0100abc", tenant_id=other.tenant_id,
                             campaign_id=company.tenant_id, contact_id=company.tenant_id, recipient="x@example.com")
    broken = {**shape, "mail": {**shape["mail"], "messageId": "0100abd"}, "delivery": "not an object"}
    assert _mail_events([shape, broken]) == {"batchItemFailures": []}
    ctx = TenantContext(tenant_id=other.tenant_id)
    from chalicelib.inbox.models import InboxEvent, events_pk

    with bind(ctx):
        stored = list(InboxEvent.query(events_pk(ctx, mail_events.MAIL_EVENTS.integration_id)))
    outcomes = sorted((e.status, (e.outcome or {}).get("reason")) for e in stored)
    assert outcomes == [("failed", "invalid_event"), ("ignored", "unknown_message")]
    from chalicelib.tenantdata import walk

    with bind(ctx):  # the company's export and purge reach SES's events and their sealed fields
        kinds = [str(item["kind"]["S"]) for item in walk.tenant_items(ctx).values()]
    assert kinds.count("inbox_event") == 2 and kinds.count("inbox_payload") == 2 and kinds.count("inbox_dedupe") == 2


# -- SMS: Twilio's StatusCallback -----------------------------------------------------------------------------


def _twilio(client: ApiClient, line: dict[str, Any], sid: str, status: str, **more: str) -> int:
    fields = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "AccountSid": CREDENTIALS["twilio"]["account_sid"], "From": "+74951110000", "To": "+79160002001",
              "ApiVersion": "2010-04-01", **more}
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(line["webhook_url"], fields)}
    return int(post(client, hook_path(line), urlencode(fields).encode(), headers).status_code)


def test_twilio_statuses_reach_the_campaign_even_before_the_send_is_recorded(client: ApiClient, campaign_queue: Queue,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="SMS statuses")
    line = create_telephony(client, company, "twilio", caller_id="+74951110000")
    ids = _audience(client, company, "sms", {"Olga": "+79160002001", "Pavel": "+79160002002"})
    early: list[str] = []

    def call_back_at_once(sid: str) -> None:  # Twilio's callback of the first message, while the batch still sends
        if len(sids) == 2:  # the test send came first
            early.append(sid)
            assert _twilio(client, line, sid, "delivered") == 200

    sids = _capture(monkeypatch, "twilio", lambda answer: str(answer["sid"]), then=call_back_at_once)
    campaign_id = _send(client, company, {"name": "Sale", "channel": "sms", "segment_id": ids["segment"],
                                          "integration_id": line["id"], "body": "Roses -20%"}, campaign_queue)
    _, first, second = sids
    assert early == [first]
    assert _results(client, company, campaign_id)["delivered"] == 1  # the early one, picked up after the record
    assert _twilio(client, line, second, "undelivered", ErrorCode="30003") == 200
    assert _twilio(client, line, second, "undelivered", ErrorCode="30003") == 200  # Twilio retried
    assert _twilio(client, line, first, "sent") == 200  # late: after delivered, it moves nothing back
    assert _twilio(client, line, first, "delivered") == 200
    assert _twilio(client, line, "SM" + "f" * 32, "delivered") == 200  # no message of ours: kept, nothing changes
    assert _twilio(client, line, "SM-forged", "delivered", ErrorCode="1") == 422
    results = _results(client, company, campaign_id)
    assert (results["sent"], results["delivered"], results["undelivered"]) == (2, 1, 1)
    shown = sorted((m["delivery"], m["reason"]) for m in _messages(client, company, campaign_id).values())
    assert shown == [("delivered", None), ("undelivered", "30003")]
    assert all(e["status"] in ("processed", "ignored") for e in events(client, company, line))


# -- WhatsApp: the Cloud API's statuses -----------------------------------------------------------------------


def test_whatsapp_statuses_out_of_order_and_twice_count_once(client: ApiClient, campaign_queue: Queue,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="WhatsApp statuses")
    line = create_line(client, company, "whatsapp")
    ids = _audience(client, company, "whatsapp", {"Olga": "+79160003001", "Pavel": "+79160003002"})
    wamids = _capture(monkeypatch, "whatsapp", lambda answer: str(answer["messages"][0]["id"]))
    campaign_id = _send(client, company, {"name": "Spring", "channel": "whatsapp", "segment_id": ids["segment"],
                                          "integration_id": line["id"], "template": {
                                              "name": "spring_sale", "language": "ru", "parameters": []}},
                        campaign_queue)
    first, second = wamids[-2:]
    chat = messengers.Chat(customer="+79160003001")
    path = hook_path(line)

    def notify(wamid: str, status: str) -> int:
        request = messengers.whatsapp_post(line["webhook_url"], APP_SECRET,
                                           messengers.whatsapp_status(chat, wamid, status))
        return int(client.request("POST", path, body=request.body, headers=request.headers).status_code)

    for wamid, status in ((first, "read"), (first, "delivered"), (first, "read"), (first, "sent"),
                          (second, "failed"), (second, "failed")):
        assert notify(wamid, status) == 200
    results = _results(client, company, campaign_id)
    assert (results["delivered"], results["read"], results["undelivered"]) == (1, 1, 1)
    shown = {m["delivery"]: m for m in _messages(client, company, campaign_id).values()}
    assert set(shown) == {"read", "undelivered"} and shown["undelivered"]["reason"] == "131047 Re-engagement message"


# -- faults: a throttled table while SES's events come in -----------------------------------------------------


def test_ses_events_under_a_throttled_table_are_kept_and_applied_once_after(client: ApiClient, campaign_queue: Queue,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.campaigns import statuses
    from chalicelib.inbox import jobs as inbox_jobs
    from chalicelib.inbox.models import InboxEvent, events_pk
    from tests.faults.test_every_write import FAULTED, failing

    company = signup(client, company="SES faults")
    address = f"gleb{DOMAIN}"
    ids = _audience(client, company, "email", {"Gleb": address})
    campaign_id = _send(client, company, {"name": "Autumn", "channel": "email", "segment_id": ids["segment"],
                                          "subject": "Autumn", "body": "Asters are in"}, campaign_queue)
    [message_id] = [m.id for m in outbox() if hasattr(m, "raw_data") and str(parsed(m)["To"]) == address][-1:]

    def record(kind: str) -> dict[str, Any]:
        return ses_events.event(kind, message_id=message_id, tenant_id=company.tenant_id, campaign_id=campaign_id,
                                contact_id=ids["Gleb"], recipient=address)

    throttled = "ProvisionedThroughputExceededException"
    with failing("dynamodb", FAULTED["dynamodb"], throttled):  # nothing can be stored: the queue brings it again
        assert _mail_events([record("delivery")]) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    original = statuses.record

    def throttled_apply(*args: Any, **kwargs: Any) -> bool:  # stored, then the marker's transaction is throttled
        with failing("dynamodb", frozenset({"TransactWriteItems"}), throttled):
            return original(*args, **kwargs)

    monkeypatch.setattr(statuses, "record", throttled_apply)
    assert _mail_events([record("bounce")]) == {"batchItemFailures": []}  # kept in the inbox, failed, to retry
    monkeypatch.setattr(statuses, "record", original)
    assert _results(client, company, campaign_id)["bounced"] == 0
    assert _mail_events([record("delivery")]) == {"batchItemFailures": []}  # the queue's redelivery
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        stored = list(InboxEvent.query(events_pk(ctx, mail_events.MAIL_EVENTS.integration_id)))
    [waiting] = [e for e in stored if e.status == "failed"]
    later = waiting.next_attempt_at + timedelta(seconds=1)
    for _ in range(2):  # the retry timer's run, and a second that finds nothing waiting
        inbox_jobs.retry_one(company.tenant_id, mail_events.MAIL_EVENTS.integration_id, waiting.event_id, now=later)
    results = _results(client, company, campaign_id)
    assert (results["delivered"], results["bounced"]) == (1, 1)
    assert body(client.get(f"/api/v1/contacts/{ids['Gleb']}/consent", token=company.owner.token))["email"][
        "status"] == "withdrawn"
