"""Import and export jobs written in clear before their customer data was sealed: sealed once, from the hourly tick.

Since jobs seal what they keep of the customers' data (``dataio.models``: an import's file name, columns, mapping,
stage choices, preview, problems and duplicates; an export's filters), a job written before reads as it was and is
sealed at its next save; a finished job is never saved again, and jobs are kept for as long as the company's import
history lists them (nothing expires them), so without this pass its rows' names, phones and e-mails stayed in clear.
The pass walks the tenants (``tenants.walk``), each tenant's ``IMPORT`` and ``EXPORT`` partitions 100 jobs a Query
(filtered to the jobs without a sealed token, so a sealed job is read but never opened), and seals each with one
UpdateItem that puts the token and removes the clear attributes, conditional on the version read and on the job
having no token yet (a job saved meanwhile sealed itself). The version stays: an open Data screen's next action
goes through. Where it stands is ``models.TenantPass`` at ``STATE_PK``; once through, a tick reads it and nothing
more. Nothing personal is logged: counts only.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, errors, tenancy
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import queue
from chalicelib.dataio.models import ExportJob, ImportJob
from chalicelib.housekeeping import tenants as tenant_walk

STATE_PK = tenancy.global_key("housekeeping", "sealed-jobs")
KINDS: dict[str, type[ImportJob] | type[ExportJob]] = {"import": ImportJob, "export": ExportJob}
JOB_PAGE = 100


def seal(job: ImportJob | ExportJob) -> bool:
    """Seal one job read in clear unless it changed since it was read; True when sealed."""
    model = type(job)
    try:
        with db.translate_errors():
            model._get_connection().update_item(job.pk, job.sk, actions=db.seal_actions(job),
                                                condition=(model.version == job.version)
                                                & model.sealed_token.does_not_exist())
    except errors.VersionConflictError:  # saved (so sealed) or withdrawn meanwhile
        return False
    return True


def _page(ctx: TenantContext, kind: str, after: str | None) -> tenant_walk.Page:
    model = KINDS[kind]
    return tenant_walk.partition_page(model, queue.jobs_pk(ctx, kind), after, limit=JOB_PAGE,
                                      filter_condition=model.sealed_token.does_not_exist())


def _seal_page(ctx: TenantContext, kind: str, jobs: list[Any]) -> int:
    return sum(seal(job) for job in jobs if isinstance(job, KINDS[kind]))


def run(*, deadline: float) -> int:
    """Seal every tenant's jobs written in clear, tenant by tenant until the deadline; how many were sealed (an
    outage: what was sealed stays, the pass resumes where it saved)."""
    return tenant_walk.one_off(STATE_PK, list(KINDS), deadline=deadline, paused="sealed jobs pass paused",
                               page=_page, work=_seal_page)
