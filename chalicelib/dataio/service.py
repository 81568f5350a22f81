"""Imports and exports as the API offers them: upload and preview, start, follow; ask for an export, fetch it.

The heavy work runs in jobs (``jobs.run_pending``); this module creates and reads the job items.
A job is visible to the user who created it and to those who may act on every record of its
entity; to anyone else it does not exist (404).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from datetime import timedelta
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.dataio import deal_stages, importing, jobs, queue, schemas, segment_export, storage, targets
from chalicelib.dataio import mapping as columns
from chalicelib.dataio.models import ExportJob, ImportJob, JobFields
from chalicelib.dataio.schemas import ExportIn, ExportRead, ImportIn, ImportRead, UploadIn, UploadRead
from chalicelib.identity import plans
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.fieldaccess import search as field_search
from chalicelib.records.fieldaccess import service as field_rules

EXPORT_INLINE_SECONDS = 8.0  # a small export is ready in the answer that asked for it


def _content(encoded: str) -> bytes:
    if len(encoded) > schemas.MAX_BASE64_CHARS:
        raise errors.PayloadTooLargeError("The file is larger than 4 MB.", code="import_file_too_large")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise errors.ValidationError(details=[{"loc": ["content_base64"], "msg": "Not valid base64",
                                               "type": "invalid_base64"}]) from exc
    if len(content) > schemas.MAX_UPLOAD_BYTES:
        raise errors.PayloadTooLargeError("The file is larger than 4 MB.", code="import_file_too_large")
    return content


def _uploaded(ctx: TenantContext, upload_id: str | None) -> bytes:
    content = storage.get(storage.upload_key(ctx, upload_id)) if upload_id and is_valid_id(upload_id) else None
    if content is None:  # never uploaded, expired, used already, or another tenant's id: all look the same
        raise errors.NotFoundError("No such upload; ask for a new upload form and upload the file again.",
                                  code="upload_not_found")
    if len(content) > storage.MAX_DIRECT_UPLOAD:
        raise errors.PayloadTooLargeError("The file is larger than 20 MB.", code="import_file_too_large")
    return content


def create_upload(ctx: TenantContext, body: UploadIn) -> UploadRead:
    """A form that puts a file of up to 20 MB straight into the bucket, for an import to read (15 minutes)."""
    permissions.require(ctx, targets.target(body.entity).permission, "create")
    upload_id = new_id()
    form = storage.upload_form(storage.upload_key(ctx, upload_id))
    return UploadRead(upload_id=upload_id, url=form["url"], fields=dict(form["fields"]),
                      max_bytes=storage.MAX_DIRECT_UPLOAD,
                      expires_at=db.utcnow() + timedelta(seconds=storage.UPLOAD_SECONDS))


def _visible(ctx: TenantContext, job: JobFields, permission: str, action: str) -> bool:
    return job.actor_id == ctx.actor_id or permissions.scope_of(ctx, permission, action) == "all"


# -- imports --------------------------------------------------------------------------------


def _auto_mapping(ctx: TenantContext, entity: str, headers: list[str],
                  reading: columns.Reading) -> dict[str, str | None]:
    """The columns' fields by their headers, without those the caller's role may not change; a column taken as
    another field for the file's sake ("Имя" as the full name) that the role may not write keeps its own (a role that
    may not change last names still imports "Имя" as first names)."""
    found = columns.auto_map(headers, reading)
    mapping = field_rules.importable(ctx, entity, found)
    if not all(mapping.values()):
        plain_found = columns.auto_map(headers, reading, alone=False)
        plain = field_rules.importable(ctx, entity, plain_found)
        mapping = {column: target or plain[column] for column, target in mapping.items()}
        found = {column: found[column] or plain_found[column] for column in found}
    # a column of a field the role may not change is left out whole: not written as the unmapped columns' note
    return {column: target or (columns.SKIP if found[column] else None) for column, target in mapping.items()}


def create_import(ctx: TenantContext, body: ImportIn) -> ImportJob:
    """Read an uploaded file, keep it, and preview what importing it would do (nothing is created)."""
    target = targets.target(body.entity)
    permissions.require(ctx, target.permission, "create")
    content = _content(body.content_base64) if body.content_base64 is not None else _uploaded(ctx, body.upload_id)
    reading = importing.reading_for(ctx, target)
    sheet = importing.load_sheet(content, reading, entity=body.entity)
    if body.mapping is not None:  # a column mapped by hand to a field the role may not change: 403 naming it
        field_rules.check_import(ctx, body.entity, [str(field) for field in body.mapping.values()
                                                    if field and field != columns.SKIP])
    mapping = (columns.check_mapping(body.mapping, sheet.headers, reading) if body.mapping is not None
               else _auto_mapping(ctx, body.entity, sheet.headers, reading))
    choices = deal_stages.choose(ctx, body.entity, sheet, mapping, body.pipeline_id, body.stages)
    reading = replace(reading, choices=choices)
    import_id = new_id()
    preview = importing.preview(ctx, target, sheet, mapping, reading, import_id)
    job = ImportJob(
        queue.jobs_pk(ctx, "import"), import_id, import_id=import_id, entity=body.entity, status="preview",
        filename=body.filename, file_key=storage.import_key(ctx, import_id), file_size=len(content),
        file_format=sheet.file_format, encoding=sheet.encoding, delimiter=sheet.delimiter,
        header_row=sheet.header_row, headers=sheet.headers, mapping=mapping, preview=preview.as_dict(),
        choices=choices.as_dict() if body.entity == "deal" else None,
        total_rows=len(sheet.rows), **queue.actor_snapshot(ctx),
    )
    change = db.Change().create(job)
    plans.store_file(ctx, size=len(content), change=change, kept=False)  # past the plan's storage: 402, nothing kept
    storage.put(job.file_key, content, content_type="application/octet-stream")
    if body.upload_id is not None:
        storage.delete([storage.upload_key(ctx, body.upload_id)])
    audit.attach(ctx, change, job, entity="import", entity_id=import_id, action="upload", before=None,
                 after={"filename": body.filename, "entity": body.entity, "rows": len(sheet.rows)})
    db.commit(ctx, change)
    return job


def get_import(ctx: TenantContext, import_id: str) -> ImportJob:
    """An import job the caller may see, or 404."""
    job = queue.get(ctx, ImportJob, import_id) if is_valid_id(import_id) else None
    if job is None or not _visible(ctx, job, targets.target(job.entity).permission, "create"):
        raise errors.NotFoundError("No such import.")
    return job


def start_import(ctx: TenantContext, import_id: str, *, version: int, mapping: dict[str, str | None] | None,
                 pipeline_id: str | None = None, stages: dict[str, str | None] | None = None) -> ImportJob:
    """Queue an import for the scheduler, with a corrected mapping or a deals import's stages if given (the preview is
    redone)."""
    job = get_import(ctx, import_id)
    target = targets.target(job.entity)
    permissions.require(ctx, target.permission, "create")
    if job.status != "preview":
        raise errors.ConflictError("This import has already been started.", code="import_started")
    if mapping is not None:
        field_rules.check_import(ctx, job.entity, [str(field) for field in mapping.values()
                                                   if field and field != columns.SKIP])
    if mapping is not None or pipeline_id is not None or stages is not None:
        _remap(ctx, job, target, dict(job.mapping) if mapping is None else mapping, pipeline_id, stages)
    field_rules.check_import(ctx, job.entity, [str(field) for field in dict(job.mapping).values() if field])
    _require_a_row(job)
    for name, value in queue.actor_snapshot(ctx).items():  # it runs with the rights of whoever starts it
        setattr(job, name, value)
    job.status, job.version = "queued", version
    queue.enqueue(job, db.utcnow())
    change = db.Change().save(job)
    audit.attach(ctx, change, job, entity="import", entity_id=import_id, action="start", before={"status": "preview"},
                 after={"status": "queued", "mapping": job.mapping})
    db.commit(ctx, change)
    return job


def _require_a_row(job: ImportJob) -> None:
    """422 when the preview found no row to import or to skip as a known record (every row has a problem, or the file
    holds only empty rows): started, it made nothing and stayed among the company's imports as done."""
    preview = dict(job.preview or {})
    if int(preview.get("valid") or 0) or int(preview.get("duplicates") or 0):
        return
    raise errors.ValidationError("No row of this file can be imported: correct the rows with problems or the columns' "
                                 "fields, then check again.", code="nothing_to_import")


