"""Undoing a whole import in one click (#20 item 17): a wrong column mapping over 2,000 rows is one action, not
2,000 reverts.

The undo reads the import's own audit records (its run's request ids, ``import:<id>:<run>``, in the tenant feed
between its start and its end) and reverts each creation through the audit trail's reverter: the record goes to the
trash (restorable for 30 days), recorded as a revert of its creation by the undo (source ``import_undo``). It runs as
a job of the scheduler, a page of records at a time with its cursor checkpointed, so no request waits on it and a
run interrupted anywhere goes on from its last page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.auditlog import reverters
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.audit import AuditRecord
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import queue, service, targets
from chalicelib.dataio.models import ImportJob, ImportUndo
from chalicelib.dataio.schemas import UndoRead

PAGE = 50  # audit records read (and reverted) between checkpoints
MAX_LISTED = 50


def _undo_of(ctx: TenantContext, import_id: str) -> ImportUndo | None:
    return queue.get(ctx, ImportUndo, import_id)


def undo_read(job: ImportUndo | None, import_job: ImportJob) -> UndoRead:
    """The API view of an import's undo (none yet: status "none", with what it would undo)."""
    if job is None:
        return UndoRead(import_id=import_job.import_id, status="none", to_undo=_made(import_job))
    return UndoRead(import_id=job.import_id, status=job.status, to_undo=_made(import_job),
                    undone=int(job.undone_count), skipped=int(job.skipped_count), failed=int(job.failed_count),
                    errors=list(job.errors or []), failure=job.failure, started_at=job.created_at,
                    finished_at=job.finished_at)


def _made(import_job: ImportJob) -> int:
    """The records an import made: its rows' and a contacts import's companies."""
    return int(import_job.created_count) + int(import_job.companies_created or 0)


def get_undo(ctx: TenantContext, import_id: str) -> UndoRead:
    """An import's undo as it stands (the import must be one the caller may see)."""
    import_job = service.get_import(ctx, import_id)
    return undo_read(_undo_of(ctx, import_id), import_job)


def start_undo(ctx: TenantContext, import_id: str) -> UndoRead:
    """Queue the undo of a finished import: 409 while the import runs or once it is being or was undone."""
    import_job = service.get_import(ctx, import_id)
    permissions.require(ctx, targets.target(import_job.entity).permission, "delete")
    if import_job.status not in {"done", "failed"} or import_job.started_at is None:
        raise errors.ConflictError("Only a finished import can be undone.", code="import_not_finished")
    if _undo_of(ctx, import_id) is not None:
        raise errors.ConflictError("This import has already been undone.", code="import_undone")
    now = db.utcnow()
    job = ImportUndo(queue.jobs_pk(ctx, "import_undo"), import_id, import_id=import_id,
                     entity=import_job.entity, status="queued", since=import_job.started_at,
                     until=import_job.finished_at or now, **queue.actor_snapshot(ctx))
    queue.enqueue(job, now)
    change = db.Change().create(job)
    audit.attach(ctx, change, job, entity="import_undo", entity_id=import_id, action="create", before=None,
                 after={"status": "queued", "import_id": import_id})
    db.commit(ctx, change)
    return undo_read(job, import_job)


def _page(ctx: TenantContext, job: ImportUndo) -> db.Page[AuditRecord]:
    """The next page of the import's creations, from the tenant feed around its run (newest first)."""
    low, high = job.since.isoformat(), job.until.isoformat() + "~"
    wanted = AuditRecord.request_id.startswith(f"import:{job.import_id}:") & (AuditRecord.action == "create")
    return db.query_page(ctx, AuditRecord, audit.tenant_feed_key(ctx), scope=f"import_undo:{job.import_id}",
                         index=AuditRecord.gsi1, limit=PAGE, cursor=job.cursor, filter_condition=wanted,
                         range_key_condition=AuditRecord.gsi1sk.between(low, high))


def _revert_creation(ctx: TenantContext, job: ImportUndo, record: AuditRecord) -> None:
    """The record an import row created, to the trash, as a revert of its creation; already gone: skipped. A row's
    notes are not undone apart: they are on their record's timeline, to the trash and back with it."""
    if record.entity == "note":
        return
    reverter = reverters.reverter_for(record.entity)
    try:
        if reverter is None:
            raise errors.ConflictError(f"Changes of {record.entity} cannot be reverted.", code="not_revertable")
        with audit.reverting(record.audit_id) as written:
            reverter(ctx, record.entity_id, None, None)
        if written:
            job.undone_count = int(job.undone_count) + 1
        else:
            job.skipped_count = int(job.skipped_count) + 1
    except errors.NotFoundError:
        job.skipped_count = int(job.skipped_count) + 1  # deleted by hand since
    except (errors.ServiceUnavailableError, errors.VersionConflictError):
        raise
    except errors.CRMError as exc:
        job.failed_count = int(job.failed_count) + 1
        if len(job.errors or []) < MAX_LISTED:
            job.errors = [*(job.errors or []), {"entity_id": record.entity_id, "message": exc.message}]


def run_undo(ctx: TenantContext, job: ImportUndo, *, deadline: float, now: Callable[[], datetime]) -> None:
    """Undo page after page until the import's records end or the time is up (one page at least)."""
    if job.status == "queued":
        job.status = "running"
    first = True
    while first or time.monotonic() < deadline:
        first = False
        page = _page(ctx, job)
        for record in page.items:
            _revert_creation(ctx, job, record)
        job.cursor = page.next_cursor
        if page.next_cursor is None:
            queue.finish(ctx, job, status="done", now=now(), summary=_summary(job))
            return
        queue.checkpoint(ctx, job)


def _summary(job: ImportUndo) -> dict[str, Any]:
    return {"undone": int(job.undone_count), "skipped": int(job.skipped_count), "failed": int(job.failed_count)}
