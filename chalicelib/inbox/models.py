"""Inbox items: raw events as received, their dedupe marks, the per-minute rate counters.

An event lives at ``T#<tid>#INBOX#<integration id>`` / ``<event id>`` (newest first by ULID);
gsi1 ``T#<tid>#INBOX#<integration id>#<status>`` lists one status; failed events waiting for a
retry also sit on gsi2 ``G#inbox-due#<shard>`` / ``<next attempt>#<tenant>#<integration>#<event>``,
the one index the scheduled job reads without knowing the tenants. The raw fields are sealed
(they carry personal data) and the event expires 30 days after it arrived (TTL ``expires_at``).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key


class InboxEvent(VersionedItem, discriminator="inbox_event"):
    """One delivery of a provider or a website form, sealed, with its outcome."""

    event_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    integration_type = UnicodeAttribute()
    status = UnicodeAttribute(default="received")  # received | processed | ignored | failed
    received_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    outcome = JSONAttribute(default=dict)
    source = JSONAttribute(default=dict)
    summary = UnicodeAttribute(default="")
    payload = UnicodeAttribute()  # sealed JSON of the fields as received (field "payload")
    dedupe_key = UnicodeAttribute()


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


def dedupe_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's dedupe marks."""
    return tenant_key(ctx, "INBOXDEDUPE", integration_id)
