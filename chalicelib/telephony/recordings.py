"""Call recordings: fetched from the provider once, kept in S3 under the tenant's prefix, lent by short links.

The provider hands a recording over for a while only (Zadarma's links expire, Mango and Twilio may
delete theirs), so it is copied into the stage's recordings bucket (SSE-KMS with the stage key,
private, under ``tenants/<tenant id>/calls/<call id>``) when its event is processed. A permitted user
listens through a presigned GET valid five minutes; handing out the link is a read of the recording,
audited like a read of any sealed value. Its bytes count toward the plan's storage (``plans.store_file``)
but never refuse it: past the plan, the company reads as over its storage limit.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.calls.models import Call
from chalicelib.calls.record import CALL
from chalicelib.core import audit, aws, db, errors
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import plans
from chalicelib.inbox import Run
from chalicelib.integrations import service as integrations_service
from chalicelib.records import access, editing, store
from chalicelib.telephony import entries
from chalicelib.telephony.events import TelephonyAdapter

LINK_SECONDS = 5 * 60
# What a browser shows in its tab without running a script of the file's: a file of another type (HTML, SVG, XML,
# JavaScript, anything a customer's message or a company's PBX may call its file) would open as a page of the
# bucket's origin and run what it holds, so it is lent as bytes to download.
SHOWN_IN_PLACE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf",
                            "text/plain"})
DOWNLOADED = "application/octet-stream"
EXTENSIONS = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
              "audio/ogg": "ogg"}


def object_key(ctx: TenantContext, call_id: str) -> str:
    """Where a call's recording is kept (the tenant's prefix: a tenant's deletion removes the prefix)."""
    return f"tenants/{ctx.tenant_id}/calls/{call_id}"


def tenant_prefix(ctx: TenantContext) -> str:
    """Every recording of a tenant."""
    return f"tenants/{ctx.tenant_id}/calls/"


def fetch(run: Run, adapter: TelephonyAdapter, call: Call) -> None:
    """Copy a call's recording from its provider into the bucket and note it on the call."""
    ctx = run.ctx
    credentials = integrations_service.adapter_credentials(ctx, run.integration)
    recording = adapter.fetch_recording(credentials, dict(call.recording_ref or {}))
    content_type = recording.content_type.split(";")[0].strip().lower() or "audio/mpeg"
    key = object_key(ctx, call.call_id)
    aws.client("s3").put_object(Bucket=settings.recordings_bucket, Key=key, Body=recording.body,
                                ContentType=content_type, ServerSideEncryption="aws:kms",
                                SSEKMSKeyId=settings.kms_key_id)
    for _ in range(3):
        current = access.get_any(ctx, CALL, call.call_id)
        if not isinstance(current, Call) or current.recording_key:
            return
        after = editing.clone(current)
        after.recording_key, after.recording_type = key, content_type
        editing.touch(after)
        change = db.Change()
        entries.write(ctx, change, after)  # the timelines' player shows with the recording
        # Counted with the call that names it, so once; a customer's call is never lost to the plan's storage.
        plans.store_file(ctx, size=len(recording.body), change=change, provided=True)
        try:
            store.save(ctx, CALL, current, after, action="update", change=change)
            return
        except errors.VersionConflictError:  # a concurrent fold moved the version on: read it again
            continue


def served_as(content_type: str | None) -> tuple[str, str]:
    """The type a lent file is answered with and whether it opens in place ("inline") or downloads ("attachment")."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in SHOWN_IN_PLACE or kind.startswith(("audio/", "video/")):
        return kind, "inline"
    return DOWNLOADED, "attachment"


@cache
def _presigner() -> Any:
    """An S3 client that signs with SigV4 (S3 refuses older signatures for SSE-KMS objects)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
                                          config=Config(signature_version="s3v4"))


def link(ctx: TenantContext, call: Call) -> dict[str, Any]:
    """A short-lived link to a call's recording; recorded as a read first."""
    audit.record_reads(ctx, entity=CALL.name, entity_id=call.call_id, fields=["recording"])
    ext = EXTENSIONS.get(call.recording_type or "", "mp3")
    content_type, disposition = served_as(call.recording_type or "audio/mpeg")
    url = _presigner().generate_presigned_url(
        "get_object", ExpiresIn=LINK_SECONDS,
        Params={"Bucket": settings.recordings_bucket, "Key": call.recording_key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'{disposition}; filename="call-{call.call_id}.{ext}"'})
    return {"url": url, "expires_in": LINK_SECONDS, "content_type": content_type}


def delete_all(ctx: TenantContext) -> int:
    """Delete every recording of a tenant (its data's deletion); answers how many."""
    s3 = aws.client("s3")
    removed = 0
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.recordings_bucket, Prefix=tenant_prefix(ctx)):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=settings.recordings_bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed
