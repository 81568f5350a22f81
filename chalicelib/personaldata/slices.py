"""An erasure of any size, in slices: the request runs the first, the personal-data queue the rest, until done.

A customer with years of chats holds tens of thousands of messages: reading and deleting them all would outlast API
Gateway's 29 seconds. So the erasure is a record that runs in phases (``PHASES``), each resumable from what is left:

- ``around``: her whole footprint is found (within the request only if it is small: ``footprint.bounded``), and
  everything found through her and the ids of what is about her goes at once (``erasure.erase_around``), while it
  can still be found: her orders and deals are detached, tasks, notes, deliveries, notifications, runs, timers,
  export and import files go. Her merged duplicates' ids are kept on the record for the last phase.
- ``records``: her calls, conversations and tickets, one after another, each collection drained in slices of at
  most the slice's items (``erasure.drain``), then the record purged (``erasure.erase_record``).
- ``contact``: her timeline drained, then she and her duplicates purged with their chains; the record is done,
  audited, and its pointer goes.

A slice takes the record's lease (a versioned write), so a second run of the same slice (SQS delivers at least once)
finds it taken or already past and does nothing; a slice that fails lets go and its message comes again; a lost
hand-over is found by the record's timer (``STALL``), which queues the slice again. Deleting is idempotent and each
phase finds only what is left, so a slice cut short anywhere is finished by the next.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.core import audit, db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id, key_belongs_to, new_id
from chalicelib.due import service as due
from chalicelib.personaldata import erasure, exports, footprint, rights
from chalicelib.personaldata.footprint import Footprint
from chalicelib.personaldata.models import Erasure, RunningErasure, erasures_pk, running_sk
from chalicelib.records import access, types
from chalicelib.tenantdata.registry import kind_of

PHASES = ("around", "records", "contact")
REQUEST_ITEMS = 2000  # what the request reads and deletes at most; a larger footprint goes to the queue
SLICE_ITEMS = 5000  # what one queued slice deletes at most (besides the time left in its Lambda)
LEASE = timedelta(minutes=6)  # longer than the queue function's 300 s: a slice killed by its timeout lets go
STALL = timedelta(minutes=30)  # a running erasure nobody moved on for this long is queued again
TIMER_KIND = "personal_data.erasure"


@dataclass
class Budget:
    """What a slice may still do: items to delete, and a time (``time.monotonic``) to stop by."""

    items: int
    deadline: float | None = None

    def take(self, count: int) -> None:
        """Count items done."""
        self.items -= count

    def spent(self) -> bool:
        """True when the slice must stop and hand over."""
        return self.items <= 0 or (self.deadline is not None and time.monotonic() >= self.deadline)


def get(ctx: TenantContext, erasure_id: str) -> Erasure | None:
    """An erasure record of ctx's tenant, or None."""
    return db.get(ctx, Erasure, erasures_pk(ctx), erasure_id) if is_valid_id(erasure_id) else None


def running(ctx: TenantContext, contact_id: str) -> Erasure | None:
    """The erasure of a contact still running, or None."""
    pointer = db.get(ctx, RunningErasure, erasures_pk(ctx), running_sk(contact_id)) if is_valid_id(contact_id) \
        else None
    return get(ctx, pointer.erasure_id) if pointer is not None else None


def request(ctx: TenantContext, contact_id: str, *, items: int | None = None) -> Erasure:
    """POST erase: her erasure started (or the one running taken up), its first slice run here; the rest is queued.
    Nothing is written before her footprint has been read (a fault there changes nothing)."""
    rights.require_admin(ctx)
    items = items or REQUEST_ITEMS
    record = running(ctx, contact_id)
    found: Footprint | None = None
    if record is None or record.phase == PHASES[0]:
        found = _bounded_find(ctx, rights.contact_or_404(ctx, contact_id), items)
    record = record or _start(ctx, contact_id)
    if run(ctx, record, budget=Budget(items), found=found, may_find=False) == "more":
        hand_over(ctx, record)
    return record


def _bounded_find(ctx: TenantContext, contact: Any, items: int) -> Footprint | None:
    """Her footprint if it holds at most items, else None (a queued slice reads it)."""
    try:
        with footprint.bounded(items):
            return footprint.find(ctx, contact)
    except footprint.TooLargeError:
        return None


