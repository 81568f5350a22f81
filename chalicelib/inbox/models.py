"""Inbox items: raw events as received, their dedupe marks, the per-minute rate counters.

An event is two items written in one transaction. Its status lives at ``T#<tid>#INBOX#<integration
id>`` / ``<event id>`` (newest first by ULID): small, rewritten as the event is stored, leased,
checkpointed and finished; gsi1 ``T#<tid>#INBOX#<integration id>#<status>`` lists one status; an event
waiting for an attempt has a due timer (``pipeline.schedule``; events stored before the timers sat on gsi2
``G#inbox-due#0``, which ``housekeeping.migration`` moves onto timers). The raw fields, sealed
(they carry personal data), live apart at ``T#<tid>#INBOXRAW#<integration id>`` / ``<event id>``, written
once and never changed, on no index: the bulk of an event is paid for once, not at every step. Both
expire 30 days after the event arrived (TTL ``expires_at``).
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key


class CompactJSONAttribute(JSONAttribute):
    """JSON text without the spaces ``json.dumps`` puts after separators: the event is rewritten at every step."""

    def serialize(self, value: Any) -> Any:
        """The stored text."""
        return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class InboxEvent(VersionedItem, discriminator="inbox_event"):
    """One delivery of a provider or a website form: where it stands, with its outcome (not its fields)."""

    personal = frozenset({"summary", "source", "payload"})  # a sender's name, number and address

    event_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    integration_type = UnicodeAttribute()
    status = UnicodeAttribute(default="received")  # received | processed | ignored | failed
    received_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    outcome = CompactJSONAttribute(default=dict)
    source = CompactJSONAttribute(default=dict)
    summary = UnicodeAttribute(default="")
    # Events stored before the fields moved to their own item (#22) keep them (and the dedupe key) here.
    payload = UnicodeAttribute(null=True)
    dedupe_key = UnicodeAttribute(null=True)
    # The sealed fields while this process holds them (just stored, or read with the event): not stored.
    sealed_fields: str | None = None


class InboxPayload(MainTable, discriminator="inbox_payload"):
    """The fields of one delivery as received, sealed (field "payload" of entity "inbox_event"): immutable."""

    event_id = UnicodeAttribute()
    payload = UnicodeAttribute()
    dedupe_key = UnicodeAttribute()  # the mark the delivery claimed (its provider id's or its payload's hash)


class DedupeMark(VersionedItem, discriminator="inbox_dedupe"):
    """The first event of a provider event id or payload hash: ``T#<tid>#INBOXDEDUPE#<integration>``.

    Versioned so that claiming it is conditional both when it is new and when an expired mark is
    taken over (moto never expires TTL items, and DynamoDB deletes them up to days late).
    """

    event_id = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()


class RateCounter(MainTable, discriminator="inbox_rate"):
    """Deliveries to one integration in one minute (an atomic counter; expires after two minutes)."""

    deliveries = NumberAttribute(default=0)


def events_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's events."""
    return tenant_key(ctx, "INBOX", integration_id)


def status_key(ctx: TenantContext, integration_id: str, status: str) -> str:
    """gsi1 partition of an integration's events in one status."""
    return tenant_key(ctx, "INBOX", integration_id, status)


def payloads_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of the sealed fields of an integration's events."""
    return tenant_key(ctx, "INBOXRAW", integration_id)


def dedupe_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's dedupe marks."""
    return tenant_key(ctx, "INBOXDEDUPE", integration_id)
