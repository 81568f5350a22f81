"""The scheduled handler that runs imports and exports, a slice of time per job, every minute.

The lead registers it in app.py::

    app.schedule(Rate(1, unit=Rate.MINUTES), name="dataio_jobs")(jobs.scheduled_import_tick)

``chalice local`` runs no schedules; the local runner (local/jobs.py) fires it like EventBridge.
A run takes each queued job's lease, works until its share of the time is spent, checkpoints, and
lets go; a job interrupted anywhere is picked up by a later run from its last checkpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.core import db, errors, observability
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.dataio import exporting, importing, queue, undo
from chalicelib.dataio.models import JobFields

DEFAULT_SECONDS = 50.0
SAFETY_SECONDS = 10.0  # left for the last checkpoint before Lambda's timeout
MIN_SLICE = 2.0
RUNNERS: dict[str, Callable[..., None]] = {"import": importing.run_import, "export": exporting.run_export,
                                           "import_undo": undo.run_undo}


def _system(tenant_id: str, run_id: str) -> TenantContext:
    from chalicelib.identity import service as identity_service

    return identity_service.system_context(tenant_id, source="job", request_id=f"job:{run_id}")


def _fail(ctx: TenantContext, job: JobFields, message: str, now: Callable[[], datetime]) -> str:
    try:
        queue.finish(ctx, job, status="failed", failure=message, now=now())
    except errors.VersionConflictError:
        logger.warning("job changed while failing it", extra={"job_id": queue.job_id(job)})
    except errors.ServiceUnavailableError:  # its lease expires and a later run meets the cause again
        logger.warning("job not marked failed: a service is unavailable", extra={"job_id": queue.job_id(job)})
        return "paused"
    return "failed"


def _work(ctx: TenantContext, job: JobFields, *, seconds: float, now: Callable[[], datetime]) -> str:
    try:
        RUNNERS[queue.kind_of(job)](ctx, job, deadline=time.monotonic() + seconds, now=now)
    except errors.VersionConflictError:
        logger.warning("job taken over by another run", extra={"job_id": queue.job_id(job)})
        return "lost"
    except errors.ServiceUnavailableError:
        logger.warning("job paused: a service is unavailable", extra={"job_id": queue.job_id(job)})
        return "paused"
    except errors.CRMError as exc:  # rights revoked, file no longer readable ...: the job cannot go on
        return _fail(ctx, job, exc.message, now)
    except Exception:  # noqa: BLE001 - logged whole; failing the job beats retrying a bug every minute
        logger.exception("job failed", extra={"job_id": queue.job_id(job)})
        return _fail(ctx, job, "An internal error stopped this job; it has been logged.", now)
    if job.status in {"queued", "running"}:
        try:
            queue.release(ctx, job)  # the next run need not wait for this one's lease to expire
        except (errors.VersionConflictError, errors.ServiceUnavailableError):
            logger.warning("job lease not released; it expires", extra={"job_id": queue.job_id(job)})
    return str(job.status)


def run_job(kind: str, tenant_id: str, job_id: str, *, seconds: float, run_id: str | None = None,
            now: Callable[[], datetime] = db.utcnow) -> str:
    """Run one job for up to seconds if no other run holds it; returns what became of it."""
    run_id = run_id or new_id()
    system = _system(tenant_id, run_id)
    with bind(system):
        job: JobFields | None = None
        try:
            job = queue.get(system, queue.KINDS[kind], job_id)
            if job is None or job.status not in {"queued", "running"}:
                return "skipped"
            if not queue.claim(system, job, owner=run_id, now=now(), seconds=seconds):
                return "busy"
            observability.bind_tenant(tenant_id, actor_id=job.actor_id)
            ctx = queue.job_context(job, run_id=run_id)
        except errors.ServiceUnavailableError:  # nothing done yet: a later run takes the job as it is
            logger.warning("job not started: a service is unavailable", extra={"job_id": job_id})
            return "paused"
        except errors.CRMError as exc:  # its starter is no longer active or allowed: it cannot go on
            return _fail(system, job, exc.message, now) if job is not None else "skipped"
    with bind(ctx):
        return _work(ctx, job, seconds=seconds, now=now)


def run_pending(max_seconds: float = DEFAULT_SECONDS, *, now: Callable[[], datetime] = db.utcnow) -> dict[str, int]:
    """Give every queued job a share of max_seconds, oldest first; returns how many ended how."""
    deadline = time.monotonic() + max_seconds
    run_id = new_id()
    waiting = queue.queued()
    outcomes: dict[str, int] = {}
    for position, entry in enumerate(waiting):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        share = max(left / (len(waiting) - position), min(left, MIN_SLICE))
        outcome = run_job(queue.kind_of(entry), entry.tenant_id, queue.job_id(entry), seconds=share, run_id=run_id,
                          now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def scheduled_import_tick(event: Any) -> dict[str, int]:
    """The ``@app.schedule`` entry point: run pending imports and exports until shortly before the timeout."""
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = remaining() / 1000 - SAFETY_SECONDS if callable(remaining) else DEFAULT_SECONDS
    observability.start_request(request_id=str(getattr(event, "event_id", None) or new_id()),
                                route="schedule:dataio_jobs", method="SCHEDULE")
    try:
        outcomes = run_pending(max(1.0, min(seconds, DEFAULT_SECONDS * 6)))
        logger.info("dataio jobs run", extra={"outcomes": outcomes})
        return outcomes
    finally:
        observability.end_request()  # no tenant's keys survive into the next invocation
