"""Processing stored inbox events: from the jobs queue as they arrive, and on their due timers as a retry.

``queued_events`` is the jobs queue's handler: each message names a received event, processed
bound to its own tenant, as its integration. An event waiting for an attempt (a failure whose backoff
runs, or a received event no message may bring: ``pipeline.QUEUE_GRACE``) has a due timer of kind
``inbox.retry`` set in the transaction that made it wait (``pipeline.schedule``); the one due run
(``chalicelib.due``, ``app.due_timers``) calls ``fire`` when it is due. No partition of its own: the timers
spread over the due run's hourly shards with every other kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db, http
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, is_valid_id
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.inbox import pipeline
from chalicelib.inbox.models import InboxEvent, InboxPayload, events_pk, payloads_pk


def retry_one(tenant_id: str, integration_id: str, event_id: str, *, now: datetime,
              waiting: frozenset[str] = pipeline.WAITING) -> str:
    """Process one stored event as its integration, if it still waits in one of these statuses;
    returns the event's status afterwards ("gone" when it is not there or no longer waiting)."""
    event = _attempt(tenant_id, integration_id, event_id, now=now, waiting=waiting)
    return "gone" if event is None else str(event.status)


def _attempt(tenant_id: str, integration_id: str, event_id: str, *, now: datetime,
             waiting: frozenset[str]) -> InboxEvent | None:
    from chalicelib.integrations import service as integrations_service

    ctx = integrations_service.hook_context(tenant_id, integration_id)
    with bind(ctx), http.run_memo() as memo:
        event, integration, tenant = _read_run(ctx, integration_id, event_id)
        if event is None or event.status not in waiting:
            return None
        if tenant is not None:
            memo[("tenant", ctx.tenant_id)] = tenant  # the processor reads its settings (currency, owner)
        return pipeline.process(ctx, event, integration, now=now)


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


def fire(ctx: TenantContext, timer: DueTimer) -> str:
    """The due timer of a waiting event: process it now; the event's status afterwards (``gone``: no longer waiting).

    An attempt under way (its lease held: the queue's consumer has it) leaves the timer at the lease's end, so an
    attempt that dies still has its event retried. An attempt that could not even be recorded (an outage) moves
    the timer on with the inbox's backoff, for as long as it takes: the event is never left without one.
    """
    payload = dict(timer.payload or {})
    integration_id, event_id = str(payload.get("integration_id", "")), str(payload.get("event_id", ""))
    if not (is_valid_id(integration_id) and is_valid_id(event_id)):
        logger.error("inbox retry timer naming no event dropped")
        return "gone"
    now = due.moment()
    try:
        event = _attempt(ctx.tenant_id, integration_id, event_id, now=now, waiting=pipeline.WAITING)
    except Exception:  # noqa: BLE001 - an outage: the event waits on its timer, moved on
        logger.exception("inbox retry failed", extra={"event_id": event_id})
        errors = int(payload.get("errors", 0)) + 1
        due.set_timer(ctx, kind=pipeline.RETRY_KIND, ref=timer.ref, due_at=now + pipeline.backoff(errors),
                      payload={**payload, "errors": errors})  # an outage here too: the due run moves or keeps it
        return "error"
    if event is None:
        return "gone"
    if event.status in pipeline.WAITING and event.lease_until is not None and event.lease_until > now:
        due.set_timer(ctx, kind=pipeline.RETRY_KIND, ref=timer.ref, due_at=event.lease_until, payload=payload)
    return str(event.status)


def retry_due(*, now: datetime | None = None, seconds: float = 50.0) -> dict[str, int]:
    """Retry every waiting event whose time has come (the due run, restricted to inbox retries); counts of the
    events' statuses afterwards (``error``: the attempt could not even be recorded, its timer moved on)."""
    outcomes: dict[str, int] = {}
    due.run_due(now=now, seconds=seconds, kinds=frozenset({pipeline.RETRY_KIND}), outcomes=outcomes)
    return outcomes


def queued_events(event: Any) -> dict[str, Any]:
    """The jobs queue's handler (wired in app.py): process the received events its messages name.

    A message for an event already processed (a redelivery) changes nothing. When an attempt cannot
    even be recorded (the table unavailable), only that message goes back to the queue: the answer
    names it in ``batchItemFailures`` (the event source mapping reports batch item failures, infra/),
    to come again after the visibility timeout (then to the dead-letter queue), while the rest of the
    batch is done with; its retry timer still holds the event either way. Otherwise the answer counts
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
