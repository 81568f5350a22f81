"""Processing stored inbox events: from the jobs queue as they arrive, and on schedule as a retry.

``queued_events`` is the jobs queue's handler: each message names a received event, processed
bound to its own tenant, as its integration. ``scheduled_tick`` (Rate: every minute; see
docs/ARCHITECTURE.md) takes what waits on the retry index: failed events whose backoff is over, and
received events no message brought in time (``pipeline.QUEUE_GRACE``). The index is one global
partition of gsi2 sorted by due time, so the job finds them with one Query without knowing the
tenants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db, http
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, is_valid_id
from chalicelib.inbox import pipeline
from chalicelib.inbox.models import InboxEvent, InboxPayload, events_pk, payloads_pk

BATCH = 25


def due_events(now: datetime, *, limit: int = BATCH) -> list[tuple[str, str, str]]:
    """(tenant, integration, event) ids of failed events due for a retry, oldest due first."""
    upper = now.isoformat() + "~"  # every sort key due at or before now
    with db.translate_errors():
        # Only the keys: the index spans every tenant, and an event's sealed values are its tenant's to open.
        found = InboxEvent.gsi2.query(pipeline.DUE_PARTITION, InboxEvent.gsi2sk <= upper, limit=limit,
                                      attributes_to_get=["pk", "sk", "kind", "gsi2sk"])
        keys = [str(item.gsi2sk) for item in found]
    due = []
    for key in keys:
        parts = key.rsplit("#", 3)
        if len(parts) == 4 and all(is_valid_id(part) for part in parts[1:]):
            due.append((parts[1], parts[2], parts[3]))
    return due


def retry_one(tenant_id: str, integration_id: str, event_id: str, *, now: datetime,
              waiting: frozenset[str] = pipeline.WAITING) -> str:
    """Process one stored event as its integration, if it still waits in one of these statuses;
    returns the event's status afterwards ("gone" when it is not there or no longer waiting)."""
    from chalicelib.integrations import service as integrations_service

    ctx = integrations_service.hook_context(tenant_id, integration_id)
    with bind(ctx), http.run_memo() as memo:
        event, integration, tenant = _read_run(ctx, integration_id, event_id)
        if event is None or event.status not in waiting:
            return "gone"
        if tenant is not None:
            memo[("tenant", ctx.tenant_id)] = tenant  # the processor reads its settings (currency, owner)
        return pipeline.process(ctx, event, integration, now=now).status


def _read_run(ctx: TenantContext, integration_id: str, event_id: str) -> tuple[InboxEvent | None, Any, Any]:
    """The event, its fields, its live integration and the company, in one consistent BatchGetItem."""
    from chalicelib.identity import service as identity_service
    from chalicelib.identity.models import Tenant
    from chalicelib.integrations import service as integrations_service
    from chalicelib.integrations.models import Integration

    event_key = (events_pk(ctx, integration_id), event_id)
    fields_key = (payloads_pk(ctx, integration_id), event_id)
    integration_key = (integrations_service.integrations_pk(ctx), integration_id)
    tenant_key = (identity_service.tenant_pk(ctx), "TENANT")
    keys = [event_key, fields_key, tenant_key] + ([integration_key] if is_valid_id(integration_id) else [])
    found = db.get_many(ctx, keys, consistent=True)
    event, integration, tenant = found.get(event_key), found.get(integration_key), found.get(tenant_key)
    if not isinstance(integration, Integration) or integration.status == "deleted":
        integration = None  # as integrations.service.get answers
    if not isinstance(event, InboxEvent):
        return None, integration, tenant if isinstance(tenant, Tenant) else None
    fields = found.get(fields_key)
    if isinstance(fields, InboxPayload):
        event.sealed_fields = fields.payload
    return event, integration, tenant if isinstance(tenant, Tenant) else None


def retry_due(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Retry every failed event whose time has come; counts of the outcomes."""
    now = now or db.utcnow()
    counts: dict[str, int] = {}
    for tenant_id, integration_id, event_id in due_events(now, limit=limit):
        try:
            status = retry_one(tenant_id, integration_id, event_id, now=now)
        except Exception:  # noqa: BLE001 - one tenant's outage must not stop the others' retries
            logger.exception("inbox retry failed", extra={"event_id": event_id})
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def scheduled_tick(event: Any) -> dict[str, int]:
    """The scheduled handler: retry due events (wired in app.py with Rate(1, MINUTES))."""
    return retry_due()


def queued_events(event: Any) -> dict[str, Any]:
    """The jobs queue's handler (wired in app.py): process the received events its messages name.

    A message for an event already processed (a redelivery) changes nothing. When an attempt cannot
    even be recorded (the table unavailable), only that message goes back to the queue: the answer
    names it in ``batchItemFailures`` (the event source mapping reports batch item failures, infra/),
    to come again after the visibility timeout (then to the dead-letter queue), while the rest of the
    batch is done with; the retry index still holds the event either way. Otherwise the answer counts
    the batch's outcomes. (Powertools' batch processor would do the partial answer, but it raises when
    every record fails and keeps no outcomes; the loop is this short.)
    """
    from chalicelib.inbox import queue

    counts: dict[str, int] = {}
    failed: list[str] = []
    now = db.utcnow()
    for record in event:
        message_id = record.to_dict().get("messageId")
        ids = queue.read(record.body)
        if ids is None:
            logger.error("jobs queue: a message that names no inbox event was dropped",
                         extra={"message_id": message_id})
            status = "unreadable"
        else:
            try:
                status = retry_one(*ids, now=now, waiting=frozenset({"received"}))
            except Exception:  # noqa: BLE001 - the others in the batch still get their turn
                logger.exception("jobs queue: an inbox event could not be processed", extra={"event_id": ids[2]})
                failed.append(str(message_id))
                status = "error"
        counts[status] = counts.get(status, 0) + 1
    if failed:
        logger.warning("jobs queue: messages return to the queue", extra={"outcomes": counts})
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    return counts
