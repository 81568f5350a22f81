"""The entry points of the feed and of the due-time run (wired in app.py): the stream's batches, the minute's tick."""

from __future__ import annotations

from typing import Any

from chalicelib.core import observability
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import new_id
from chalicelib.due import service as due
from chalicelib.events import consumer

SAFETY_SECONDS = 10.0
DEFAULT_SECONDS = 50.0


def stream_batch(event: Any) -> dict[str, Any]:
    """A batch of the main table's stream: its audit records to the consumers, in order."""
    raw = event.to_dict() if hasattr(event, "to_dict") else dict(event)
    observability.start_request(request_id=new_id(), route="stream:domain_events", method="STREAM")
    try:
        return consumer.handle(raw.get("Records") or [])
    finally:
        observability.end_request()


def due_tick(event: Any) -> dict[str, int]:
    """Fire every timer due by now (reminders, overdue checks, e-mails, digests), until shortly before the timeout."""
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = remaining() / 1000 - SAFETY_SECONDS if callable(remaining) else DEFAULT_SECONDS
    observability.start_request(request_id=new_id(), route="schedule:due_timers", method="SCHEDULE")
    try:
        counts = due.run_due(seconds=max(1.0, seconds))
        if any(counts.values()):
            logger.info("timers fired", extra=counts)
        return counts
    finally:
        observability.end_request()
