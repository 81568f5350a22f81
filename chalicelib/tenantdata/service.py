"""Exports of a tenant's data and its deletion after a grace period (the owner's requests).

An export is a job item the scheduled job picks up (``jobs.run_pending``); its archive lands in the
export bucket, and a download link valid 15 minutes is handed out on request, each one recorded as
a clear-text read. A deletion marks the tenant ``deleting`` (identity then refuses its users) and
is purged after the grace period unless cancelled through the link e-mailed to the owner: while
the tenant is deleting nobody can sign in, so the link is how the owner reaches the cancellation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from chalicelib.core import audit, auth, db, errors, mail, permissions
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.identity import service as identity_service
from chalicelib.identity import sessions
from chalicelib.tenantdata.models import DeletionCancelToken, TenantDeletion, TenantExport
from chalicelib.tenantdata.schemas import TenantDeletionRead, TenantExportRead

GRACE = timedelta(days=30)
LINK_SECONDS = 15 * 60
KEEP_EXPORTS = timedelta(days=7)  # the export bucket's lifecycle rule removes archives after 7 days
DELETION_SK = "DELETION"
OPEN_EXPORTS = ("pending", "running")


def exports_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's exports."""
    return tenant_key(ctx, "EXPORT")


def deletion_pk(ctx: TenantContext) -> str:
    """Partition holding the tenant item, its data key and its deletion marker."""
    return tenant_key(ctx, "TENANT")


def export_queue_key() -> str:
    """The global queue (gsi1) of exports waiting for the job."""
    return global_key("jobs", "export")


def deletion_queue_key() -> str:
    """The global queue (gsi1) of scheduled deletions, by purge time."""
    return global_key("jobs", "deletion")


def object_key(tenant_id: str, export_id: str) -> str:
    """Where an export's archive lives in the export bucket."""
    return f"exports/{tenant_id}/{export_id}.zip"


def _require_owner(ctx: TenantContext, action: str) -> None:
    permissions.require(ctx, "tenant", action)
    if ctx.actor_kind != "user" or ctx.role != "owner":
        raise errors.ForbiddenError("Only the company's owner can do this.", code="owner_only")


# -- exports --------------------------------------------------------------------------------


def request_export(ctx: TenantContext) -> TenantExport:
    """Queue an export of the whole tenant (the one still open, if any, is returned instead)."""
    _require_owner(ctx, "export")
    with db.translate_errors():
        recent = list(TenantExport.query(exports_pk(ctx), scan_index_forward=False, limit=5, consistent_read=True))
    open_export = next((export for export in recent if export.status in OPEN_EXPORTS), None)
    if open_export is not None:
        return open_export
    export_id, now = new_id(), db.utcnow()
    export = TenantExport(exports_pk(ctx), export_id, export_id=export_id, tenant_id=ctx.tenant_id,
                          requested_by=ctx.actor_id, gsi1pk=export_queue_key(),
                          gsi1sk=f"{now.isoformat()}#{ctx.tenant_id}#{export_id}")
    change = db.Change().save(export)
    audit.attach(ctx, change, export, entity="tenant_export", entity_id=export_id, action="request", before=None,
                 after={"status": "pending"})
    db.commit(ctx, change)
    return export


def get_export(ctx: TenantContext, export_id: str) -> TenantExport:
    """One export of the tenant, or 404."""
    _require_owner(ctx, "export")
    export = db.get(ctx, TenantExport, exports_pk(ctx), export_id) if is_valid_id(export_id) else None
    if export is None:
        raise errors.NotFoundError("No such export.")
    return export


def export_read(ctx: TenantContext, export: TenantExport) -> TenantExportRead:
    """The API view of an export; a finished one carries a fresh download link (a recorded read)."""
    view = TenantExportRead(id=export.export_id, status=export.status, requested_at=export.created_at,
                      finished_at=export.finished_at, counts=export.counts, error=export.error)
    if export.status != "done" or not export.object_key or export.finished_at is None:
        return view
    if export.finished_at + KEEP_EXPORTS < db.utcnow():
        return view.model_copy(update={"status": "expired"})
    # The archive holds every sealed value in clear: handing out a link is reading them.
    audit.record_reads(ctx, entity="tenant_export", entity_id=export.export_id, fields=["download_link"])
    url = _presigner().generate_presigned_url(
        "get_object", ExpiresIn=LINK_SECONDS,
        Params={"Bucket": settings.export_bucket, "Key": export.object_key,
                "ResponseContentDisposition": f'attachment; filename="crm-export-{export.export_id}.zip"'})
    return view.model_copy(update={"download_url": url,
                                   "download_expires_at": db.utcnow() + timedelta(seconds=LINK_SECONDS)})


@cache
def _presigner() -> Any:
    """An S3 client that signs links with SigV4: S3 refuses older signatures for SSE-KMS objects."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
                                          config=Config(signature_version="s3v4"))


# -- deletion -------------------------------------------------------------------------------


def deletion_read(deletion: TenantDeletion) -> TenantDeletionRead:
    """The API view of a scheduled deletion."""
    return TenantDeletionRead(status=deletion.status, requested_at=deletion.created_at,
                              purge_after=deletion.purge_after)


def get_deletion(ctx: TenantContext) -> TenantDeletion | None:
    """The tenant's scheduled deletion, if any."""
    return db.get(ctx, TenantDeletion, deletion_pk(ctx), DELETION_SK)


