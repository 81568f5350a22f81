"""What processing one form event costs in DynamoDB requests, and the exactly-once guarantees that
the folded writes keep: each step's checkpoint commits in the transaction that makes its record, the
task commits with the outcome, and the steps of one run read the users and the tenant once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.app import SQSEvent

from chalicelib.core import audit, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.forms import processor
from chalicelib.inbox import jobs, pipeline, queue
from chalicelib.inbox import service as inbox_service
from tests.events.conftest import Feed, open_feed
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body
from tests.watcher import Watcher

LEAD = {"name": "Vera", "phone": "+79161234567", "email": "vera@example.com", "message": "Please call"}

# The run's event, integration and company (one BatchGetItem); the claim; the responsible user; the
# phone and e-mail lookups (one BatchGetItem); the contact's custom fields; the contact with its
# checkpoint; the default pipeline; the deal's custom fields; the stage's summary; the deal with its
# checkpoint; the task, the timeline entries and the outcome. (24 before the reads were shared and the
# checkpoints folded into the records' transactions.)
NEW_CONTACT = ["BatchGetItem", "PutItem", "GetItem", "BatchGetItem", "Query", "TransactWriteItems",
               "Query", "Query", "GetItem", "TransactWriteItems", "TransactWriteItems"]
# A returning visitor: the lookups find the contact (one GetItem, which the deal's link check reuses),
# and the contact is noted with the deal.
KNOWN_CONTACT = ["BatchGetItem", "PutItem", "GetItem", "BatchGetItem", "GetItem",
                 "Query", "Query", "GetItem", "TransactWriteItems", "TransactWriteItems"]


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Cost Ltd", country="RU")


@pytest.fixture
def queue_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stage's jobs queue, configured as in AWS (the suite otherwise processes in the request), with the
    table's stream that hands stored events to it (inbox.dispatch)."""
    sqs = boto3.client("sqs", region_name=settings.region)
    url = str(sqs.create_queue(QueueName=settings.jobs_queue_name)["QueueUrl"])
    monkeypatch.setattr(queue, "settings", dataclasses.replace(settings, jobs_queue_url=url))
    with open_feed() as feed:
        _FEEDS[url] = feed
        yield url
    _FEEDS.pop(url, None)
    sqs.delete_queue(QueueUrl=url)


_FEEDS: dict[str, Feed] = {}


def _message_of(url: str, event_id: str) -> SQSEvent:
    """The queued message naming the event, as Lambda hands it to the queue's handler."""
    _FEEDS[url].deliver(handler="inbox_dispatch")
    sqs = boto3.client("sqs", region_name=settings.region)
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    mine = [m for m in found if json.loads(m["Body"])["event_id"] == event_id]
    assert len(mine) == 1
    return SQSEvent({"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                  "body": m["Body"]} for m in mine]}, context=None)


def _operations(watcher: Watcher, handle: Any) -> list[str]:
    watcher.reset()
    handle()
    assert not watcher.violations
    return [operation for operation, _ in watcher.requests]


def _listed(client: ApiClient, company: Company, path: str) -> list[Any]:
    return list(body(client.get(path, token=company.owner.token))["items"])


def test_processing_a_form_event_takes_eleven_dynamodb_requests(
        client: ApiClient, company: Company, queue_url: str, tenancy_watcher: Watcher) -> None:
    form = create_form(client, company)
    answer = body(post_form(client, form, LEAD))
    message = _message_of(queue_url, answer["event_id"])
    operations = _operations(tenancy_watcher, lambda: jobs.queued_events(message))
    assert operations == NEW_CONTACT

    [event] = events(client, company, form)
    assert event["status"] == "processed"
    assert sorted(event["outcome"]) == ["contact_id", "deal_id", "task_id"]
    [contact] = _listed(client, company, "/api/v1/contacts")
    [deal] = _listed(client, company, "/api/v1/deals")
    [task] = _listed(client, company, "/api/v1/tasks")
    assert (contact["id"], deal["id"], task["id"]) == (event["outcome"]["contact_id"], event["outcome"]["deal_id"],
                                                       event["outcome"]["task_id"])
    assert deal["contact_ids"] == [contact["id"]] and task["related"] == {"type": "deal", "id": deal["id"],
                                                                          "name": deal["title"]}  # named (#20)
    assert contact["owner_id"] == deal["owner_id"] == task["assignee_id"] == company.owner.user_id
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=company.owner.token))
    kinds = sorted(entry["kind"] for entry in card["timeline"])
    assert kinds == ["form_submission", "stage_change", "task"]


