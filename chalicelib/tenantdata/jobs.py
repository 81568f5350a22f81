"""The scheduled step of tenant data: queued exports, then deletions whose grace period is over.

The lead registers it with the app::

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def tenant_data_jobs(event):
        return jobs.scheduled_tick(event)

(with a ``lambda_timeout`` of at least ``TICK_SECONDS`` + 60 for that function in ``.chalice/config.json``).
Each job is claimed with a versioned write, so two overlapping ticks never run the same one; a job
interrupted while running is taken again after ``STALE_AFTER``; a passing failure (throttling, an
outage) leaves it queued for the next tick, up to ``MAX_ATTEMPTS``. An export larger than one tick
can build stops on time with its progress saved (``checkpoint``) and goes back to the queue; the
next tick resumes it. Stopping on time is not a failed attempt.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import audit, db, errors, faults
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.identity import plans
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import checkpoint, purge, service
from chalicelib.tenantdata.models import TenantExport

TICK_SECONDS = 240.0
STALE_AFTER = timedelta(minutes=20)
MAX_ATTEMPTS = 3


@dataclass
class TickReport:
    """What one run did."""

    exports_done: list[str] = field(default_factory=list)
    exports_paused: list[str] = field(default_factory=list)  # stopped on time, resumed by the next tick
    exports_failed: list[str] = field(default_factory=list)
    exports_retrying: list[str] = field(default_factory=list)
    tenants_purged: list[str] = field(default_factory=list)
    purges_failed: list[str] = field(default_factory=list)


def scheduled_tick(event: Any) -> dict[str, Any]:
    """The scheduled handler: run what is due within the tick's time budget."""
    return asdict(run_pending(TICK_SECONDS))


def run_pending(max_seconds: float = TICK_SECONDS, *, now: datetime | None = None) -> TickReport:
    """Run queued exports (each stopping on time), then due purges, starting no new job after max_seconds."""
    deadline = time.monotonic() + max_seconds
    report = TickReport()
    started = 0
    for tenant_id, export_id in queued_exports():
        if started and time.monotonic() >= deadline:  # the first job always gets a step: progress every tick
            return report
        started += run_export(tenant_id, export_id, report, deadline=deadline)
    for tenant_id in purge.due(now=now):
        if started and time.monotonic() >= deadline:
            return report
        _run_purge(tenant_id, report)
        started += 1
    return report


def queued_exports() -> list[tuple[str, str]]:
    """(tenant, export) of every queued export, oldest first."""
    with db.translate_errors():
        found = TenantExport.gsi1.query(service.export_queue_key())
        return [(item.tenant_id, item.export_id) for item in found if isinstance(item, TenantExport)]


def _claimable(export: TenantExport) -> bool:
    if export.status == "pending":
        return True
    return export.status == "running" and (export.started_at is None or
                                           export.started_at + STALE_AFTER < db.utcnow())


def _claim(ctx: TenantContext, export: TenantExport) -> bool:
    export.status, export.started_at = "running", db.utcnow()
    export.attempts = int(export.attempts or 0) + 1
    try:
        db.commit(ctx, db.Change().save(export))
    except errors.ConflictError:
        return False  # another run took it
    return True


def run_export(tenant_id: str, export_id: str, report: TickReport, *, deadline: float | None = None) -> bool:
    """Carry one export on until the deadline, storing its archive once complete; False when it was not
    this run's to take (done, cancelled, or running elsewhere).

    Never raises: an outage while claiming, pausing or finishing leaves the export to a later tick (one
    claimed but not finished is taken again after STALE_AFTER) and lets the tick go on to other tenants.
    """
    ctx = system_context(tenant_id, source="job")
    with bind(ctx):
        try:
            return _step(ctx, export_id, report, deadline)
        except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the others
            if faults.is_transient(exc):
                logger.warning("export step not recorded: a service is unavailable",
                               extra={"export_id": export_id, "error": type(exc).__name__})
            else:
                logger.exception("export step failed", extra={"export_id": export_id})
            report.exports_retrying.append(export_id)
            return True


def _step(ctx: TenantContext, export_id: str, report: TickReport, deadline: float | None) -> bool:
    """run_export's work, bound to the tenant."""
    export = db.get(ctx, TenantExport, service.exports_pk(ctx), export_id)
    if export is None or not _claimable(export) or not _claim(ctx, export):
        return False
    try:
        summary = checkpoint.build(ctx, export_id, deadline=time.monotonic() + TICK_SECONDS
                                   if deadline is None else deadline, created_at=export.created_at.isoformat())
    except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the others
        _failed(ctx, export, exc, report)
        return True
    if summary is None:
        _pause(ctx, export, report)
        return True
    export.object_key = service.object_key(ctx.tenant_id, export_id)
    counted = db.Change()  # the archive counts toward storage while the bucket keeps it; an export is never refused
    plans.store_file(ctx, size=summary.size, change=counted, kept=False, provided=True)
    _finish(ctx, export, status="done", counts=summary.counts, change=counted)
    report.exports_done.append(export_id)
    return True


def _pause(ctx: TenantContext, export: TenantExport, report: TickReport) -> None:
    """Back to the queue with its progress saved; the claim of a run that stopped on time is no attempt."""
    export.status = "pending"
    export.attempts = max(int(export.attempts or 0) - 1, 0)
    db.commit(ctx, db.Change().save(export))
    report.exports_paused.append(export.export_id)


def _failed(ctx: TenantContext, export: TenantExport, exc: Exception, report: TickReport) -> None:
    if faults.is_transient(exc) and int(export.attempts or 0) < MAX_ATTEMPTS:
        logger.warning("export will be retried", extra={"export_id": export.export_id, "error": type(exc).__name__})
        export.status = "pending"
        db.commit(ctx, db.Change().save(export))
        report.exports_retrying.append(export.export_id)
        return
    logger.exception("export failed", extra={"export_id": export.export_id})
    code = exc.code if isinstance(exc, errors.CRMError) else type(exc).__name__
    _finish(ctx, export, status="failed", error=code)
    report.exports_failed.append(export.export_id)


def _finish(ctx: TenantContext, export: TenantExport, *, status: str, counts: dict[str, int] | None = None,
            error: str | None = None, change: db.Change | None = None) -> None:
    before = {"status": export.status}
    export.status, export.finished_at, export.counts, export.error = status, db.utcnow(), counts, error
    export.gsi1pk = export.gsi1sk = None  # off the queue
    change = db.Change().save(export).extend(change)
    audit.attach(ctx, change, export, entity="tenant_export", entity_id=export.export_id, action=status,
                 before=before, after={"status": status, "counts": counts, "error": error})
    db.commit(ctx, change)


def _run_purge(tenant_id: str, report: TickReport) -> None:
    try:
        purge.purge(tenant_id)
    except Exception:  # noqa: BLE001 - logged; the deletion stays queued and the next tick resumes it
        logger.exception("purge failed", extra={"purged_tenant": tenant_id})
        report.purges_failed.append(tenant_id)
    else:
        report.tenants_purged.append(tenant_id)
