"""Mail SES stored: S3's notification (through the mail queue) -> the line the message was forwarded to -> its inbox.

The steps are the channel seam's. *Route*: the message's headers (its first 64 KB, one ranged GET) name the
addresses it was delivered or forwarded to; the one of our inbound domain leads, through its lookup, to the line
(``mailboxes``). *Verify*: only SES writes to the bucket (its policy); SES's verdicts are read when the message
is (``verdicts``: an unverified sender's mail is attached to no contact, a virus's files are not kept).
*Store first*: the message is copied under the tenant's prefix
(which the tenant's purge removes) and the inbox keeps the copy's bucket and key, deduplicated by the Message-ID
(a keyed digest, never the id in a key), before anything else is read; only then is SES's original deleted. The
messaging processor then reads the whole message (``providers.email``). A message no line answers to stays in the
bucket (its key is logged, nothing personal; the bucket expires it); a message whose storing failed goes back to
the queue alone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from chalicelib.core import aws, db, observability
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import bind
from chalicelib.messaging.email import mailboxes, mime

INTEGRATION_TYPE = "email"


def _head(bucket: str, key: str) -> bytes:
    """The first bytes of a stored message: its headers (forwarders add many, never 64 KB)."""
    answer = aws.client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{mime.HEADER_BYTES - 1}")
    return bytes(answer["Body"].read())


def route(headers: Any) -> tuple[str, str, str, str] | None:
    """(tenant, integration, key digest, address) of the line a message was forwarded to, or None."""
    from chalicelib.integrations import service as integrations_service
    from chalicelib.integrations.models import HookLookup

    domain = "@" + settings.inbound_mail_domain
    for address in mime.recipients(headers):
        if not address.endswith(domain):
            continue
        digest = mailboxes.key_digest_of(address)
        if digest is None:
            continue
        with db.translate_errors():
            try:
                lookup = HookLookup.get(integrations_service.lookup_key(digest), integrations_service.HOOK_SK,
                                        consistent_read=True)
            except HookLookup.DoesNotExist:
                continue
        if lookup.integration_type == INTEGRATION_TYPE:
            return str(lookup.tenant_id), str(lookup.integration_id), digest, address
    return None


def receive_object(bucket: str, key: str, size: int = 0) -> str:
    """Store one message SES put in the bucket as its line's inbox event, then hand it to processing; answers
    what became of it (received, duplicate, ignored, unrouted)."""
    from chalicelib.identity import service as identity_service
    from chalicelib.identity.models import Tenant
    from chalicelib.inbox import service as inbox_service
    from chalicelib.integrations import service as integrations_service
    from chalicelib.integrations.models import Integration

    try:
        headers = mime.headers_of(_head(bucket, key))
    except mime.Unreadable:
        headers = None
    found = route(headers) if headers is not None else None
    if found is None:
        logger.warning("mail for no line stays in the bucket", extra={"object_key": key})
        return "unrouted"
    tenant_id, integration_id, digest, address = found
    ctx = integrations_service.hook_context(tenant_id, integration_id, source_ip=None)
    observability.bind_tenant(ctx.tenant_id, actor_id=ctx.actor_id)
    with bind(ctx):
        keys = [(integrations_service.integrations_pk(ctx), integration_id),
                (identity_service.tenant_pk(ctx), "TENANT")]
        items = db.get_many(ctx, keys)
        integration, tenant = items.get(keys[0]), items.get(keys[1])
        if not isinstance(integration, Integration) or integration.status == "deleted" \
                or integration.key_digest != digest:
            logger.warning("mail for a line that is gone stays in the bucket", extra={"object_key": key})
            return "unrouted"
        assert headers is not None
        own_id = mime.message_id(mime.header(headers, "Message-ID"))
        kept = keep(ctx, bucket, key)
        delivery = inbox_service.Delivery(
            fields={"bucket": settings.recordings_bucket, "key": kept, "size": int(size or 0), "recipient": address},
            summary="e-mail", provider_event_id=f"mail:{own_id}" if own_id else f"object:{key}",
            source={"content_type": "message/rfc822"})
        open_for_business = isinstance(tenant, Tenant) and tenant.status == "active"
        reason = None if integration.status == "active" and open_for_business else (
            "integration_disabled" if integration.status != "active" else "company_suspended")
        if reason is not None:
            inbox_service.store_ignored(ctx, integration, delivery, reason=reason)
            outcome = "ignored"
        else:
            outcome = "duplicate" if inbox_service.receive(ctx, integration, delivery).duplicate else "received"
        aws.client("s3").delete_object(Bucket=bucket, Key=key)  # its copy under the tenant's prefix is the one kept
        return outcome


def kept_key(ctx: Any, key: str) -> str:
    """Where a message SES stored is kept once its line is known: under the tenant's prefix of the private
    bucket, which the tenant's purge removes (the mail bucket is the tenants' shared landing place)."""
    return f"tenants/{ctx.tenant_id}/mail/{key.rsplit('/', 1)[-1]}"


def keep(ctx: Any, bucket: str, key: str) -> str:
    """Copy a stored message under its tenant's prefix (SSE-KMS, like every file kept); answers the new key. The
    original is deleted only once the inbox holds the event naming the copy, so a crash loses nothing."""
    target = kept_key(ctx, key)
    aws.client("s3").copy_object(Bucket=settings.recordings_bucket, Key=target,
                                 CopySource={"Bucket": bucket, "Key": key}, ServerSideEncryption="aws:kms",
                                 SSEKMSKeyId=settings.kms_key_id, ContentType="message/rfc822",
                                 MetadataDirective="REPLACE")
    return target


def _objects(body: str) -> list[tuple[str, str, int]]:
    """(bucket, key, size) of each object an S3 notification names (a test event names none)."""
    import json

    try:
        found = json.loads(body)
    except ValueError:
        return []
    records = found.get("Records") if isinstance(found, dict) else None
    objects = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict) or not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3") or {}
        bucket, stored = (s3.get("bucket") or {}).get("name"), s3.get("object") or {}
        if isinstance(bucket, str) and isinstance(stored.get("key"), str):
            objects.append((bucket, unquote_plus(stored["key"]), int(stored.get("size") or 0)))
    return objects


def queued_notifications(event: Any) -> dict[str, Any]:
    """The mail queue's handler (app.mail_in): each message is an S3 notification of objects SES stored.

    A message whose objects could not all be stored in their inbox goes back to the queue alone
    (``batchItemFailures``), to come again after the visibility timeout (then to the dead-letter queue); the
    object is still in the bucket either way."""
    counts: dict[str, int] = {}
    failed: list[str] = []
    for record in event:
        message_id = record.to_dict().get("messageId")
        try:
            for bucket, key, size in _objects(record.body):
                outcome = receive_object(bucket, key, size)
                counts[outcome] = counts.get(outcome, 0) + 1
        except Exception:  # noqa: BLE001 - this message comes again; the others in the batch are done with
            logger.exception("mail queue: a stored message could not be received", extra={"message_id": message_id})
            failed.append(str(message_id))
        finally:
            observability.end_request()
    if failed:
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    return counts