def test_a_returning_visitors_form_event_takes_ten(
        client: ApiClient, company: Company, queue_url: str, tenancy_watcher: Watcher) -> None:
    form = create_form(client, company)
    first = body(post_form(client, form, LEAD))
    jobs.queued_events(_message_of(queue_url, first["event_id"]))
    again = body(post_form(client, form, {**LEAD, "email": "", "message": "Still waiting"}))
    message = _message_of(queue_url, again["event_id"])  # the feed queues it (not counted)
    operations = _operations(tenancy_watcher, lambda: jobs.queued_events(message))
    assert operations == KNOWN_CONTACT

    [latest, _] = events(client, company, form)
    assert latest["status"] == "processed"
    assert sorted(latest["outcome"]) == ["contact_id", "deal_id", "task_id"]
    [contact] = _listed(client, company, "/api/v1/contacts")
    assert latest["outcome"]["contact_id"] == contact["id"]
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        stored = inbox_service.get_event(ctx, form["id"], latest["id"])
    assert stored.outcome["responsible_id"] == company.owner.user_id  # noted with the deal
    assert len(_listed(client, company, "/api/v1/deals")) == 2


class Crash(BaseException):
    """The Lambda dying mid-run: no handler of ours sees it, nothing is recorded after it."""


def test_a_crash_right_after_the_contacts_transaction_never_makes_a_second_contact(
        client: ApiClient, company: Company, queue_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    # A name alone: no phone or e-mail lookup could find the contact again, only the checkpoint.
    answer = body(post_form(client, form, {"name": "Nameonly Lead", "message": "Call me"}))

    def crash(*args: Any, **kwargs: Any) -> None:
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(processor.contacts_service, "remember", crash)  # runs right after the commit
        with pytest.raises(Crash):
            jobs.queued_events(_message_of(queue_url, answer["event_id"]))
    [event] = events(client, company, form)
    assert event["status"] == "received" and event["attempts"] == 1
    assert event["outcome"]["contact_id"]  # committed with the contact, in its transaction
    assert len(_listed(client, company, "/api/v1/contacts")) == 1

    later = db.utcnow() + pipeline.QUEUE_GRACE + pipeline.LEASE
    assert jobs.retry_due(now=later) == {"processed": 1}  # the lease ran out; the retry index had it
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["attempts"] == 2
    [contact] = _listed(client, company, "/api/v1/contacts")
    assert contact["id"] == event["outcome"]["contact_id"]
    assert len(_listed(client, company, "/api/v1/deals")) == 1 and len(_listed(client, company, "/api/v1/tasks")) == 1


def _failing_when_saving(model: str) -> Any:
    """db.commit, except that a transaction saving an item of this model fails (nothing written)."""
    real = db.commit

    def commit(ctx: TenantContext, change: db.Change, **kwargs: Any) -> None:
        if any(type(item).__name__ == model for item in change.saves):
            raise RuntimeError(f"{model} store down")
        real(ctx, change, **kwargs)

    return commit


def test_a_failed_contact_transaction_leaves_no_checkpoint_and_the_retry_makes_one_lead(
        client: ApiClient, company: Company, queue_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    answer = body(post_form(client, form, {"name": "Nameonly Lead"}))
    with monkeypatch.context() as patch:
        patch.setattr(db, "commit", _failing_when_saving("Contact"))
        assert jobs.queued_events(_message_of(queue_url, answer["event_id"])) == {"failed": 1}
    [event] = events(client, company, form, status="failed")
    assert "contact_id" not in event["outcome"] and "responsible_id" not in event["outcome"]
    assert _listed(client, company, "/api/v1/contacts") == []

    assert jobs.retry_due(now=_due_after(event)) == {"processed": 1}
    [done] = events(client, company, form)
    [contact] = _listed(client, company, "/api/v1/contacts")
    assert done["outcome"]["contact_id"] == contact["id"] and len(_listed(client, company, "/api/v1/deals")) == 1


def test_a_failed_finish_makes_no_task_and_the_retry_makes_exactly_one(
        client: ApiClient, company: Company, queue_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    answer = body(post_form(client, form, LEAD))
    with monkeypatch.context() as patch:
        patch.setattr(db, "commit", _failing_when_saving("Task"))
        assert jobs.queued_events(_message_of(queue_url, answer["event_id"])) == {"failed": 1}
    [event] = events(client, company, form, status="failed")
    assert event["outcome"]["deal_id"] and "task_id" not in event["outcome"]
    assert _listed(client, company, "/api/v1/tasks") == []

    assert jobs.retry_due(now=_due_after(event)) == {"processed": 1}
    [done] = events(client, company, form)
    [task] = _listed(client, company, "/api/v1/tasks")
    assert done["outcome"]["task_id"] == task["id"] and done["outcome"]["deal_id"] == event["outcome"]["deal_id"]
    assert len(_listed(client, company, "/api/v1/contacts")) == 1
    assert len(_listed(client, company, "/api/v1/deals")) == 1
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert audit.latest_record(ctx, "task", task["id"]) is not None  # the task's audit record came with it


def _due_after(event: dict[str, Any]) -> datetime:
    """A moment just after the failed event is due for its retry."""
    return datetime.fromisoformat(event["next_attempt_at"]) + timedelta(seconds=1)
