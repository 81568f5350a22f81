"""The inbox: store a delivery first (sealed, deduplicated), then process it; list, read and replay events.

Dedupe: a provider's event id (kept 30 days), else the SHA-256 of the canonical payload (24 hours),
names a mark claimed in the SAME transaction as the event, so concurrent identical deliveries make
exactly one event; the others are answered as duplicates of it. Powertools Idempotency is not used
here: it stores its record in its own table in a separate write (so the event and its dedupe could
part), and keys by the payload alone, where ours must include the tenant and the integration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit, crypto, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.identity import plans
from chalicelib.inbox import pipeline, queue
from chalicelib.inbox.models import (
    DedupeMark,
    InboxEvent,
    InboxPayload,
    dedupe_pk,
    events_pk,
    payloads_pk,
    status_key,
)

RETENTION = timedelta(days=30)
HASH_WINDOW = timedelta(hours=24)
CLAIM_ATTEMPTS = 3  # new mark; an expired one taken over; once more if it vanished in between
RATE_WINDOW_TTL = timedelta(minutes=2)
ENTITY = "integrations"


@dataclass
class Delivery:
    """What arrived: the fields, where from, and the provider's own event id if it has one."""

    fields: dict[str, Any]
    source: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    provider_event_id: str | None = None


@dataclass
class Receipt:
    """The stored event and whether the delivery repeated an earlier one."""

    event: InboxEvent
    duplicate: bool = False


