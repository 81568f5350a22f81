"""A document's PDF in S3: kept under the tenant's prefix in the private bucket of kept files (the recordings
bucket: SSE-KMS with the stage key, no expiry; the tenant's deletion removes ``tenants/<tid>/``), lent through
five-minute presigned links, each handed out as an audited read."""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core import audit, aws, errors, http
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext

LINK_SECONDS = 5 * 60
SEND_LINK_SECONDS = 60 * 60  # what a messenger fetches the file by (Telegram and Meta download it themselves)
CONTENT_TYPE = "application/pdf"


def object_key(ctx: TenantContext, document_id: str) -> str:
    """Where a document's PDF is kept."""
    return f"tenants/{ctx.tenant_id}/documents/{document_id}.pdf"


def put(key: str, body: bytes) -> None:
    """Store a PDF (503 when S3 is unavailable: nothing of the document is written then)."""
    try:
        aws.client("s3").put_object(Bucket=settings.recordings_bucket, Key=key, Body=body, ContentType=CONTENT_TYPE,
                                    ServerSideEncryption="aws:kms", SSEKMSKeyId=settings.kms_key_id)
    except (ClientError, BotoCoreError) as exc:
        logger.warning("document not stored", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("The document could not be stored; try again shortly.") from exc


def get(key: str) -> bytes:
    """A stored PDF's bytes (to attach to an e-mail)."""
    try:
        return bytes(aws.client("s3").get_object(Bucket=settings.recordings_bucket, Key=key)["Body"].read())
    except (ClientError, BotoCoreError) as exc:
        logger.warning("document not read", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("The document could not be read; try again shortly.") from exc


def forget(key: str) -> None:
    """Delete a PDF whose document was never written (its transaction failed); a failure here is only logged."""
    try:
        aws.client("s3").delete_object(Bucket=settings.recordings_bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        logger.warning("orphan document file left", extra={"error": type(exc).__name__})


@cache
def _presigner() -> Any:
    """An S3 client that signs with SigV4 (S3 refuses older signatures for SSE-KMS objects)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
                                          config=Config(signature_version="s3v4"))


def link(ctx: TenantContext, *, document_id: str, key: str, filename: str, download: bool = False,
         seconds: int = LINK_SECONDS) -> dict[str, Any]:
    """A short-lived link to a document's PDF; recorded as a read first."""
    audit.record_reads(ctx, entity="document", entity_id=document_id, fields=["file"])
    disposition = "attachment" if download else "inline"
    url = _presigner().generate_presigned_url(
        "get_object", ExpiresIn=seconds,
        Params={"Bucket": settings.recordings_bucket, "Key": key, "ResponseContentType": CONTENT_TYPE,
                "ResponseContentDisposition": http.content_disposition(disposition, filename)})
    return {"url": url, "expires_in": seconds, "content_type": CONTENT_TYPE, "filename": filename}
