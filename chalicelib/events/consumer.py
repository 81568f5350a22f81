"""The consumer of the domain-event feed: each audit record, in stream order, handed to every consumer.

Consumers (``CONSUMERS``, named and loaded on first use) each keep their own effect exactly once: the
report counters claim the event in the transaction that adds them, a notification's key derives from
the event, a timer is set only by a change newer than the one that set it. So a redelivered batch
changes nothing twice. A record that fails stops the batch there: it and everything after it in the
shard are delivered again (``batchItemFailures`` names its sequence number), so one entity's events are
never taken out of order. The feed is read after the write committed: nothing here is on a write's path.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.core import tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.events.feed import DomainEvent, event_of

CONSUMERS: tuple[str, ...] = (
    "chalicelib.reports.counters",  # the report counters per tenant, day and dimension
    "chalicelib.notifications.events",  # notifications, and the timers of task reminders and overdue checks
    "chalicelib.automations.engine",  # the tenant's automation rules
    "chalicelib.products.components",  # services priced again when a part's price changes (#23)
    "chalicelib.segments.events",  # contacts' facts and segment memberships (#24)
    "chalicelib.tickets.events",  # a customer's message opens the tickets waiting on them (#24)
    "chalicelib.campaigns.events",  # campaigns' replies and conversions (#24)
)
Consume = Callable[[TenantContext, DomainEvent], None]


def _consumers() -> list[Consume]:
    found: list[Consume] = []
    for name in CONSUMERS:
        found.append(importlib.import_module(name).consume)
    return found


def context_of(event: DomainEvent) -> TenantContext:
    """Who acts when the feed reacts to an event: the system, in the event's tenant."""
    return TenantContext(tenant_id=event.tenant_id, actor_id="events", actor_kind="system", role="system",
                         source="job")


def deliver(event: DomainEvent) -> None:
    """Hand one event to every consumer, in the event's tenant."""
    ctx = context_of(event)
    with tenancy.bind(ctx):
        for consume in _consumers():
            consume(ctx, event)


def handle(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Deliver a batch of stream records in order; the first that fails is reported with all after it."""
    for record in records:
        try:
            event = event_of(record)
        except Exception:  # noqa: BLE001 - an unreadable record would block its shard forever
            logger.error("unreadable audit record in the stream skipped", exc_info=True)
            continue
        if event is None:
            continue
        try:
            deliver(event)
        except Exception:  # noqa: BLE001 - this event and those after it come again, in order
            logger.warning("domain event not consumed; delivered again", extra={
                "entity": event.entity, "action": event.action, "tenant_id": event.tenant_id}, exc_info=True)
            return {"batchItemFailures": [{"itemIdentifier": event.position}]}
    return {"batchItemFailures": []}
