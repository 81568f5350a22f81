"""Files of imports and exports in the stage's export bucket, under the tenant's own prefix.

The bucket is private, encrypted with the stage key, and expires objects after 7 days (infra/).
Keys are built here from the tenant context only, so one tenant's job never names another's file.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core import aws, errors, http
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext

DOWNLOAD_SECONDS = 15 * 60
UPLOAD_SECONDS = 15 * 60
MAX_DIRECT_UPLOAD = 20 * 1024 * 1024  # a direct upload skips the API's 1 MiB body limit


def import_key(ctx: TenantContext, import_id: str) -> str:
    """Where an uploaded import file is kept while its job runs."""
    return f"imports/{ctx.tenant_id}/{import_id}"


def upload_key(ctx: TenantContext, upload_id: str) -> str:
    """Where a browser puts a file for import, straight into the bucket (a presigned POST)."""
    return f"tenants/{ctx.tenant_id}/uploads/{upload_id}"


def export_prefix(ctx: TenantContext, export_id: str) -> str:
    """The folder of an export: its pages while it is built, then the file."""
    return f"exports/{ctx.tenant_id}/{export_id}/"


def _s3() -> Any:
    return aws.client("s3")


def _unavailable(operation: str, exc: Exception) -> errors.CRMError:
    logger.warning("s3 unavailable", extra={"operation": operation, "error": type(exc).__name__})
    return errors.ServiceUnavailableError()


def put(key: str, content: bytes, *, content_type: str, filename: str | None = None) -> None:
    """Store an object (private; encrypted by the bucket's default key)."""
    extra = {"ContentDisposition": http.content_disposition("attachment", filename)} if filename else {}
    try:
        _s3().put_object(Bucket=settings.export_bucket, Key=key, Body=content, ContentType=content_type, **extra)
    except (BotoCoreError, ClientError) as exc:
        raise _unavailable("PutObject", exc) from exc


def get(key: str) -> bytes | None:
    """An object's bytes, or None when it is gone (expired by the bucket's lifecycle)."""
    try:
        return bytes(_s3().get_object(Bucket=settings.export_bucket, Key=key)["Body"].read())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise _unavailable("GetObject", exc) from exc
    except BotoCoreError as exc:
        raise _unavailable("GetObject", exc) from exc


def delete(keys: list[str]) -> None:
    """Remove objects (best effort: the lifecycle rule removes leftovers within days)."""
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        try:
            _s3().delete_objects(Bucket=settings.export_bucket, Delete={"Objects": batch, "Quiet": True})
        except (BotoCoreError, ClientError) as exc:
            logger.warning("could not delete export pages", extra={"error": type(exc).__name__})


def download_url(key: str, filename: str) -> str:
    """A presigned GET of an object, valid 15 minutes, that saves it under filename."""
    return str(_s3().generate_presigned_url(
        "get_object", ExpiresIn=DOWNLOAD_SECONDS,
        Params={"Bucket": settings.export_bucket, "Key": key,
                "ResponseContentDisposition": http.content_disposition("attachment", filename)},
    ))


def upload_form(key: str) -> dict[str, Any]:
    """A presigned POST for exactly this key, of 1 byte to 20 MiB, valid 15 minutes: ``{url, fields}``."""
    try:
        return dict(_s3().generate_presigned_post(
            Bucket=settings.export_bucket, Key=key, ExpiresIn=UPLOAD_SECONDS,
            Conditions=[["content-length-range", 1, MAX_DIRECT_UPLOAD]],
        ))
    except (BotoCoreError, ClientError) as exc:
        raise _unavailable("PresignPost", exc) from exc
