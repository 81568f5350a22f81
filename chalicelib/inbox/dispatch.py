"""Handing a stored event over to processing from the table's stream, not from the hook (#22).

The hook answers its sender once the event is stored: the event's transaction also writes its audit record
("receive"). The ``inbox_dispatch`` function reads the table's stream (its own reader beside the domain-event
feed, so a lead never waits behind the feed's consumers; in AWS a filter hands it these records only) and
queues the received events (``queue.send_batch``), so the hook's own requests stop at its transaction: the
sender waits for fewer round trips, and a queue that cannot be reached never touches a hook. Nothing is lost
between the two: the stream keeps a record 24 hours and delivers it again after a failure, and every received
event also has its retry timer (``pipeline.QUEUE_GRACE``). A message sent twice (a batch delivered again) is
harmless: processing takes an event once (its lease and status).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.observability import logger
from chalicelib.events.feed import DomainEvent, event_of
from chalicelib.inbox import pipeline, queue


def received(event: DomainEvent | None) -> tuple[str, str, str] | None:
    """(tenant, integration, event) ids when the record is a hook's stored event waiting to be processed (an
    event stored as ignored waits for nothing)."""
    if event is None or event.entity != pipeline.AUDIT_ENTITY or event.action != "receive" \
            or event.after("status") != "received":
        return None
    integration_id = queue.integration_of(event.item_pk)
    return (event.tenant_id, integration_id, event.entity_id) if integration_id is not None else None


def stream_batch(batch: Any) -> dict[str, list[dict[str, str]]]:
    """Queue the received events of a batch of stream records (Chalice's DynamoDBEvent, or Lambda's dict);
    nothing here fails the batch (an event not queued is brought by its retry timer)."""
    raw = batch.to_dict() if hasattr(batch, "to_dict") else dict(batch)
    found = []
    for record in raw.get("Records") or []:
        try:
            ids = received(event_of(record))
        except Exception:  # noqa: BLE001 - an unreadable record would block the shard; its event has a timer
            logger.error("unreadable stream record skipped by the inbox dispatch", exc_info=True)
            continue
        if ids is not None:
            found.append(ids)
    if found and queue.queued():
        queue.send_batch(found)
    return {"batchItemFailures": []}
