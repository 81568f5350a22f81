"""The work the scheduled and queued jobs find waiting, made through the public API, and what they made of it.

Each helper makes one tenant's work (an import, an export, a tenant export or deletion, a webhook event, a
trashed contact) with the fixtures and helpers of the job's own tests, and reads back what the job left:
the job's record, the tenant's contacts, and the items of the table as tests/faults/snapshots.py sees them.
The jobs read global queues (a sparse index, a day bucket); ``only_ours`` keeps them to this file's tenants,
so the full suite's earlier modules neither crowd the queues nor fall under the faults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from chalice.app import SQSEvent

from chalicelib.contacts import derived
from chalicelib.core import tenancy
from chalicelib.core.config import settings
from chalicelib.inbox import queue as inbox_queue
from tests.events.conftest import Feed, open_feed
from tests.factories import Company
from tests.faults.snapshots import Key, Snapshot
from tests.inbox.test_queue import _lambda_event, _received
from tests.support import ApiClient, body


def only_ours(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, tenant_of: Callable[[Any], str],
              tenants: set[str], *, limit: int | None = None) -> None:
    """Make owner.name (a job's read of its global queue) answer only the work of tenants; with limit, read
    that many first, so the earlier modules' work cannot push ours past the page."""
    real = getattr(owner, name)

    def ours(*args: Any, **kwargs: Any) -> list[Any]:
        if limit is not None:
            kwargs["limit"] = limit
        return [found for found in real(*args, **kwargs) if tenant_of(found) in tenants]

    monkeypatch.setattr(owner, name, ours)


def of_tenant(snapshot: Snapshot, tenant_id: str) -> dict[Key, dict[str, Any]]:
    """The items of one tenant's partitions in a snapshot."""
    return {key: item for key, item in snapshot.items() if key[0].startswith(f"T#{tenant_id}#")}


def stored_contacts(snapshot: Snapshot, tenant_id: str) -> set[str]:
    """Ids of the contacts whose profile item is in the table (trashed ones too)."""
    ctx = tenancy.TenantContext(tenant_id=tenant_id)
    prefix = derived.contact_pk(ctx, "")
    return {pk[len(prefix):] for pk, sk in of_tenant(snapshot, tenant_id) if pk.startswith(prefix)
            and sk == derived.PROFILE_SK}


def listed_contacts(client: ApiClient, company: Company) -> list[dict[str, Any]]:
    """The tenant's contacts as the list shows them (read from the list rows)."""
    response = client.get("/api/v1/contacts?limit=100", token=company.owner.token)
    assert response.status_code == 200, response.body
    return list(body(response)["items"])


def import_csv(rows: int) -> str:
    """A contacts file whose every row carries a sensitive value (the import needs the tenant key)."""
    lines = ["Name,Phone,Email,Passport"]
    lines += [f"Faulty{n} Row{n},+1 202 555 01{n:02d},row{n}@fault.example,P{7_000_000 + n}" for n in range(rows)]
    return "\n".join(lines) + "\n"


# -- the jobs queue ---------------------------------------------------------------------------


_FEEDS: dict[str, Feed] = {}


@contextmanager
def jobs_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stage's jobs queue, configured as in AWS (the suite otherwise processes events in the request), with
    the table's stream that hands stored events to it (inbox.dispatch)."""
    sqs = boto3.client("sqs", region_name=settings.region)
    url = str(sqs.create_queue(QueueName=settings.jobs_queue_name)["QueueUrl"])
    monkeypatch.setattr(inbox_queue, "settings", dataclasses.replace(settings, jobs_queue_url=url))
    try:
        with open_feed() as feed:
            _FEEDS[url] = feed
            yield url
    finally:
        _FEEDS.pop(url, None)
        sqs.delete_queue(QueueUrl=url)


def lost_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A queue that never takes the message: the event waits for the retry job."""
    missing = f"https://sqs.{settings.region}.amazonaws.com/123456789012/no-such-queue"
    monkeypatch.setattr(inbox_queue, "settings", dataclasses.replace(settings, jobs_queue_url=missing))


def queued_batch(url: str) -> tuple[SQSEvent, list[dict[str, Any]]]:
    """The messages the stream handed to the queue for what was written since, as the Lambda event that
    delivers them, and the messages."""
    sqs = boto3.client("sqs", region_name=settings.region)
    if url in _FEEDS:
        _FEEDS[url].deliver(handler="inbox_dispatch")
    messages = _received(sqs, url)
    assert messages, "no message was queued"
    return _lambda_event(messages), messages


def message_ids(messages: list[dict[str, Any]]) -> set[str]:
    """The SQS message ids of a batch."""
    return {str(message["MessageId"]) for message in messages}


def redelivered(answer: Any, messages: list[dict[str, Any]]) -> bool:
    """Whether the handler's answer makes SQS deliver the batch's messages again: it named every one of
    them in ``batchItemFailures``."""
    failures = {str(item.get("itemIdentifier")) for item in (answer or {}).get("batchItemFailures", [])}
    return failures >= message_ids(messages)