def _remap(ctx: TenantContext, job: ImportJob, target: targets.Target, mapping: dict[str, str | None],
           pipeline_id: str | None, stages: dict[str, str | None] | None) -> None:
    content = storage.get(job.file_key)
    if content is None:
        raise errors.ConflictError("The uploaded file has expired; upload it again.", code="import_expired")
    reading = importing.reading_for(ctx, target)
    sheet = importing.load_sheet(content, reading, header_row=int(job.header_row), entity=job.entity)
    job.mapping = columns.check_mapping(mapping, sheet.headers, reading)
    kept = columns.Choices.of(job.choices)  # what was chosen before stays unless given anew
    choices = deal_stages.choose(ctx, job.entity, sheet, job.mapping, pipeline_id or kept.pipeline_id, stages, kept)
    job.choices = choices.as_dict() if job.entity == "deal" else None
    reading = replace(reading, choices=choices)
    job.preview = importing.preview(ctx, target, sheet, job.mapping, reading, job.import_id).as_dict()


def import_read(ctx: TenantContext, job: ImportJob) -> ImportRead:
    """The API view of an import job."""
    reading_fields = sorted(targets.target(job.entity).specs)
    labels = {f"custom.{d.key}": str(d.label) for d in customfields_service.active_definitions(ctx, job.entity)}
    return ImportRead(
        id=job.import_id, entity=job.entity, status=job.status, filename=job.filename, file_format=job.file_format,
        encoding=job.encoding, delimiter=job.delimiter, header_row=int(job.header_row),
        columns=[str(header) for header in job.headers], mapping=dict(job.mapping),
        fields=reading_fields + list(labels), labels=labels, total_rows=int(job.total_rows),
        preview=schemas.PreviewRead(**job.preview),
        progress=schemas.ProgressRead(processed=int(job.next_row), created=int(job.created_count),
                                      companies_created=int(job.companies_created or 0),
                                      duplicates=int(job.duplicate_count), failed=int(job.failed_count),
                                      errors=list(job.errors), duplicate_rows=list(job.duplicates)),
        failure=job.failure, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
        version=int(job.version or 0),
    )


