"""The jobs waiting for the scheduler, their leases and checkpoints, and whose rights they run with.

A queued job carries ``gsi2pk = G#jobs#dataio`` (a sparse index: finished jobs drop out), read by
the scheduler only. A runner takes a job by writing a lease with the job's version (optimistic
concurrency): two overlapping runs cannot both take it, and a run that lost its lease finds out at
its next checkpoint (409) and stops. A crashed run's lease simply expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from chalicelib.core import audit, db, errors
from chalicelib.core.tenancy import TenantContext, global_key, key_belongs_to, tenant_key
from chalicelib.dataio.models import ExportJob, ImportJob, ImportUndo, JobFields

QUEUE = global_key("jobs", "dataio")
LEASE_MARGIN = timedelta(seconds=60)
KINDS: dict[str, type[JobFields]] = {"import": ImportJob, "export": ExportJob, "import_undo": ImportUndo}
J = TypeVar("J", bound=JobFields)


def jobs_pk(ctx: TenantContext, kind: str) -> str:
    """Partition of a tenant's import or export jobs."""
    return tenant_key(ctx, kind.upper())


def job_id(job: JobFields) -> str:
    """The id of an import or export job (an import's undo has its import's)."""
    return str(getattr(job, "import_id", None) or getattr(job, "export_id", ""))


def kind_of(job: JobFields) -> str:
    """import, export or import_undo."""
    return next(kind for kind, model in KINDS.items() if isinstance(job, model))


def enqueue(job: JobFields, now: datetime) -> None:
    """Put the job on the scheduler's queue (oldest first)."""
    job.queued_at = now
    job.gsi2pk = QUEUE
    job.gsi2sk = f"{now.isoformat()}#{job.tenant_id}#{kind_of(job)}#{job_id(job)}"


def dequeue(job: JobFields) -> None:
    """Take the job off the queue and release its lease."""
    job.gsi2pk = job.gsi2sk = None
    job.lease_until = job.lease_owner = None


# What the scheduler reads of a queued job: which it is and whose. Not its sealed token: opening every tenant's
# would call on each tenant's key before any job runs, and one tenant's key shredded or out of reach would stop all.
QUEUED_ATTRIBUTES = ["pk", "sk", "kind", "tenant_id", "import_id", "export_id", "status", "gsi2pk", "gsi2sk"]


def queued(limit: int = 50) -> list[JobFields]:
    """The oldest queued jobs of every tenant, who and which only (eventually consistent: each is re-read, whole,
    before it runs)."""
    with db.translate_errors():
        return list(JobFields.query(QUEUE, index_name="gsi2", limit=limit, attributes_to_get=QUEUED_ATTRIBUTES))


def actor_snapshot(ctx: TenantContext) -> dict[str, Any]:
    """Who the job acts for: replayed by the scheduler so the job has the caller's rights, no more."""
    return {"tenant_id": ctx.tenant_id, "actor_id": ctx.actor_id, "actor_kind": ctx.actor_kind, "role": ctx.role,
            "team_id": ctx.team_id, "permissions": sorted(ctx.permissions)}


def job_context(job: JobFields, *, run_id: str) -> TenantContext:
    """The context a job runs in: its starter's identity and rights, re-checked against the user now."""
    ctx = TenantContext(tenant_id=job.tenant_id, actor_id=job.actor_id, actor_kind=job.actor_kind, role=job.role,
                        team_id=job.team_id, source=kind_of(job), request_id=f"{kind_of(job)}:{job_id(job)}:{run_id}",
                        permissions=frozenset(str(p) for p in job.permissions or ()))
    if job.actor_kind != "user":
        return ctx
    from chalicelib.identity import access
    from chalicelib.identity import service as identity_service

    user = identity_service.get_user(ctx, job.actor_id)
    if user is None or user.status != "active":
        raise errors.ForbiddenError("The user who started this job is no longer active.", code="actor_inactive")
    granted = access.role_permissions(ctx, user.role) or frozenset()
    return TenantContext(tenant_id=ctx.tenant_id, actor_id=ctx.actor_id, actor_kind="user", role=user.role,
                         team_id=user.team_id, source=ctx.source, request_id=ctx.request_id, permissions=granted)


def claim(ctx: TenantContext, job: JobFields, *, owner: str, now: datetime, seconds: float) -> bool:
    """Take the job's lease for this run; False when another run holds it or took it first."""
    if job.lease_until is not None and job.lease_until > now and job.lease_owner != owner:
        return False
    job.lease_until = now + timedelta(seconds=seconds) + LEASE_MARGIN
    job.lease_owner = owner
    try:
        checkpoint(ctx, job)
    except errors.VersionConflictError:
        return False
    return True


def checkpoint(ctx: TenantContext, job: JobFields) -> None:
    """Save progress; 409 (VersionConflictError) means another run took the job: stop.

    A single-item conditional put, not a transaction: progress is bookkeeping, not a change of
    the tenant's data (nothing to audit), and a one-item transaction costs twice the capacity.
    """
    if not key_belongs_to(ctx, job.pk):
        raise errors.ForbiddenError("A write crossed the tenant boundary.")
    with db.translate_errors():
        job.save()  # the version attribute makes it conditional: a stale job is refused


def release(ctx: TenantContext, job: JobFields) -> None:
    """Give the lease back at the end of a run that did not finish the job."""
    job.lease_until = job.lease_owner = None
    checkpoint(ctx, job)


def finish(ctx: TenantContext, job: JobFields, *, status: str, now: datetime, failure: str | None = None,
           summary: dict[str, Any] | None = None, change: db.Change | None = None) -> None:
    """Mark the job done or failed, off the queue, audited in the same transaction (with change's writes)."""
    before = {"status": job.status}
    job.status, job.failure, job.finished_at = status, failure, now
    dequeue(job)
    change = db.Change().save(job).extend(change)
    audit.attach(ctx, change, job, entity=kind_of(job), entity_id=job_id(job), action=status, before=before,
                 after={"status": status, "failure": failure, **(summary or {})})
    db.commit(ctx, change)


def get(ctx: TenantContext, model: type[J], job_id_: str) -> J | None:
    """A job of ctx's tenant (strongly consistent), or None."""
    kind = next(kind for kind, known in KINDS.items() if known is model)
    return db.get(ctx, model, jobs_pk(ctx, kind), job_id_)
