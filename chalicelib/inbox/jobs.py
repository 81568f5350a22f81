"""The scheduled retry of failed inbox events (Rate: every minute; see docs/ARCHITECTURE.md).

Failed events waiting for a retry sit on gsi2 under one global partition sorted by due time, so
the job finds them with one Query without knowing the tenants; each is then processed bound to
its own tenant, as its integration, exactly like the first attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import bind, is_valid_id
from chalicelib.inbox import pipeline
from chalicelib.inbox.models import InboxEvent

BATCH = 25


def due_events(now: datetime, *, limit: int = BATCH) -> list[tuple[str, str, str]]:
    """(tenant, integration, event) ids of failed events due for a retry, oldest due first."""
    upper = now.isoformat() + "~"  # every sort key due at or before now
    with db.translate_errors():
        found = InboxEvent.gsi2.query(pipeline.DUE_PARTITION, InboxEvent.gsi2sk <= upper, limit=limit)
        keys = [str(item.gsi2sk) for item in found]
    due = []
    for key in keys:
        parts = key.rsplit("#", 3)
        if len(parts) == 4 and all(is_valid_id(part) for part in parts[1:]):
            due.append((parts[1], parts[2], parts[3]))
    return due


def retry_one(tenant_id: str, integration_id: str, event_id: str, *, now: datetime) -> str:
    """Retry one event as its integration; returns the event's new status."""
    from chalicelib.inbox import service
    from chalicelib.integrations import service as integrations_service

    ctx = integrations_service.hook_context(tenant_id, integration_id)
    with bind(ctx):
        event = db.get(ctx, InboxEvent, service.events_pk(ctx, integration_id), event_id)
        if event is None or event.status != "failed":
            return "gone"
        integration = integrations_service.get(ctx, integration_id)
        return pipeline.process(ctx, event, integration, now=now).status


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
