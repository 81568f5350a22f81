"""The feed's consumers and the due run under a throttled table: the first event that cannot be consumed is
reported (Lambda delivers it and those after it again, in order), a timer that cannot fire stays due, and once the
fault is gone every effect happens exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.due import service as due
from tests.events.conftest import Feed
from tests.factories import add_member, signup
from tests.faults.test_every_write import failing
from tests.support import ApiClient, body

WRITES = frozenset({"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
THROTTLED = "ProvisionedThroughputExceededException"


def _position(records: list[dict[str, Any]], answer: dict[str, Any]) -> int:
    (failure,) = answer["batchItemFailures"]
    return next(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] == failure["itemIdentifier"])


def test_a_throttled_table_stops_the_batch_at_the_first_event_and_nothing_happens_twice(client: ApiClient,
                                                                                        feed: Feed) -> None:
    company = signup(client, company="Throttled feed")
    agent = add_member(client, company, role="agent", name="agent")
    owner = company.owner.token
    client.post("/api/v1/contacts", {"first_name": "Gleb", "utm": {"source": "google"}}, token=owner)
    client.post("/api/v1/deals", {"title": "Throttled deal", "owner_id": agent.user_id}, token=owner)
    records = feed.read()
    with failing("dynamodb", WRITES, THROTTLED) as calls:
        answer = feed.deliver(records)
    assert calls and answer["batchItemFailures"]
    first = _position(records, answer)
    assert feed.deliver(records[first:]) == {"batchItemFailures": []}  # what Lambda hands over again
    assert feed.deliver(records) == {"batchItemFailures": []}  # and once more, whole
    told = body(client.get("/api/v1/notifications", token=agent.token))["items"]
    assert [n["title"] for n in told] == ["Throttled deal"]
    sources = {r["source"]: r for r in body(client.get("/api/v1/reports/sources", token=owner))["items"]}
    assert (sources["google"]["leads"], sources["manual"]["deals"]) == (1, 1)


def test_a_timer_that_cannot_fire_stays_due_and_fires_once_later(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Throttled timers")
    owner = company.owner.token
    client.patch("/api/v1/notifications/settings", {"version": 0, "email": "off"}, token=owner)
    due_at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    client.post("/api/v1/tasks", {"title": "Late task", "due_at": due_at.isoformat()}, token=owner)
    feed.deliver()
    with failing("dynamodb", WRITES, THROTTLED):
        counts = due.run_due(now=due_at + timedelta(minutes=1))
    assert counts["stuck"] >= 1 and body(client.get("/api/v1/notifications", token=owner))["items"] == []
    due.run_due(now=due_at + timedelta(minutes=2))
    due.run_due(now=due_at + timedelta(minutes=3))
    told = body(client.get("/api/v1/notifications", token=owner))["items"]
    assert sorted(n["type"] for n in told) == ["task.overdue", "task.reminder"]
