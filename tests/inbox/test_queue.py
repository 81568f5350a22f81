"""Events handed to the jobs queue: the hook answers once the event is stored, the table's stream hands it to
the queue (#22: not the hook), the queue's handler processes it, and an event whose message never comes is
processed by the retry job after the grace."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice.app import SQSEvent

from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.inbox import jobs, pipeline, queue
from tests.events.conftest import Feed, open_feed
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body
from tests.watcher import Watcher

LEAD = {"name": "Vera", "phone": "+79161234567", "email": "vera@example.com", "message": "Please call"}


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Queue Ltd", country="RU")


@pytest.fixture
def sqs() -> Any:
    return boto3.client("sqs", region_name=settings.region)


@pytest.fixture
def queue_url(sqs: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stage's jobs queue, configured as in AWS (the suite otherwise processes in the request)."""
    url = str(sqs.create_queue(QueueName=settings.jobs_queue_name)["QueueUrl"])
    monkeypatch.setattr(queue, "settings", dataclasses.replace(settings, jobs_queue_url=url))
    yield url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def feed() -> Iterator[Feed]:
    """The table's stream, as in tests/events."""
    with open_feed() as opened:
        yield opened


def _received(sqs: Any, url: str) -> list[dict[str, Any]]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return list(found.get("Messages", []))


def _handed_over(feed: Feed, sqs: Any, url: str) -> list[dict[str, Any]]:
    """The messages the inbox dispatch queued for what was written since it last read the stream."""
    assert feed.deliver(handler="inbox_dispatch") == {"batchItemFailures": []}
    return _received(sqs, url)


def _lambda_event(messages: list[dict[str, Any]]) -> SQSEvent:
    """The event Lambda hands the queue's handler (the shape local/jobs.py builds too)."""
    records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs"} for m in messages]
    return SQSEvent({"Records": records}, context=None)


def _contacts(client: ApiClient, company: Company) -> list[Any]:
    return list(body(client.get("/api/v1/contacts", token=company.owner.token))["items"])


def test_the_hook_answers_once_stored_and_the_queue_handler_makes_the_lead(
        client: ApiClient, company: Company, sqs: Any, queue_url: str, feed: Feed) -> None:
    form = create_form(client, company)
    answer = body(post_form(client, form, LEAD))
    assert answer["ok"] is True and answer["duplicate"] is False
    [event] = events(client, company, form)
    assert event["status"] == "received" and _contacts(client, company) == []  # answered before processing
    # A received event is on no status list (#22: no index write while it waits); the received are still listed.
    assert [e["id"] for e in events(client, company, form, status="received")] == [event["id"]]
    assert events(client, company, form, status="processed") == []
    assert _received(sqs, queue_url) == []  # the hook sent nothing: the stream hands the event over

    messages = _handed_over(feed, sqs, queue_url)
    assert [json.loads(m["Body"]) for m in messages] == [{
        "kind": "inbox_event", "tenant_id": company.tenant_id, "integration_id": form["id"],
        "event_id": answer["event_id"]}]  # ids only: the sealed payload never leaves the table
    assert jobs.queued_events(_lambda_event(messages)) == {"processed": 1}
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["outcome"]["contact_id"]
    assert [c["id"] for c in _contacts(client, company)] == [event["outcome"]["contact_id"]]
    assert [e["id"] for e in events(client, company, form, status="processed")] == [event["id"]]
    assert events(client, company, form, status="received") == []

    assert jobs.queued_events(_lambda_event(messages)) == {"gone": 1}  # redelivered: nothing made twice
    assert len(_contacts(client, company)) == 1
    assert body(post_form(client, form, LEAD))["duplicate"] is True and _handed_over(feed, sqs, queue_url) == []


def test_an_event_whose_message_is_lost_is_processed_by_the_retry_job_after_the_grace(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch, feed: Feed) -> None:
    monkeypatch.setattr(queue, "settings", dataclasses.replace(
        settings, jobs_queue_url=f"https://sqs.{settings.region}.amazonaws.com/123456789012/no-such-queue"))
    form = create_form(client, company)
    answer = post_form(client, form, LEAD)
    assert answer.status_code == 200
    # the send failed: the stream moves on (nothing blocks its shard), the event waits for its timer
    assert feed.deliver(handler="inbox_dispatch") == {"batchItemFailures": []}
    [event] = events(client, company, form)
    assert event["status"] == "received" and event["next_attempt_at"]

    now = db.utcnow()
    assert jobs.retry_due(now=now) == {}  # within the grace the queue may still bring it
    assert jobs.retry_due(now=now + pipeline.QUEUE_GRACE + timedelta(seconds=1)) == {"processed": 1}
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["next_attempt_at"] is None
    assert len(_contacts(client, company)) == 1
    assert jobs.retry_due(now=now + timedelta(hours=1)) == {}  # off the retry index once processed


