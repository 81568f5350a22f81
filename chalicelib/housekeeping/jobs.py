"""The scheduled entry point of housekeeping (wired in app.py with ``@app.schedule(Rate(1, unit=HOURS))``)."""

from __future__ import annotations

import time
from typing import Any

from chalicelib.core import observability
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import new_id
from chalicelib.housekeeping import (
    custom_words,
    merged_chats,
    migration,
    order_numbers,
    phone_rows,
    retention,
    sealed_jobs,
    task_index,
    telegram_index,
    ticket_rows,
    typed_names,
)

SAFETY_SECONDS = 20.0
DEFAULT_SECONDS = 240.0
# The passes that give what was written before a feature what its writes give now: what each logs, and its run.
ONE_OFF = (("phone search rows written", "records", phone_rows.run),
           ("tasks put on everyone's list", "tasks", task_index.run),
           ("telegram usernames indexed", "contacts", telegram_index.run),
           ("jobs written in clear sealed", "jobs", sealed_jobs.run),
           ("merged contacts' chats moved", "merges", merged_chats.run),
           ("tickets' rows name their chats", "tickets", ticket_rows.run),
           ("kazakh names' typed spelling written", "records", typed_names.run),
           ("names sorted in their alphabet's order", "records", typed_names.run_sorted),
           ("custom values' search words written", "records", custom_words.run),
           ("orders made before numbers numbered", "orders", order_numbers.run))


def scheduled_tick(event: Any) -> dict[str, int]:
    """Carry work scheduled before the due timers over to them and give calls left without an end their timers
    (``migration``; the trash purge itself runs on the due timers), give what was written before a feature what
    its writes give now, each pass once (``ONE_OFF``: phones' search rows, tasks' place on everyone's list, contacts'
    Telegram usernames' index, jobs' sealed customer data, merged contacts' chats, tickets' rows naming their chats,
    Kazakh names' spelling on a Russian keyboard and place in name order, custom values' search words, older
    orders' numbers), then carry on the day's audit retention (``retention``), until shortly before the timeout."""
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = remaining() / 1000 - SAFETY_SECONDS if callable(remaining) else DEFAULT_SECONDS
    started = time.monotonic()
    observability.start_request(request_id=str(getattr(event, "event_id", None) or new_id()),
                                route="schedule:housekeeping", method="SCHEDULE")
    try:
        counts = migration.run(seconds=max(1.0, seconds))
        if any(counts.values()):
            logger.info("moved onto due timers", extra=counts)
        for message, counted, one_off in ONE_OFF:  # each once through, a GetItem of its state an hour
            left = seconds - (time.monotonic() - started)
            done = one_off(deadline=time.monotonic() + max(1.0, left / 2))  # half: retention keeps its turn
            if done:
                logger.info(message, extra={counted: done})
        expired = retention.expire_due(seconds=max(1.0, seconds - (time.monotonic() - started)))
        logger.info("audit retention", extra=expired)  # once a day; a run that stops is carried on next hour
        return counts
    finally:
        observability.end_request()  # no tenant's keys survive into the next invocation
