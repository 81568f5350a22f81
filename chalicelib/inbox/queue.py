"""Handing a stored event over to processing: one SQS message, read by the ``inbox_events`` function.

The hook answers the sender as soon as the event is stored; processing (contact, deal, task) runs
from the stage's jobs queue, so a burst of leads is absorbed by the queue instead of the sender's
timeout. Nothing depends on the message arriving: every received event also waits on the retry
index (``pipeline.QUEUE_GRACE``), so a lost message, a failed send or a crashed consumer only makes
the scheduled job process it a couple of minutes later. Where no queue is configured (the test
suite), the event is processed in the request, as before.
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


def message(ctx: TenantContext, event: InboxEvent) -> str:
    """The message body naming an event (ids only: the payload stays sealed in the table)."""
    return json.dumps({"kind": KIND, "tenant_id": ctx.tenant_id, "integration_id": event.integration_id,
                       "event_id": event.event_id}, separators=(",", ":"))


def hand_over(ctx: TenantContext, event: InboxEvent, integration: Any) -> None:
    """Queue a stored event for processing (or process it now where there is no queue); never raises."""
    if settings.jobs_queue_url is None:
        pipeline.process(ctx, event, integration)
        return
    try:
        aws.client("sqs").send_message(QueueUrl=settings.jobs_queue_url, MessageBody=message(ctx, event))
    except Exception:  # noqa: BLE001 - the event is stored: the retry index picks it up after the grace period
        logger.warning("inbox event not queued; the retry job will process it", exc_info=True,
                       extra={"event_id": event.event_id})


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
