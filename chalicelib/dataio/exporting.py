"""The work of an export: pages of records written to the bucket as they are read, then one file.

Each page is stored before the job's cursor moves past it, so a run that dies is resumed from the
last saved cursor and rewrites at most the page it was on. The file is assembled from the pages
when the last one is written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import export_columns, files, queue, storage, targets
from chalicelib.dataio.models import ExportJob
from chalicelib.identity import plans, zones
from chalicelib.records import types
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.fieldaccess import views as field_views

PAGE_ROWS = 200


def page_key(ctx: TenantContext, job: ExportJob, number: int) -> str:
    """Where page number of an export is kept until the file is assembled."""
    return f"{storage.export_prefix(ctx, job.export_id)}pages/{number:06d}.json"


def _delimiter(ctx: TenantContext) -> str:
    """';' for tenants whose Excel reads CSV that way (Russian and most of Europe), ',' otherwise."""
    from chalicelib.identity import service as identity_service

    tenant = identity_service.get_tenant(ctx)
    return ";" if tenant is not None and (tenant.locale == "ru" or tenant.country not in {"US", "GB"}) else ","


def _columns(ctx: TenantContext, entity: str, rows: list[dict[str, Any]], *,
             sensitive: bool) -> tuple[list[str], list[str]]:
    """The file's columns in the entity's order and their headings in the company's language; an empty export still
    has its columns (those the caller may read; sensitive ones when asked for)."""
    from chalicelib.dataio.record_target import column_headings, column_order
    from chalicelib.identity import service as identity_service

    rtype = types.find(entity)
    order = export_columns.ORDER.get(entity) or (column_order(rtype) if rtype is not None else ("id",))
    definitions = {d.key: d for d in customfields_service.active_definitions(ctx, entity)}
    hidden = set() if sensitive else set(export_columns.SENSITIVE)
    blank = [key for key in order if not key.endswith(".*") and key not in hidden] + [
        export_columns.CUSTOM + key for key, d in definitions.items() if sensitive or not d.sensitive]
    keys = files.columns_of(rows) or list(field_views.export_rows(ctx, entity, [dict.fromkeys(blank)])[0])
    columns = export_columns.ordered(order, keys, list(definitions))
    named = column_headings(rtype, columns) if rtype is not None and entity not in export_columns.ORDER else None
    return columns, export_columns.headings(columns, locale=identity_service.company_locale(ctx),
                                            definitions=definitions, named=named,
                                            overrides=export_columns.OVERRIDES.get(entity))


def assemble(ctx: TenantContext, job: ExportJob, *, now: datetime) -> int:
    """Write the export file from its pages, then remove the pages; answers the file's bytes."""
    keys = [page_key(ctx, job, number) for number in range(int(job.pages))]
    rows: list[dict[str, Any]] = []
    for key in keys:
        stored = storage.get(key)
        if stored is None:
            raise RuntimeError(f"export page {key} is missing")
        rows += json.loads(stored)
    columns, titles = _columns(ctx, job.entity, rows, sensitive=bool(job.include_sensitive))
    fmt = job.file_format
    found = types.find(job.entity)
    plural = found.plural if found is not None else job.entity  # file and sheet names
    content = (files.write_xlsx(rows, columns, title=plural, headings=titles) if fmt == "xlsx"
               else files.write_csv(rows, columns, delimiter=_delimiter(ctx), headings=titles))
    job.filename = f"{plural}-{now.astimezone(zones.company_zone(ctx)):%Y-%m-%d-%H%M}.{fmt}"  # the company's clock
    job.file_key = storage.export_prefix(ctx, job.export_id) + job.filename
    storage.put(job.file_key, content, content_type=files.CONTENT_TYPES[fmt], filename=job.filename)
    storage.delete(keys)
    return len(content)


def run_export(ctx: TenantContext, job: ExportJob, *, deadline: float, now: Callable[[], datetime]) -> None:
    """Write pages from the saved cursor on until the last one (or the time is up), then the file."""
    target = targets.target(job.entity)
    scope = permissions.require(ctx, target.permission, "export")
    if job.include_sensitive and not permissions.sees_sensitive(ctx):
        queue.finish(ctx, job, status="failed", failure="You may no longer see sensitive fields.", now=now())
        return
    job.status = "running"
    written = 0
    while not job.fetched and (written == 0 or time.monotonic() < deadline):
        rows, cursor = target.export_page(ctx, scope=scope, filters=dict(job.filters or {}), cursor=job.cursor,
                                          limit=PAGE_ROWS, reveal=bool(job.include_sensitive))
        rows = field_views.export_rows(ctx, job.entity, rows)  # no column of a field the role may not read
        storage.put(page_key(ctx, job, int(job.pages)), json.dumps(rows, default=str).encode(),
                    content_type="application/json")
        job.pages, job.row_count = int(job.pages) + 1, int(job.row_count) + len(rows)
        job.cursor, job.fetched = cursor, cursor is None
        queue.checkpoint(ctx, job)
        written += 1
    if job.fetched:
        counted = db.Change()
        # Counted toward storage for the 7 days the bucket keeps it, never refused: data stays exportable.
        plans.store_file(ctx, size=assemble(ctx, job, now=now()), change=counted, kept=False, provided=True)
        queue.finish(ctx, job, status="done", now=now(), summary={"rows": int(job.row_count)}, change=counted)