def _start(ctx: TenantContext, contact_id: str) -> Erasure:
    """The running record (audited: who began it and when), its pointer and its timer, in one transaction."""
    erasure_id, now = new_id(), db.utcnow()
    record = Erasure(erasures_pk(ctx), erasure_id, erasure_id=erasure_id, contact_id=contact_id,
                     actor_id=ctx.actor_id, at=now, status="running", phase=PHASES[0], slices=0)
    change = db.Change().save(record).save(RunningErasure(erasures_pk(ctx), running_sk(contact_id),
                                                           erasure_id=erasure_id))
    due.set_timer(ctx, kind=TIMER_KIND, ref=erasure_id, due_at=now + STALL, change=change)
    audit.attach(ctx, change, record, entity="erasure", entity_id=erasure_id, action="start", before=None,
                 after={"contact_id": contact_id})  # who began it, when; its partition known to the tenant's walk
    db.commit(ctx, change)
    return record


def hand_over(ctx: TenantContext, record: Erasure) -> None:
    """Queue the next slice; the record's timer is moved on (a lost message is queued again when it fires)."""
    from chalicelib.personaldata import queue

    due.set_timer(ctx, kind=TIMER_KIND, ref=record.erasure_id, due_at=db.utcnow() + STALL)
    queue.send(queue.erasure_message(ctx, record))


def run(ctx: TenantContext, record: Erasure, *, budget: Budget, found: Footprint | None = None,
        may_find: bool = True) -> str:
    """One slice: ``done``, ``more`` (hand over), or ``busy`` (another run holds it, or it is done). In its first
    phase it uses her footprint found, else reads it whole if it may (a queued slice; not the request)."""
    if record.status == "done" or not _claim(ctx, record):
        return "busy"
    removed, kept = Counter(record.removed or {}), Counter(record.kept_counts or {})
    try:
        done = _work(ctx, record, removed, kept, budget=budget, found=found, may_find=may_find)
    except Exception:
        _let_go(ctx, record, removed, kept)
        raise
    if done:
        _finish(ctx, record, removed, kept)
        return "done"
    record.slices = int(record.slices or 0) + 1
    _checkpoint(ctx, record, removed, kept, lease=False)
    return "more"


def _work(ctx: TenantContext, record: Erasure, removed: Counter[str], kept: Counter[str], *, budget: Budget,
          found: Footprint | None, may_find: bool) -> bool:
    """The slice's work from the record's phase on; True when she is gone."""
    if record.phase == "around":
        if found is None and not may_find:  # the request, and her footprint is too large for it
            return False
        found = found or footprint.find(ctx, rights.contact_or_404(ctx, record.contact_id))
        record.twin_ids = erasure.twins(found)
        erasure.erase_around(ctx, found, removed, kept)
        removed["personal_data_exports"] += exports.erase(ctx, record.contact_id)
        record.phase = "records"
        _checkpoint(ctx, record, removed, kept, lease=True)
    if record.phase == "records":
        _settle(ctx, record, removed)
        for name, about in footprint.records_about(ctx, record.contact_id):
            budget.take(erasure.drain(ctx, name, about.pk, budget=max(budget.items, 1), removed=removed))
            if budget.spent():
                return False
            files = erasure.release_record(ctx, name, about)
            _purge(ctx, record, removed, kept, [name, types.get(name).record_id(about), files])
            budget.take(1)
        record.phase = "contact"
        _checkpoint(ctx, record, removed, kept, lease=True)
    _settle(ctx, record, removed)
    contact = access.get_any(ctx, types.get("contact"), record.contact_id)
    if contact is not None:
        budget.take(erasure.drain(ctx, "contact", contact.pk, budget=max(budget.items, 1), removed=removed,
                                  kinds=frozenset({"timeline_entry"})))
        if budget.spent():
            return False
    for contact_id in [*(record.twin_ids or []), record.contact_id]:  # her duplicates first, she last
        if contact_id not in (record.settled or []):
            entries = sum(kind_of(item) == "timeline_entry" for item in footprint.query(contact.pk)) \
                if contact is not None and contact_id == record.contact_id else 0
            _purge(ctx, record, removed, kept, ["contact", contact_id, entries])
    return True


