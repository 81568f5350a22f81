"""The scheduled entry point of housekeeping (wired in app.py with ``@app.schedule(Rate(1, unit=HOURS))``)."""

from __future__ import annotations

from typing import Any

from chalicelib.core import observability
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import new_id
from chalicelib.housekeeping import service

SAFETY_SECONDS = 20.0
DEFAULT_SECONDS = 240.0


def scheduled_tick(event: Any) -> dict[str, int]:
    """Purge the trash records of every tenant whose 30 days are over, until shortly before the timeout."""
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = remaining() / 1000 - SAFETY_SECONDS if callable(remaining) else DEFAULT_SECONDS
    observability.start_request(request_id=str(getattr(event, "event_id", None) or new_id()),
                                route="schedule:housekeeping", method="SCHEDULE")
    try:
        counts = service.purge_due(seconds=max(1.0, seconds))
        logger.info("trash purged", extra=counts)
        return counts
    finally:
        observability.end_request()  # no tenant's keys survive into the next invocation