# -- exports --------------------------------------------------------------------------------


def create_export(ctx: TenantContext, body: ExportIn) -> ExportJob:
    """Ask for an export of what the caller may see; small ones are finished before this returns."""
    target = targets.target(body.entity)
    permissions.require(ctx, target.permission, "export")
    if body.include_sensitive and not permissions.sees_sensitive(ctx):
        raise errors.ForbiddenError("Your role may not export sensitive fields.", code="sensitive_forbidden")
    filters = dict(body.filters or {})
    target.check_filters(filters)
    segment_export.check_access(ctx, filters)  # a segment's members: a segment the caller may read
    field_search.check_export(ctx, body.entity, filters)
    export_id = new_id()
    job = ExportJob(queue.jobs_pk(ctx, "export"), export_id, export_id=export_id, entity=body.entity,
                    status="queued", file_format=body.format, filters=filters,
                    include_sensitive=body.include_sensitive, **queue.actor_snapshot(ctx))
    queue.enqueue(job, db.utcnow())
    change = db.Change().create(job)
    audit.attach(ctx, change, job, entity="export", entity_id=export_id, action="request", before=None,
                 after={"entity": body.entity, "format": body.format, "filters": filters,
                        "include_sensitive": body.include_sensitive})
    db.commit(ctx, change)
    jobs.run_job("export", ctx.tenant_id, export_id, seconds=EXPORT_INLINE_SECONDS)
    return get_export(ctx, export_id)


def get_export(ctx: TenantContext, export_id: str) -> ExportJob:
    """An export the caller asked for, or 404 (an export holds what its requester may see, no one else)."""
    job = queue.get(ctx, ExportJob, export_id) if is_valid_id(export_id) else None
    if job is None or job.actor_id != ctx.actor_id:
        raise errors.NotFoundError("No such export.")
    return job


def export_read(job: ExportJob) -> ExportRead:
    """The API view of an export, with a fresh 15-minute download link once it is done."""
    url: str | None = None
    expires: Any = None
    if job.status == "done" and job.file_key and job.filename:
        url = storage.download_url(job.file_key, job.filename)
        expires = db.utcnow() + timedelta(seconds=storage.DOWNLOAD_SECONDS)
    return ExportRead(id=job.export_id, entity=job.entity, format=job.file_format, status=job.status,
                      rows=int(job.row_count), filters=dict(job.filters or {}),
                      include_sensitive=bool(job.include_sensitive), filename=job.filename, download_url=url,
                      download_expires_at=expires, failure=job.failure, created_at=job.created_at,
                      finished_at=job.finished_at)