def schedule_deletion(ctx: TenantContext, *, password: str) -> TenantDeletion:
    """The owner, password entered again, schedules the tenant's deletion after the grace period."""
    _require_owner(ctx, "delete")
    owner = identity_service.get_user_or_raise(ctx, ctx.actor_id)
    sessions.confirm_password(ctx, owner, password)  # a wrong one counts toward the lock, as at sign-in
    return schedule(ctx, purge_after=db.utcnow() + GRACE, notify=owner.email)


def _scheduled() -> errors.CRMError:
    return errors.ConflictError("The company's deletion is already scheduled.", code="deletion_scheduled")


def schedule(ctx: TenantContext, *, purge_after: datetime, notify: str | None) -> TenantDeletion:
    """Mark the tenant deleting and queue its purge; e-mail notify a link that cancels it."""
    tenant = identity_service.get_tenant_or_raise(ctx)
    if tenant.status == "deleting":
        raise _scheduled()
    token = auth.new_opaque_token("tdc_")
    digest = auth.token_digest(token)
    deletion = TenantDeletion(deletion_pk(ctx), DELETION_SK, tenant_id=ctx.tenant_id, requested_by=ctx.actor_id,
                              purge_after=purge_after, cancel_digest=digest, previous_status=tenant.status,
                              gsi1pk=deletion_queue_key(), gsi1sk=f"{purge_after.isoformat()}#{ctx.tenant_id}")
    lookup = DeletionCancelToken(global_key("deletion-cancel", digest), "TOKEN", tenant_id=ctx.tenant_id,
                                 expires_at=purge_after)
    before = {"status": tenant.status}
    tenant.status = "deleting"
    change = db.Change().save(tenant).create(deletion).create(lookup)
    audit.attach(ctx, change, tenant, entity="tenant", entity_id=ctx.tenant_id, action="schedule_deletion",
                 before=before, after={"status": "deleting", "purge_after": purge_after})
    db.commit(ctx, change, conflict=_scheduled)
    if notify:
        _send_notice(ctx, notify, tenant.name, purge_after, token)
    return deletion


# The notice is in the company's language, its time on the company's clock ("scheduled for 2026-12-07 03:36 UTC" was
# 06:36 for a Moscow owner, who read the UTC date the day before theirs around midnight).
NOTICE = {
    "en": ("{company} will be deleted on {day}",
           "The deletion of {company} and all its data is scheduled for {day} at {time} ({zone} time).\n"
           "Until then nobody can sign in. To cancel the deletion, open this link:\n{link}\n\n"
           "Afterwards the data cannot be recovered.\n"),
    "ru": ("{company}: компания будет удалена {day}",
           "Удаление компании {company} и всех её данных назначено на {day}, {time} (время {zone}).\n"
           "До этого никто не сможет войти. Чтобы отменить удаление, откройте ссылку:\n{link}\n\n"
           "После удаления данные восстановить нельзя.\n"),
}


def _send_notice(ctx: TenantContext, to: str, company: str, purge_after: datetime, token: str) -> None:
    from chalicelib.identity import moments, zones

    subject, text = NOTICE[moments.language(ctx)]
    day, time = moments.day_and_time(ctx, purge_after)
    words = {"company": company, "day": day, "time": time, "zone": zones.company_zone(ctx).key,
             "link": mail.link("/#/cancel-deletion?token=" + token)}
    mail.send(to=to, subject=subject.format(**words), text=text.format(**words))


def cancel_with_link(*, token: str) -> None:
    """Cancel a scheduled deletion with the e-mailed link (no sign-in: the tenant refuses everyone)."""
    lookup = None
    with db.translate_errors():
        try:
            lookup = DeletionCancelToken.get(global_key("deletion-cancel", auth.token_digest(token)), "TOKEN",
                                             consistent_read=True)
        except DeletionCancelToken.DoesNotExist:
            lookup = None
    if lookup is None or (lookup.expires_at and lookup.expires_at < db.utcnow()):
        raise errors.BadRequestError("This link is invalid or has expired.", code="invalid_token")
    ctx = identity_service.system_context(lookup.tenant_id)
    with bind(ctx):
        cancel(ctx)


def cancel(ctx: TenantContext) -> None:
    """Cancel the tenant's scheduled deletion, unless its purge has begun; the tenant is as before."""
    deletion = get_deletion(ctx)
    if deletion is None:
        raise errors.BadRequestError("This link is invalid or has expired.", code="invalid_token")
    if deletion.status != "scheduled":
        raise errors.ConflictError("The deletion has begun and cannot be stopped.", code="deletion_in_progress")
    tenant = identity_service.get_tenant_or_raise(ctx)
    restored = deletion.previous_status or "active"
    tenant.status = restored
    change = db.Change().save(tenant).delete(deletion)
    if deletion.cancel_digest:
        change.delete(DeletionCancelToken(global_key("deletion-cancel", deletion.cancel_digest), "TOKEN"))
    ctx = identity_service.system_context(ctx.tenant_id, actor_id=deletion.requested_by, source=ctx.source)
    audit.attach(ctx, change, tenant, entity="tenant", entity_id=ctx.tenant_id, action="cancel_deletion",
                 before={"status": "deleting"}, after={"status": restored})
    db.commit(ctx, change, conflict=lambda: errors.ConflictError("The deletion has begun and cannot be stopped.",
                                                                 code="deletion_in_progress"))
