"""Purging the trash of every tenant when its 30 days are over, on the one due-time primitive.

A soft delete sets a due timer (kind ``trash.purge``) at the end of the record's retention in its own
transaction, a restore drops it in its (``records.trash``). The due run (``app.due_timers``) fires it in its
tenant; ``fire`` asks the record engine to purge the record if it is still in the trash and past its type's
retention. No partition of the job's own and no day bookmark: the timers share the due run's hourly shards.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.records import access, trash, types

RETENTION = types.RETENTION
KIND = trash.PURGE_KIND
NOT_YET = timedelta(minutes=1)  # a record fired at the very end of its retention waits this much more


def fire(ctx: TenantContext, timer: DueTimer) -> str:
    """The purge timer of a trashed record: ``purged``, or ``skipped`` (restored, gone, or not yet due: then the
    timer is set again for the end of its retention)."""
    payload = dict(timer.payload or {})
    rtype = types.find(str(payload.get("entity", "")))
    record_id = str(payload.get("record_id", ""))
    if rtype is None or not record_id:
        return "skipped"
    now = due.moment()
    if trash.purge_if_expired(ctx, rtype, record_id, now):
        return "purged"
    record = access.get_any(ctx, rtype, record_id)
    if record is not None and record.deleted_at is not None:  # trashed again, or a clock ahead: wait for its end
        due.set_timer(ctx, kind=KIND, ref=timer.ref, payload=payload,
                      due_at=max(record.deleted_at + rtype.retention, now) + NOT_YET)
    return "skipped"


def purge_due(*, now: datetime | None = None, seconds: float = 60.0) -> dict[str, int]:
    """Purge every tenant's records whose retention in the trash is over now (the due run, restricted to purges)."""
    outcomes: dict[str, int] = {}
    due.run_due(now=now, seconds=seconds, kinds=frozenset({KIND}), outcomes=outcomes)
    return {"purged": outcomes.get("purged", 0), "skipped": outcomes.get("skipped", 0),
            "failed": outcomes.get("error", 0)}
