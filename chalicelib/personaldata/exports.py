"""A person's data as a file, when it is too large for one answer: a job on the personal-data queue writes it.

``GET /api/v1/contacts/{id}/personal-data`` answers her data inline while her footprint is small (most people:
today's callers keep working); a footprint past ``INLINE_ITEMS`` items or a document past ``INLINE_BYTES`` (Lambda
answers at most 6 MB) becomes a job, answered 202. The job (``models.PersonalDataExport``) reads her whole footprint
in the queue's function, writes one JSON file to the export bucket under the tenant's prefix (encrypted with the
stage key, SSE-KMS), and sets a timer that deletes the file after ``KEEP``. A download link is handed only to the
administrator who asked, valid ``LINK_SECONDS``, and each one is recorded first as a clear read of her sensitive
values (as the inline answer is). Her erasure deletes her export jobs, their files and their history.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core import audit, aws, db, errors
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id, key_belongs_to, new_id
from chalicelib.due import service as due
from chalicelib.personaldata import export, footprint
from chalicelib.personaldata.models import PersonalDataExport, export_sk, exports_pk
from chalicelib.records import access, types
from chalicelib.tenantdata import purge

INLINE_ITEMS = 2000  # a footprint larger than this is written to a file by a job
INLINE_BYTES = 5 * 1024 * 1024  # Lambda answers at most 6 MB
KEEP = timedelta(days=3)  # the file is deleted then (its timer); the bucket's lifecycle removes leftovers in 7 days
LINK_SECONDS = 5 * 60
LEASE = timedelta(minutes=6)  # longer than the queue function's 300 s
RESEND_AFTER = timedelta(minutes=15)  # a job still queued this long lost its message: asking again queues it again
SWEEP_KIND = "personal_data.sweep"
OPEN = ("queued", "running")


class ExportMissingError(errors.NotFoundError):
    code = "personal_data_export_gone"
    message = "This file of a person's data is gone (it is kept three days); ask for a new one."


def object_key(ctx: TenantContext, job: PersonalDataExport) -> str:
    """Where the file of an export lives: under the tenant's prefix of the export bucket."""
    return f"exports/{ctx.tenant_id}/personal-data/{job.export_id}.json"


def answer(ctx: TenantContext, contact: Any, *, as_file: bool = False) -> dict[str, Any] | PersonalDataExport:
    """Her data inline when it is small, else (or when a file is asked for) the job that writes it."""
    if not as_file:
        try:
            with footprint.bounded(INLINE_ITEMS):
                found = footprint.find(ctx, contact)
        except footprint.TooLargeError:
            return request_file(ctx, str(contact.contact_id))
        data = export.document(ctx, found, exported_at=db.utcnow().isoformat())
        if len(json.dumps(data, ensure_ascii=False, default=str).encode()) <= INLINE_BYTES:
            export.record_reads(ctx, contact)  # before anything is answered: throttled, 503 and nothing shown
            return data
    return request_file(ctx, str(contact.contact_id))


def jobs_of(ctx: TenantContext, contact_id: str) -> list[PersonalDataExport]:
    """Her export jobs, newest first."""
    with db.translate_errors():
        return list(PersonalDataExport.query(exports_pk(ctx), PersonalDataExport.sk.startswith(f"{contact_id}#"),
                                             scan_index_forward=False, consistent_read=True, limit=20))


def request_file(ctx: TenantContext, contact_id: str) -> PersonalDataExport:
    """Queue a job writing her data to a file (the one this administrator asked for and still open, if any)."""
    from chalicelib.personaldata import queue

    mine = [job for job in jobs_of(ctx, contact_id) if job.status in OPEN and job.requested_by == ctx.actor_id]
    if mine:
        job = mine[0]
        if job.status == "queued" and job.created_at + RESEND_AFTER < db.utcnow():
            queue.send(queue.export_message(ctx, job))  # its message was lost: a second is harmless
        return job
    export_id = new_id()
    job = PersonalDataExport(exports_pk(ctx), export_sk(contact_id, export_id), export_id=export_id,
                             contact_id=contact_id, requested_by=ctx.actor_id)
    change = db.Change().save(job)
    audit.attach(ctx, change, job, entity="personal_data_export", entity_id=export_id, action="request",
                 before=None, after={"status": "queued", "contact_id": contact_id})
    db.commit(ctx, change)
    queue.send(queue.export_message(ctx, job))
    return job


