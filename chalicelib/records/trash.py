"""The trash of every record type: soft delete, restore within the retention, purge by an admin or after it.

A deleted record leaves every list (its rows give way to one trash row) and sets a due timer (``chalicelib.due``,
kind ``trash.purge``) at the end of its retention, in the same transaction; the due run fires it and
housekeeping purges the record if it is still in the trash (no Scan, no partition of its own). Restore drops the
timer in its transaction. ``expires_at`` (deletion + retention) remains a TTL backstop. (Records trashed before
the timers have a ``TrashDue`` item in their collection, which ``housekeeping.migration`` turns into a timer.)

A type's own steps are hooks on its declaration: ``restoring(ctx, before, after, change)`` (a
contact claims its phones again, forgets purged companies), ``purging(ctx, record)`` (a company
unlinks its contacts first) and ``purge(ctx, record)`` (a type that removes the record its own way).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core import db, errors, permissions, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.records import access, editing, listing, store
from chalicelib.records.models import TrashDue
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.records.types import RecordType

DUE_SK = "#TRASHDUE"  # the purge entry before the due timers (migrated, then never written)
FEED = "trashdue"
PURGE_KIND = "trash.purge"


class TrashExpiredError(errors.ConflictError):
    code = "trash_expired"
    message = "This record was deleted too long ago and can no longer be restored."


def feed_key(day: Any) -> str:
    """The global feed partition of one due day."""
    return tenancy.global_key(FEED, day.isoformat())


def purge_ref(rtype: RecordType, record_id: str) -> str:
    """The subject of a trashed record's purge timer."""
    return f"{rtype.name}.{record_id}"


def schedule_purge(ctx: TenantContext, change: db.Change, rtype: RecordType, record_id: str,
                   deleted_at: datetime) -> None:
    """Add to a soft delete's change the timer that purges the record after the retention."""
    change.save(due.timer(ctx, kind=PURGE_KIND, ref=purge_ref(rtype, record_id), due_at=deleted_at + rtype.retention,
                          payload={"entity": rtype.name, "record_id": record_id}))


def cancel_purge(ctx: TenantContext, change: db.Change, rtype: RecordType, record_id: str) -> None:
    """Add to a restore's change the removal of the record's purge timer."""
    due.drop(ctx, change, kind=PURGE_KIND, ref=purge_ref(rtype, record_id))


def delete_collection(ctx: TenantContext, change: db.Change, pk: str) -> None:
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
            if item.sk not in (PROFILE_SK, DUE_SK):
                batch.delete(item)
    change.delete(TrashDue(pk, DUE_SK))


# -- the trash of a record type --------------------------------------------------------------


def delete(ctx: TenantContext, rtype: RecordType, record_id: str) -> Any:
    """Move a record to the trash (restorable for the type's retention)."""
    before = access.get_or_raise(ctx, rtype, record_id, action="delete")
    after = editing.clone(before)
    now = db.utcnow()
    after.deleted_at, after.updated_at, after.expires_at = now, now, now + rtype.retention
    change = db.Change()
    schedule_purge(ctx, change, rtype, record_id, now)
    store.write(ctx, rtype, before, after, action="delete", change=change)
    return after


def get_trashed(ctx: TenantContext, rtype: RecordType, record_id: str) -> Any:
    """A record in the trash the caller may see, or 404."""
    permissions.require(ctx, rtype.plural, "read")
    record = access.get_any(ctx, rtype, record_id)
    if record is None or record.deleted_at is None:
        raise errors.NotFoundError(f"No such {rtype.label} in the trash.")
    access.check_access(ctx, rtype, record)
    return record


def restore(ctx: TenantContext, rtype: RecordType, record_id: str, *, now: datetime | None = None) -> Any:
    """Bring a record back from the trash; 409 ``trash_expired`` once its retention is over."""
    before = get_trashed(ctx, rtype, record_id)
    access.check_access(ctx, rtype, before, "delete")
    if (now or db.utcnow()) - before.deleted_at > rtype.retention:
        raise TrashExpiredError(f"This {rtype.label} was deleted more than {rtype.retention.days} days ago "
                                "and can no longer be restored.")
    after = editing.clone(before)
    after.deleted_at, after.expires_at, after.updated_at = None, None, db.utcnow()
    change = db.Change()
    cancel_purge(ctx, change, rtype, record_id)
    restoring = rtype.hook("restoring")
    if restoring is not None:
        restoring(ctx, before, after, change)
    store.write(ctx, rtype, before, after, action="restore", change=change)
    return after


def list_trash(ctx: TenantContext, rtype: RecordType, *, limit: int, cursor: str | None) -> db.Page[Any]:
    """Deleted records the caller could restore, most recently deleted first."""
    scope = permissions.require(ctx, rtype.plural, "delete")
    return listing.trash_rows(ctx, rtype.rows, rtype.space or "", limit=limit, cursor=cursor,
                              conditions=listing.scope_conditions(ctx, rtype.rows, scope))


def purge(ctx: TenantContext, rtype: RecordType, record_id: str) -> None:
    """Delete a record in the trash for good, its whole collection included (admins only; audited)."""
    if permissions.require(ctx, rtype.plural, "delete") != "all":
        raise errors.ForbiddenError("Only an administrator may purge the trash.", code="purge_admin_only")
    purge_record(ctx, rtype, get_trashed(ctx, rtype, record_id))


def purge_record(ctx: TenantContext, rtype: RecordType, record: Any) -> None:
    """Delete a trashed record's collection, then the record itself with its audit record."""
    own = rtype.hook("purge")
    if own is not None:
        own(ctx, record)
        return
    purging = rtype.hook("purging")
    if purging is not None:
        purging(ctx, record)
    change = db.Change()
    delete_collection(ctx, change, record.pk)
    store.write(ctx, rtype, record, None, action="purge", change=change)


def purge_if_expired(ctx: TenantContext, rtype: RecordType, record_id: str, now: datetime) -> bool:
    """Purge a record still in the trash after its retention (the housekeeping job); True if purged."""
    record = access.get_any(ctx, rtype, record_id)
    if record is None or record.deleted_at is None or now - record.deleted_at <= rtype.retention:
        return False
    purge_record(ctx, rtype, record)
    return True