def test_a_message_naming_no_event_is_dropped_and_the_rest_of_the_batch_is_processed(
        client: ApiClient, company: Company, sqs: Any, queue_url: str, feed: Feed) -> None:
    form = create_form(client, company)
    post_form(client, form, LEAD)
    messages = _handed_over(feed, sqs, queue_url)
    junk = [{"MessageId": "m1", "ReceiptHandle": "r1", "Body": "not json"},
            {"MessageId": "m2", "ReceiptHandle": "r2", "Body": json.dumps({"kind": "inbox_event", "tenant_id": "x"})}]
    assert jobs.queued_events(_lambda_event(junk + messages)) == {"unreadable": 2, "processed": 1}
    assert len(_contacts(client, company)) == 1


def test_only_the_message_that_met_an_outage_returns_to_the_queue(
        client: ApiClient, company: Company, sqs: Any, queue_url: str, monkeypatch: pytest.MonkeyPatch,
        feed: Feed) -> None:
    form = create_form(client, company)
    post_form(client, form, LEAD)
    post_form(client, form, {**LEAD, "email": "second@example.com", "phone": "+79161234568"})
    messages = _handed_over(feed, sqs, queue_url)
    assert len(messages) == 2
    real = jobs.retry_one
    unlucky = json.loads(messages[0]["Body"])["event_id"]

    def unavailable_for_one(*args: Any, **kwargs: Any) -> str:
        from chalicelib.core import errors

        if args[2] == unlucky:
            raise errors.ServiceUnavailableError("The table is unavailable.")
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "retry_one", unavailable_for_one)
    answer = jobs.queued_events(_lambda_event(messages))
    assert answer == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert len(_contacts(client, company)) == 1  # the other message's lead is made and not sent again
    monkeypatch.setattr(jobs, "retry_one", real)
    assert jobs.queued_events(_lambda_event(messages[:1])) == {"processed": 1}  # the redelivery makes the lead
    assert len(_contacts(client, company)) == 2


def test_an_event_stored_as_ignored_is_not_queued(client: ApiClient, company: Company, sqs: Any, queue_url: str,
                                                 feed: Feed) -> None:
    form = create_form(client, company, rate_limit_per_minute=1)
    post_form(client, form, LEAD)
    assert post_form(client, form, {**LEAD, "email": "over@example.com"}).status_code == 429  # stored as ignored
    assert sorted(event["status"] for event in events(client, company, form)) == ["ignored", "received"]
    assert len(_handed_over(feed, sqs, queue_url)) == 1


def test_a_stored_post_takes_two_dynamodb_requests_in_a_warm_lambda(
        client: ApiClient, company: Company, queue_url: str, tenancy_watcher: Watcher) -> None:
    form = create_form(client, company)
    post_form(client, form, {**LEAD, "email": "first@example.com"})  # learns where the key leads, and the form
    tenancy_watcher.reset()
    assert body(post_form(client, form, LEAD))["duplicate"] is False
    operations = [operation for operation, _ in tenancy_watcher.requests]
    # the form's and the sender's minute counts (one item); the event, its mark and audit record (#22: the
    # integration and its company are remembered for seconds per warm Lambda, like the principal)
    assert operations == ["UpdateItem", "TransactWriteItems"]

    tenancy_watcher.reset()
    assert body(post_form(client, form, LEAD))["duplicate"] is True
    operations = [operation for operation, _ in tenancy_watcher.requests]
    # a repeat: the claim fails, the mark and the first event are read
    assert operations == ["UpdateItem", "TransactWriteItems", "GetItem", "GetItem"]

    changed = body(client.get(f"/api/v1/integrations/{form['id']}", token=company.owner.token))
    assert client.patch(f"/api/v1/integrations/{form['id']}", {"status": "disabled", "version": changed["version"]},
                        token=company.owner.token).status_code == 200
    tenancy_watcher.reset()  # a change made by this Lambda is seen at once
    assert post_form(client, form, {**LEAD, "email": "late@example.com"}).status_code == 404
    assert next(operation for operation, _ in tenancy_watcher.requests) == "BatchGetItem"


def test_a_change_made_by_another_lambda_reaches_the_hook_within_seconds(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    """The integration and its company are remembered HOOK_SECONDS per warm Lambda: a change written elsewhere
    (here: straight to the table, never through this process's commits) takes effect once they pass."""
    from chalicelib.integrations import service as integrations_service

    now = [1_000.0]
    monkeypatch.setattr(integrations_service._hooks, "clock", lambda: now[0])
    integrations_service._hooks.clear()
    form = create_form(client, company)
    assert post_form(client, form, {**LEAD, "email": "one@example.com"}).status_code == 200  # remembered now
    from chalicelib.core.tenancy import TenantContext, bind

    with bind(TenantContext(tenant_id=company.tenant_id)):
        boto3.client("dynamodb", region_name=settings.region).update_item(
            TableName=settings.table_name,
            Key={"pk": {"S": f"T#{company.tenant_id}#INTEGRATION"}, "sk": {"S": form["id"]}},
            UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "disabled"}})
    assert post_form(client, form, {**LEAD, "email": "two@example.com"}).status_code == 200  # still remembered
    now[0] += integrations_service.HOOK_SECONDS
    assert post_form(client, form, {**LEAD, "email": "three@example.com"}).status_code == 404
    integrations_service._hooks.clear()