def get(ctx: TenantContext, contact_id: str, export_id: str) -> PersonalDataExport | None:
    """One export job of her, or None."""
    if not is_valid_id(contact_id) or not is_valid_id(export_id):
        return None
    return db.get(ctx, PersonalDataExport, exports_pk(ctx), export_sk(contact_id, export_id))


def read(ctx: TenantContext, job: PersonalDataExport, *, link: bool = False) -> dict[str, Any]:
    """The API view of a job (``schemas.PersonalDataExportRead``); with link, a fresh download link for the
    administrator who asked (a recorded read of her data), once the file is there."""
    status = job.status
    if status == "done" and job.expires_at is not None and job.expires_at <= db.utcnow():
        status = "expired"
    view: dict[str, Any] = {"id": job.export_id, "contact_id": job.contact_id, "status": status,
                            "requested_at": job.created_at, "finished_at": job.finished_at,
                            "expires_at": job.expires_at, "size": int(job.size or 0), "items": int(job.items or 0),
                            "mine": job.requested_by == ctx.actor_id, "download_url": None,
                            "download_expires_at": None}
    if not link or status != "done" or not job.object_key:
        return view
    if job.requested_by != ctx.actor_id:
        raise errors.ForbiddenError("Only the administrator who asked for this file may download it.",
                                    code="personal_data_export_not_yours")
    contact = access.get_any(ctx, types.get("contact"), job.contact_id)
    if contact is None:
        raise ExportMissingError()
    export.record_reads(ctx, contact)  # the file holds her sensitive values in clear: a link is a read of them
    url = aws.client("s3").generate_presigned_url(
        "get_object", ExpiresIn=LINK_SECONDS,
        Params={"Bucket": settings.export_bucket, "Key": job.object_key,
                "ResponseContentDisposition": f'attachment; filename="personal-data-{job.contact_id}.json"'})
    return {**view, "download_url": url, "download_expires_at": db.utcnow() + timedelta(seconds=LINK_SECONDS)}


# -- the job ----------------------------------------------------------------------------------------------------


def _save(ctx: TenantContext, job: PersonalDataExport) -> None:
    if not key_belongs_to(ctx, job.pk):
        raise errors.ForbiddenError("A write crossed the tenant boundary.")
    with db.translate_errors():
        job.save()  # versioned: a job changed (or erased with her) meanwhile is refused


def run(ctx: TenantContext, contact_id: str, export_id: str, *, now: datetime | None = None) -> str:
    """Write her data to the job's file: ``done``, ``failed``, or ``skipped`` (done already, taken by another run,
    or gone with her erasure): a message that comes again repeats nothing."""
    job = get(ctx, contact_id, export_id)
    now = now or db.utcnow()
    if job is None or job.status not in OPEN or (job.lease_until is not None and job.lease_until > now):
        return "skipped"
    job.status, job.lease_until = "running", now + LEASE
    try:
        _save(ctx, job)
    except errors.VersionConflictError:
        return "skipped"
    try:
        return _write(ctx, job, contact_id)
    except errors.VersionConflictError:  # erased meanwhile (her jobs went with her): so does the file
        purge.remove_objects(settings.export_bucket, object_key(ctx, job))
        return "skipped"
    except Exception:
        _let_go(ctx, job)
        raise


