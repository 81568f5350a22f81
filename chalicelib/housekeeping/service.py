"""Purging the trash of every tenant when its 30 days are over, without a Scan.

A soft delete adds a ``TrashDue`` item to its own transaction, a restore removes it in its
(``records.trash``). The scheduled job reads the global feed one day bucket at a time, from the
first day not yet cleared up to today, binds each entry's tenant, and asks the record engine to
purge the record if it is still in the trash and past its type's retention.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from chalicelib.core import db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping.models import HousekeepingState
from chalicelib.records import trash, types
from chalicelib.records.models import TrashDue

RETENTION = types.RETENTION
DUE_SK = trash.DUE_SK
STATE_PK = tenancy.global_key("housekeeping", "trash")
STATE_SK = "STATE"
FIRST_RUN_DAYS = 90  # how far back a first run looks for due entries


def _job_context(entry: TrashDue) -> TenantContext:
    tenant_id = entry.pk.split("#", 2)[1]  # the item's own key names its tenant (T#<tid>#...)
    return TenantContext(tenant_id=tenant_id, actor_id="housekeeping", actor_kind="system", role="system",
                         source="job")


def _purge_entry(entry: TrashDue, now: datetime) -> bool:
    """Purge one due record (if still trashed and expired) and drop its entry; True when purged."""
    ctx = _job_context(entry)
    with tenancy.bind(ctx):
        rtype = types.find(entry.entity)
        purged = trash.purge_if_expired(ctx, rtype, entry.record_id, now) if rtype is not None else False
        with db.translate_errors():
            entry.delete()  # gone with a purged collection already; a restored record's stale entry
    return purged


def _bucket(day: date) -> list[TrashDue]:
    with db.translate_errors():
        return [item for item in TrashDue.gsi1.query(trash.feed_key(day)) if isinstance(item, TrashDue)]


def _start_day(today: date) -> date:
    with db.translate_errors():
        try:
            return date.fromisoformat(HousekeepingState.get(STATE_PK, STATE_SK).next_day)
        except HousekeepingState.DoesNotExist:
            return today - timedelta(days=FIRST_RUN_DAYS)


def _cleared(day: date) -> None:
    with db.translate_errors():
        HousekeepingState(STATE_PK, STATE_SK, next_day=(day + timedelta(days=1)).isoformat()).save()


def purge_due(*, now: datetime | None = None, seconds: float = 60.0) -> dict[str, int]:
    """Purge every tenant's records whose 30 days in the trash are over, one due day at a time."""
    now = now or db.utcnow()
    deadline, counts = time.monotonic() + seconds, {"purged": 0, "skipped": 0, "failed": 0}
    day = _start_day(now.date())
    while day <= now.date() and time.monotonic() < deadline:
        complete = True
        for entry in _bucket(day):
            if time.monotonic() >= deadline:
                complete = False
                break
            try:
                counts["purged" if _purge_entry(entry, now) else "skipped"] += 1
            except errors.CRMError:  # this record waits for the next run; the day stays open
                logger.warning("trash purge failed", extra={"entity": entry.entity}, exc_info=True)
                counts["failed"], complete = counts["failed"] + 1, False
        if not complete:
            break
        try:
            _cleared(day)
        except errors.ServiceUnavailableError:  # the day stays open: the next run finds it purged already
            logger.warning("trash purge bookmark not saved", exc_info=True)
            break
        day += timedelta(days=1)
    return counts
