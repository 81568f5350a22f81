"""The purge of a deleted tenant: its data key is destroyed first, then its export archives, then every item.

Shredding first means that from the first step on, whatever a crash, a slow batch or a backup
leaves behind holds sealed values nobody can open. The deletion marker goes last, with a tombstone
that says the tenant existed and when it went, so an interrupted purge is simply run again.
"""

from __future__ import annotations

import time
from datetime import datetime

from chalicelib.core import aws, crypto, db, errors
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, global_key
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import service, walk
from chalicelib.tenantdata.models import DeletedTenant, TenantDeletion

BATCH = 25  # BatchWriteItem's limit
MAX_PASSES = 3  # a second walk catches what the feeds (eventually consistent indexes) showed late
RETRIES = 6


def delete_batch(keys: list[walk.Key]) -> None:
    """Delete up to 25 items, retrying what DynamoDB left unprocessed with backoff."""
    requests = [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in keys]
    pending = {settings.table_name: requests}
    for attempt in range(RETRIES):
        answer = aws.client("dynamodb").batch_write_item(RequestItems=pending)
        pending = answer.get("UnprocessedItems") or {}
        if not pending:
            return
        time.sleep(min(0.05 * 2**attempt, 2.0))
    raise errors.ServiceUnavailableError("DynamoDB kept items of the purge unprocessed.")


def remove_objects(bucket: str, prefix: str) -> int:
    """Delete every version of every object under a prefix of a bucket."""
    s3 = aws.client("s3")
    removed = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]
        for batch in db.each_in_batches(versions, 1000):  # DeleteObjects' limit
            s3.delete_objects(Bucket=bucket, Delete={"Objects": list(batch), "Quiet": True})
            removed += len(batch)
    return removed


def _remove_archives(tenant_id: str) -> int:
    """Delete the tenant's export archives (they hold its sealed values in clear) and its call recordings
    (``telephony.recordings`` keeps them under ``tenants/<tenant id>/``, encrypted with the stage key)."""
    return (remove_objects(settings.export_bucket, f"exports/{tenant_id}/")
            + remove_objects(settings.recordings_bucket, f"tenants/{tenant_id}/"))


def _remove_items(ctx: TenantContext, *, keep: walk.Key) -> int:
    """Delete every item of the tenant but keep; the number of items deleted."""
    deleted: set[walk.Key] = set()
    for _ in range(MAX_PASSES):
        found = [key for key in walk.tenant_items(ctx) if key != keep and key not in deleted]
        if not found:
            break
        for batch in db.each_in_batches(sorted(found), BATCH):
            delete_batch(list(batch))
        deleted.update(found)
    return len(deleted)


def purge(tenant_id: str) -> int:
    """Destroy the tenant's data key, then its items; the number of items removed (0: nothing to do)."""
    ctx = system_context(tenant_id, source="job")
    with bind(ctx):
        deletion = service.get_deletion(ctx)
        if deletion is None:
            return 0  # cancelled, or purged by an earlier run
        if deletion.status != "purging":
            deletion.status = "purging"  # from here on a cancellation is refused
            db.commit(ctx, db.Change().save(deletion))
        crypto.shred(ctx)
        archives = _remove_archives(tenant_id)  # not sealed with the tenant key: shredding does not reach them
        removed = _remove_items(ctx, keep=(deletion.pk, deletion.sk))
        tombstone = DeletedTenant(global_key("deleted-tenant", tenant_id), "TENANT", former_tenant_id=tenant_id,
                                  requested_by=deletion.requested_by, deleted_at=db.utcnow(),
                                  purged_items=removed + 1)
        db.commit(ctx, db.Change().delete(deletion).create(tombstone))
    logger.info("tenant purged", extra={"purged_tenant": tenant_id, "items": removed + 1, "archives": archives})
    return removed + 1


def due(*, now: datetime | None = None) -> list[str]:
    """Tenants whose grace period is over, oldest first."""
    moment = (now or db.utcnow()).isoformat() + "~"
    with db.translate_errors():
        found = TenantDeletion.gsi1.query(service.deletion_queue_key(), TenantDeletion.gsi1sk <= moment)
        return [item.tenant_id for item in found if isinstance(item, TenantDeletion)]
