"""The company's recent imports, newest first: what the Data screen lists so an import is found again after the
user has left the screen (its progress, its result, its undo).

One Query of the tenant's import partition (``T#<tid>#IMPORT``, sort key the import's ULID, so newest first is the
key order) and one BatchGetItem for the page's starters' names and undos. An import left in preview (each upload and
re-check makes one) is not listed: nothing was started. Whoever may import some entity may list; a caller sees the
imports they started and every import of an entity whose records they may all create, as ``service.get_import``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import queue, targets
from chalicelib.dataio.models import ImportJob, ImportUndo
from chalicelib.dataio.schemas import ImportPage, ImportSummary, StarterRead


def _seen_entities(ctx: TenantContext) -> tuple[list[str], list[str]]:
    """The importable entities the caller may create at all, and those it may create at every record ("all")."""
    scopes = {entity: permissions.scope_of(ctx, target.permission, "create")
              for entity, target in targets.TARGETS.items()}
    return [e for e, scope in scopes.items() if scope], [e for e, scope in scopes.items() if scope == "all"]


def _condition(ctx: TenantContext, every: list[str]) -> Any:
    started = ImportJob.status != "preview"
    if set(every) >= set(targets.TARGETS):
        return started
    visible = ImportJob.actor_id == ctx.actor_id
    if every:
        visible = visible | ImportJob.entity.is_in(*every)
    return started & visible


def _related(ctx: TenantContext, jobs: list[ImportJob]) -> tuple[dict[str, str], dict[str, ImportUndo]]:
    """The starters' names and the imports' undos, in one BatchGetItem."""
    from chalicelib.identity import service as identity_service

    keys = identity_service.user_keys(ctx, [job.actor_id for job in jobs if job.actor_kind == "user"])
    keys += [(queue.jobs_pk(ctx, "import_undo"), job.import_id) for job in jobs]
    found = db.get_many(ctx, keys) if keys else {}
    names = identity_service.names_of_users(ctx, found)
    undos = {item.import_id: item for item in found.values() if isinstance(item, ImportUndo)}
    return names, undos


def summary(job: ImportJob, *, name: str | None, undo: ImportUndo | None) -> ImportSummary:
    """One import as the list shows it."""
    return ImportSummary(
        id=job.import_id, entity=job.entity, status=job.status, filename=job.filename, total_rows=int(job.total_rows),
        processed=int(job.next_row), created=int(job.created_count), duplicates=int(job.duplicate_count),
        failed=int(job.failed_count), companies_created=int(job.companies_created or 0), failure=job.failure,
        started_by=StarterRead(id=job.actor_id, kind=job.actor_kind, name=name or None),
        undo_status=undo.status if undo is not None else "none",
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at)


def list_imports(ctx: TenantContext, *, limit: int, cursor: str | None) -> ImportPage:
    """The imports the caller may see, newest first, one page (403 for a role that may import nothing)."""
    allowed, every = _seen_entities(ctx)
    if not allowed:
        raise errors.ForbiddenError("Your role may not import records.")
    page = db.query_page(ctx, ImportJob, queue.jobs_pk(ctx, "import"), scope="imports", limit=min(limit, 50),
                         cursor=cursor, filter_condition=_condition(ctx, every))
    jobs = [job for job in page.items if isinstance(job, ImportJob)]
    names, undos = _related(ctx, jobs)
    return ImportPage(items=[summary(job, name=names.get(job.actor_id), undo=undos.get(job.import_id))
                             for job in jobs], next_cursor=page.next_cursor)