def _write(ctx: TenantContext, job: PersonalDataExport, contact_id: str) -> str:
    """Her footprint read whole, written to the file, the job done; failed if she is gone or being erased."""
    from chalicelib.personaldata import slices

    contact = access.get_any(ctx, types.get("contact"), contact_id)
    if contact is None or contact.merged_into or slices.running(ctx, contact_id) is not None:
        return _finish(ctx, job, status="failed", failure="The person's data is being erased or is gone.")
    found = footprint.find(ctx, contact)
    body = json.dumps(export.document(ctx, found, exported_at=db.utcnow().isoformat()), ensure_ascii=False,
                      default=str).encode()
    job.object_key = object_key(ctx, job)
    _put(job.object_key, body, contact_id)
    job.size, job.items, job.expires_at = len(body), found.size(), db.utcnow() + KEEP
    return _finish(ctx, job, status="done")


def _let_go(ctx: TenantContext, job: PersonalDataExport) -> None:
    """After a failure the job is queued again, its lease given back, so its message, coming again, runs it (best
    effort: else the lease expires first)."""
    try:
        fresh = get(ctx, job.contact_id, job.export_id)
        if fresh is not None and fresh.status == "running":
            fresh.status, fresh.lease_until = "queued", None
            _save(ctx, fresh)
    except Exception:  # noqa: BLE001 - the failure that brought us here is the one raised
        logger.warning("personal data export lease not given back; it expires", extra={"export_id": job.export_id})


def _put(key: str, body: bytes, contact_id: str) -> None:
    try:
        aws.client("s3").put_object(Bucket=settings.export_bucket, Key=key, Body=body,
                                    ContentType="application/json", ServerSideEncryption="aws:kms",
                                    SSEKMSKeyId=settings.kms_key_id,
                                    ContentDisposition=f'attachment; filename="personal-data-{contact_id}.json"')
    except (BotoCoreError, ClientError) as exc:
        logger.warning("personal data file not stored", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError() from exc


def _finish(ctx: TenantContext, job: PersonalDataExport, *, status: str, failure: str | None = None) -> str:
    """The job done (its file's timer set) or failed, audited, in one transaction."""
    job.status, job.failure, job.lease_until, job.finished_at = status, failure, None, db.utcnow()
    change = db.Change().save(job)
    if status == "done" and job.expires_at is not None:
        due.set_timer(ctx, kind=SWEEP_KIND, ref=job.export_id, due_at=job.expires_at,
                      payload={"contact_id": job.contact_id}, change=change)
    audit.attach(ctx, change, job, entity="personal_data_export", entity_id=job.export_id, action=status,
                 before={"status": "running"}, after={"status": status, "size": int(job.size or 0)})
    db.commit(ctx, change)
    return status


def sweep(ctx: TenantContext, contact_id: str, export_id: str) -> str:
    """The file's time is up: it is deleted (every version) and the job says expired."""
    job = get(ctx, contact_id, export_id)
    if job is None or job.status != "done":
        return "gone"
    if job.object_key:
        purge.remove_objects(settings.export_bucket, job.object_key)
    job.status, job.object_key = "expired", None
    change = db.Change().save(job)
    audit.attach(ctx, change, job, entity="personal_data_export", entity_id=job.export_id, action="expire",
                 before={"status": "done"}, after={"status": "expired"})
    db.commit(ctx, change)
    return "swept"


def erase(ctx: TenantContext, contact_id: str) -> int:
    """Her erasure: her export jobs, their files, timers and history go (each names her); how many jobs."""
    from chalicelib.personaldata import erasure

    with db.translate_errors():
        mine = list(PersonalDataExport.query(exports_pk(ctx), PersonalDataExport.sk.startswith(f"{contact_id}#"),
                                             consistent_read=True))
    keys: list[tuple[str, str]] = []
    for job in mine:
        purge.remove_objects(settings.export_bucket, object_key(ctx, job))
        keys += [(job.pk, job.sk), (due.timers_pk(ctx), due.timer_sk(SWEEP_KIND, job.export_id)),
                 *erasure.chains(ctx, "personal_data_export", job.export_id)]
    erasure.delete(ctx, keys)
    return len(mine)
