"""Files customers send: fetched from the provider once, kept in S3 under the tenant's prefix, lent by short links.

Providers keep media for a while only (WhatsApp's media URLs expire within minutes, its files after 30 days), so
each attachment is copied into the stage's private bucket (the recordings bucket: SSE-KMS with the stage key,
``tenants/<tenant id>/messages/<conversation id>/<attachment id>``; the tenant's deletion removes its prefix) when
its message is processed. A permitted user opens it through a presigned GET valid five minutes; handing out the
link is an audited read.
"""

from __future__ import annotations

from typing import Any

from chalicelib.channels.adapters import Credentials
from chalicelib.conversations.models import Message
from chalicelib.core import audit, aws, db, errors, http
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import plans
from chalicelib.messaging.events import Attachment, MessagingAdapter
from chalicelib.records import editing

LINK_SECONDS = 5 * 60
MAX_BYTES = 25 * 1024 * 1024


def object_key(ctx: TenantContext, conversation_id: str, attachment_id: str) -> str:
    """Where an attachment is kept (the tenant's prefix: its deletion removes the prefix)."""
    return f"tenants/{ctx.tenant_id}/messages/{conversation_id}/{attachment_id}"


def fetch_missing(ctx: TenantContext, adapter: MessagingAdapter, credentials: Credentials, message: Message) -> Message:
    """Copy every attachment of a message not kept yet into the bucket, and note where on the message."""
    pending = [a for a in message.attachments or [] if not a.get("key")]
    if not pending:
        return message
    kept: dict[str, dict[str, Any]] = {}
    for found in pending:
        media = adapter.fetch_media(credentials, Attachment(kind=str(found.get("kind")),
                                                            provider_media_id=str(found.get("provider_media_id")),
                                                            mime=found.get("mime"), name=found.get("name")))
        if len(media.body) > MAX_BYTES:
            kept[found["id"]] = {"error": "too_large"}
            continue
        key = object_key(ctx, message.conversation_id, str(found["id"]))
        content_type = media.content_type.split(";")[0].strip().lower() or "application/octet-stream"
        aws.client("s3").put_object(Bucket=settings.recordings_bucket, Key=key, Body=media.body,
                                    ContentType=content_type, ServerSideEncryption="aws:kms",
                                    SSEKMSKeyId=settings.kms_key_id)
        kept[found["id"]] = {"key": key, "mime": content_type, "size": len(media.body)}
    after = editing.clone(message)
    after.attachments = [{**a, **kept.get(a.get("id"), {})} for a in message.attachments or []]
    editing.touch(after)
    change = db.Change().save(after)
    # Counted with the message that names them, so once; what a customer sent is never refused for the plan.
    plans.store_file(ctx, size=sum(int(k.get("size") or 0) for k in kept.values()), change=change, provided=True)
    db.commit(ctx, change)
    return after


def link(ctx: TenantContext, message: Message, attachment_id: str) -> dict[str, Any]:
    """A five-minute link to one attachment of a message the caller may read; recorded as a read first."""
    from chalicelib.telephony import recordings  # the recordings bucket's SigV4 presigner, shared

    found = next((a for a in message.attachments or [] if a.get("id") == attachment_id), None)
    if found is None or not found.get("key"):
        raise errors.NotFoundError("This file is not kept (yet).", code="no_attachment")
    audit.record_reads(ctx, entity="message", entity_id=message.message_id, fields=[f"attachment.{attachment_id}"])
    # A customer names the file's type: an HTML or SVG file is lent as a download, never opened as a page.
    content_type, disposition = recordings.served_as(str(found.get("mime") or ""))
    named = http.content_disposition(disposition, str(found.get("name") or attachment_id))  # "Договор.pdf" too
    url = recordings._presigner().generate_presigned_url(
        "get_object", ExpiresIn=LINK_SECONDS,
        Params={"Bucket": settings.recordings_bucket, "Key": found["key"], "ResponseContentType": content_type,
                "ResponseContentDisposition": named})
    return {"url": url, "expires_in": LINK_SECONDS, "content_type": content_type}
