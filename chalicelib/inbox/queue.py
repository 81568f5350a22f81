"""Handing a stored event over to processing: one SQS message, read by the ``inbox_events`` function.

The hook answers the sender as soon as the event is stored; processing (contact, deal, task) runs from the
stage's jobs queue, so a burst of leads is absorbed by the queue instead of the sender's timeout. The message
is sent by the ``inbox_dispatch`` function when it reads the event's audit record from the table's stream
(``dispatch``), not by the hook (#22: a hook answers after at most two requests). Nothing depends on the
message arriving: every received event also has a retry timer (``pipeline.QUEUE_GRACE``), so a lost message,
a failed send or a crashed consumer only makes the due run process it a couple of minutes later. Where no
queue is configured (the test suite), the event is processed in the request, as before.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.inbox import pipeline
from chalicelib.inbox.models import InboxEvent

KIND = "inbox_event"


def message(tenant_id: str, integration_id: str, event_id: str) -> str:
    """The message body naming an event (ids only: the payload stays sealed in the table)."""
    return json.dumps({"kind": KIND, "tenant_id": tenant_id, "integration_id": integration_id,
                       "event_id": event_id}, separators=(",", ":"))


def hand_over(ctx: TenantContext, event: InboxEvent, integration: Any) -> None:
    """Process a stored event now where there is no queue; with one, the stream hands it over (``dispatch``)."""
    if settings.jobs_queue_url is None:
        pipeline.process(ctx, event, integration)


def queued() -> bool:
    """True where events are processed from the jobs queue."""
    return settings.jobs_queue_url is not None


def send_batch(events: list[tuple[str, str, str]]) -> None:
    """Queue stored events, (tenant, integration, event) ids, ten a request; never raises (an event not queued
    is brought by its retry timer)."""
    sqs = aws.client("sqs")
    for start in range(0, len(events), 10):
        chunk = events[start:start + 10]
        entries = [{"Id": str(n), "MessageBody": message(*ids)} for n, ids in enumerate(chunk)]
        try:
            answer = sqs.send_message_batch(QueueUrl=settings.jobs_queue_url, Entries=entries)
        except Exception:  # noqa: BLE001 - the events are stored: their retry timers bring them after the grace
            logger.warning("inbox events not queued; the due run will process them", exc_info=True,
                           extra={"events": len(chunk)})
            continue
        if answer.get("Failed"):
            logger.warning("inbox events not queued; the due run will process them",
                           extra={"events": len(answer["Failed"])})


def integration_of(events_partition: str | None) -> str | None:
    """The integration whose events partition (``models.events_pk``: ``T#<tenant>#INBOX#<integration>``) this is."""
    parts = (events_partition or "").split("#")
    return parts[3] if len(parts) == 4 and parts[2] == "INBOX" and is_valid_id(parts[3]) else None


def read(body: str) -> tuple[str, str, str] | None:
    """(tenant, integration, event) ids of a queued message, or None when it is not one of ours."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("kind") != KIND:
        return None
    ids = (found.get("tenant_id"), found.get("integration_id"), found.get("event_id"))
    if not all(isinstance(part, str) and is_valid_id(part) for part in ids):
        return None
    return ids  # type: ignore[return-value]