def _purge(ctx: TenantContext, record: Erasure, removed: Counter[str], kept: Counter[str], pending: list[Any]) -> None:
    """Purge one record about her (or a contact of hers): named on the erasure first, so that a failure between its
    purge and its history's deletion is settled by the next slice, counted once."""
    record.pending = pending
    _checkpoint(ctx, record, removed, kept, lease=True)
    erasure.purge_record(ctx, pending[0], pending[1], owner=record.contact_id)
    _settle(ctx, record, removed)


def _settle(ctx: TenantContext, record: Erasure, removed: Counter[str]) -> None:
    """The record named pending: its history deleted and counted once it is gone (else it is erased again)."""
    if not record.pending:
        return
    name, record_id, count = record.pending
    if erasure.settle(ctx, name, record_id, removed, owner=record.contact_id, count=int(count)) and name == "contact":
        record.settled = [*(record.settled or []), record_id]
    record.pending = None


def _claim(ctx: TenantContext, record: Erasure) -> bool:
    """Take the record's lease for this slice; False when another run holds it or took it first."""
    now = db.utcnow()
    if record.lease_until is not None and record.lease_until > now:
        return False
    record.lease_until = now + LEASE
    try:
        _save(ctx, record)
    except errors.VersionConflictError:
        return False
    return True


def _save(ctx: TenantContext, record: Erasure) -> None:
    """A versioned put of the record alone (progress, not a change of the tenant's data: nothing to audit)."""
    if not key_belongs_to(ctx, record.pk):
        raise errors.ForbiddenError("A write crossed the tenant boundary.")
    with db.translate_errors():
        record.save()


def _checkpoint(ctx: TenantContext, record: Erasure, removed: Counter[str], kept: Counter[str], *,
                lease: bool) -> None:
    record.removed = {what: count for what, count in sorted(removed.items()) if count}
    record.kept_counts = {what: count for what, count in sorted(kept.items()) if count}
    record.kept = erasure.kept_parts(record.kept_counts)
    if not lease:
        record.lease_until = None
    _save(ctx, record)


def _let_go(ctx: TenantContext, record: Erasure, removed: Counter[str], kept: Counter[str]) -> None:
    """After a failure: what was done is counted and the lease given back, so the slice's message, coming again,
    finds the rest (best effort: else the lease expires)."""
    try:
        _checkpoint(ctx, record, removed, kept, lease=False)
    except Exception:  # noqa: BLE001 - the failure that brought us here is the one raised
        logger.warning("erasure lease not given back; it expires", extra={"erasure_id": record.erasure_id})


def _finish(ctx: TenantContext, record: Erasure, removed: Counter[str], kept: Counter[str]) -> None:
    """Done: the record's counts and its one audit record, its pointer and timer gone, in one transaction."""
    record.status, record.phase, record.lease_until, record.finished_at = "done", None, None, db.utcnow()
    record.removed = {what: count for what, count in sorted(removed.items()) if count}
    record.kept_counts = {what: count for what, count in sorted(kept.items()) if count}
    record.kept = erasure.kept_parts(record.kept_counts)
    change = db.Change().save(record).delete(RunningErasure(erasures_pk(ctx), running_sk(record.contact_id)))
    due.drop(ctx, change, kind=TIMER_KIND, ref=record.erasure_id)
    audit.attach(ctx, change, record, entity="erasure", entity_id=record.erasure_id, action="erase",
                 before={"status": "running"},
                 after={"contact_id": record.contact_id, "removed": record.removed, "kept": record.kept})
    db.commit(ctx, change)


def continue_stalled(ctx: TenantContext, erasure_id: str) -> str:
    """The record's timer fired: an erasure still running and free (its hand-over was lost) is queued again."""
    record = get(ctx, erasure_id)
    if record is None or record.status == "done":
        return "done"
    if record.lease_until is not None and record.lease_until > db.utcnow():
        due.set_timer(ctx, kind=TIMER_KIND, ref=erasure_id, due_at=db.utcnow() + STALL)
        return "running"
    hand_over(ctx, record)
    return "queued"


def read(record: Erasure) -> dict[str, Any]:
    """The record as the API shows it (``schemas.ErasureRead``)."""
    return {"erasure_id": record.erasure_id, "contact_id": record.contact_id, "status": record.status,
            "at": record.at, "finished_at": record.finished_at, "removed": record.removed or {},
            "kept": record.kept or []}