def dedupe_key(ctx: TenantContext, delivery: Delivery) -> tuple[str, timedelta]:
    """The mark a delivery claims and how long it holds: the provider's id, else the payload's digest, both
    keyed by the tenant's key (a provider id or a lead's fields may carry a phone number, #21)."""
    if delivery.provider_event_id:
        return "ID-" + crypto.keyed_digest(ctx, purpose="event-id", value=delivery.provider_event_id), RETENTION
    canonical = json.dumps(delivery.fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "H-" + crypto.keyed_digest(ctx, purpose="event-fields", value=canonical), HASH_WINDOW


# -- storing --------------------------------------------------------------------------------


def _new_event(ctx: TenantContext, integration: Any, delivery: Delivery, key: str, now: datetime, *,
               status: str = "received", outcome: dict[str, Any] | None = None) -> tuple[InboxEvent, InboxPayload]:
    """A new event (its status, small) and its fields as received (sealed, written once)."""
    event_id = new_id()
    sealed = crypto.encrypt_field(ctx, entity=pipeline.AUDIT_ENTITY, record_id=event_id, field="payload",
                                  plaintext=json.dumps(delivery.fields, ensure_ascii=False))
    event = InboxEvent(events_pk(ctx, integration.integration_id), event_id, event_id=event_id,
                       integration_id=integration.integration_id, integration_type=integration.integration_type,
                       status=status, received_at=now, attempts=0, outcome=outcome or {}, source=delivery.source,
                       summary=delivery.summary[:200], created_at=now,
                       updated_at=now, expires_at=now + RETENTION,
                       next_attempt_at=now + pipeline.QUEUE_GRACE if status == "received" else None)
    event.sealed_fields = sealed
    fields = InboxPayload(payloads_pk(ctx, event.integration_id), event_id, event_id=event_id, payload=sealed,
                          dedupe_key=key, expires_at=event.expires_at)
    pipeline.index(ctx, event)
    return event, fields


def _commit_event(ctx: TenantContext, event: InboxEvent, fields: InboxPayload, mark: DedupeMark | None) -> None:
    """The event, its fields (once, never rewritten), its dedupe mark and its audit record: one transaction."""
    change = db.Change().save(event).create(fields)
    pipeline.schedule(ctx, event, change, new=True)  # a received event's retry timer: the queue may never bring it
    if mark is not None:
        change.save(mark)
    audit.attach(ctx, change, event, entity=pipeline.AUDIT_ENTITY, entity_id=event.event_id, action="receive",
                 before=None, after=pipeline.event_audit_view(event))
    db.commit(ctx, change)


def store(ctx: TenantContext, integration: Any, delivery: Delivery, *, now: datetime | None = None) -> Receipt:
    """Store a delivery as a received event, unless it repeats one (then: the earlier event).

    The mark is claimed as new without reading it first (most deliveries are new): one transaction.
    Only when the claim fails is the mark read: a live one names the earlier event; an expired one
    is taken over, conditional on its version.
    """
    now = now or db.utcnow()
    key, window = dedupe_key(ctx, delivery)
    event, fields = _new_event(ctx, integration, delivery, key, now)
    mark = DedupeMark(dedupe_pk(ctx, integration.integration_id), key)
    for _ in range(CLAIM_ATTEMPTS):
        mark.event_id, mark.valid_until, mark.expires_at = event.event_id, now + window, now + window
        try:
            _commit_event(ctx, event, fields, mark)
        except errors.VersionConflictError:  # the mark exists: an earlier delivery, live or expired
            taken = db.get(ctx, DedupeMark, dedupe_pk(ctx, integration.integration_id), key)
            if taken is not None and taken.valid_until > now:
                return _duplicate(ctx, integration.integration_id, taken)
            mark = taken or DedupeMark(dedupe_pk(ctx, integration.integration_id), key)
            continue
        return Receipt(event)
    raise errors.ConflictError("This delivery is being received right now; send it again.",
                               code="delivery_in_flight")


def _duplicate(ctx: TenantContext, integration_id: str, mark: DedupeMark) -> Receipt:
    first = db.get(ctx, InboxEvent, events_pk(ctx, integration_id), mark.event_id)
    if first is None:  # the first event expired before its mark: nothing to point at, but still a repeat
        raise errors.ConflictError("This delivery was already received.", code="duplicate_delivery")
    return Receipt(first, duplicate=True)


def store_ignored(ctx: TenantContext, integration: Any, delivery: Delivery, *, reason: str) -> InboxEvent:
    """Store a delivery that will not be processed (rate limited ...), visible with its reason.

    It claims no dedupe mark: the sender may deliver it again later and be processed then.
    """
    key, _ = dedupe_key(ctx, delivery)
    event, fields = _new_event(ctx, integration, delivery, key, db.utcnow(), status="ignored",
                               outcome={"reason": reason})
    _commit_event(ctx, event, fields, None)
    return event


def receive(ctx: TenantContext, integration: Any, delivery: Delivery) -> Receipt:
    """Store a delivery first, then hand it to processing (the queue, or now where there is none); 429 when
    the tenant's webhooks run over its plan's events per minute (nothing stored: the sender retries)."""
    plans.admit_webhook(ctx)
    receipt = store(ctx, integration, delivery)
    if not receipt.duplicate:
        queue.hand_over(ctx, receipt.event, integration)
    return receipt


# -- reading and replaying ------------------------------------------------------------------


def list_events(ctx: TenantContext, integration_id: str, *, status: str | None, limit: int,
                cursor: str | None) -> db.Page[InboxEvent]:
    """An integration's events, newest first, maybe of one status (one Query per page)."""
    scope = f"inbox:{integration_id}:{status or 'all'}"
    if status is None:
        return db.query_page(ctx, InboxEvent, events_pk(ctx, integration_id), scope=scope, limit=limit,
                             cursor=cursor)
    if status == "received":  # on no status list (pipeline.index): the partition, filtered (pages may be short)
        return db.query_page(ctx, InboxEvent, events_pk(ctx, integration_id), scope=scope, limit=limit,
                             cursor=cursor, filter_condition=InboxEvent.status == status)
    return db.query_page(ctx, InboxEvent, status_key(ctx, integration_id, status), scope=scope, limit=limit,
                         cursor=cursor, index=InboxEvent.gsi1)


def get_event(ctx: TenantContext, integration_id: str, event_id: str) -> InboxEvent:
    """One event of an integration; 404 like a missing one."""
    found = db.get(ctx, InboxEvent, events_pk(ctx, integration_id), event_id) if is_valid_id(event_id) else None
    if found is None:
        raise errors.NotFoundError("No such event.")
    return found


def read_payload(ctx: TenantContext, event: InboxEvent) -> dict[str, Any]:
    """The fields as received, in clear; the read is recorded first (they carry personal data)."""
    permissions.require(ctx, ENTITY, "read")
    audit.record_reads(ctx, entity=pipeline.AUDIT_ENTITY, entity_id=event.event_id, fields=["payload"])
    return pipeline.open_payload(ctx, event)


def replay(ctx: TenantContext, integration_id: str, event_id: str) -> InboxEvent:
    """Process an event again now, as its integration; what it made before is not made twice."""
    from chalicelib.integrations import service as integrations_service

    integration = integrations_service.get_or_raise(ctx, integration_id, action="update")
    event = get_event(ctx, integration_id, event_id)
    event.lease_until = None  # a person asked: an attempt stuck holding the lease must not block it
    hook_ctx = integrations_service.hook_context(ctx.tenant_id, integration_id, request_id=ctx.request_id,
                                                 source_ip=ctx.source_ip)
    return pipeline.process(hook_ctx, event, integration)


def event_view(event: InboxEvent) -> dict[str, Any]:
    """The API view of an event (its payload only on request)."""
    shown = {"contact_id", "deal_id", "task_id", "call_id", "reason", "message", "duplicate_of", "final",
             "custom_dropped", "contact_skipped"}
    return {"id": event.event_id, "integration_id": event.integration_id, "received_at": event.received_at,
            "status": event.status, "outcome": {k: v for k, v in (event.outcome or {}).items() if k in shown},
            "attempts": int(event.attempts or 0), "next_attempt_at": event.next_attempt_at,
            "source": dict(event.source or {}), "summary": event.summary or ""}
