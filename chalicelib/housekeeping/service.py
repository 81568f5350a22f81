"""Purging the trash of every tenant when its 30 days are over, without a Scan.

A soft delete adds a ``TrashDue`` item to its own transaction (:func:`schedule_purge`); a restore
removes it in its transaction (:func:`cancel_purge`). The scheduled job reads the global feed one
day bucket at a time, from the first day not yet cleared up to today, binds each entry's tenant, and
asks the owning domain to purge the record if it is still in the trash and past its 30 days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from chalicelib.core import db, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.housekeeping.models import HousekeepingState, TrashDue
from chalicelib.timeline import service as timeline_service

RETENTION = timedelta(days=30)
DUE_SK = "#TRASHDUE"
FEED = "trashdue"
STATE_PK = tenancy.global_key("housekeeping", "trash")
STATE_SK = "STATE"
FIRST_RUN_DAYS = 90  # how far back a first run looks for due entries
Purger = Callable[[TenantContext, str, datetime], bool]


def feed_key(day: date) -> str:
    """The global feed partition of one due day."""
    return tenancy.global_key(FEED, day.isoformat())


def schedule_purge(ctx: TenantContext, change: db.Change, *, entity: str, record_id: str,
                   deleted_at: datetime) -> None:
    """Add to a soft delete's change the entry that lets the job purge the record after 30 days."""
    due = (deleted_at + RETENTION).date()
    change.save(TrashDue(timeline_service.subject_pk(ctx, entity, record_id), DUE_SK, entity=entity,
                         record_id=record_id, due_on=due.isoformat(), gsi1pk=feed_key(due),
                         gsi1sk=f"{ctx.tenant_id}#{entity}#{record_id}", expires_at=deleted_at + 2 * RETENTION))


def cancel_purge(ctx: TenantContext, change: db.Change, *, entity: str, record_id: str) -> None:
    """Add to a restore's change the removal of the record's purge entry."""
    change.delete(TrashDue(timeline_service.subject_pk(ctx, entity, record_id), DUE_SK))


def delete_collection(ctx: TenantContext, change: db.Change, pk: str, *, profile_sk: str) -> None:
    """Delete a trashed record's collection, all but the record and its purge entry, and add the entry's
    removal to change, the transaction that deletes the record.

    The collection goes first (a batch; it may be large), so if that transaction then fails the entry is
    still there and the next run purges the rest; had it gone with the batch, the record would stay in
    the trash with nothing left to find it.
    """
    if not tenancy.key_belongs_to(ctx, pk):  # the batch is outside db.commit's tenant-boundary check
        raise errors.ForbiddenError("A write crossed the tenant boundary.")
    with db.translate_errors(), db.MainTable.batch_write() as batch:
        for item in db.MainTable.query(pk):
            if item.sk not in (profile_sk, DUE_SK):
                batch.delete(item)
    change.delete(TrashDue(pk, DUE_SK))


def _purgers() -> dict[str, Purger]:
    from chalicelib.companies import trash as companies_trash
    from chalicelib.contacts import trash as contacts_trash
    from chalicelib.deals import service as deals_service

    return {"contact": contacts_trash.purge_if_expired, "company": companies_trash.purge_if_expired,
            "deal": deals_service.purge_if_expired}


def _job_context(entry: TrashDue) -> TenantContext:
    tenant_id = entry.pk.split("#", 2)[1]  # the item's own key names its tenant (T#<tid>#...)
    return TenantContext(tenant_id=tenant_id, actor_id="housekeeping", actor_kind="system", role="system",
                         source="job")


def _purge_entry(entry: TrashDue, now: datetime, purgers: dict[str, Purger]) -> bool:
    """Purge one due record (if still trashed and expired) and drop its entry; True when purged."""
    ctx = _job_context(entry)
    with tenancy.bind(ctx):
        purger = purgers.get(entry.entity)
        purged = purger(ctx, entry.record_id, now) if purger is not None else False
        with db.translate_errors():
            entry.delete()  # gone with a purged collection already; a restored record's stale entry
    return purged


def _bucket(day: date) -> list[TrashDue]:
    with db.translate_errors():
        return [item for item in TrashDue.gsi1.query(feed_key(day)) if isinstance(item, TrashDue)]


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
        purgers, complete = _purgers(), True
        for entry in _bucket(day):
            if time.monotonic() >= deadline:
                complete = False
                break
            try:
                counts["purged" if _purge_entry(entry, now, purgers) else "skipped"] += 1
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
