"""An import and an export of tenant A for the cross-tenant matrix."""

from __future__ import annotations

import base64
from typing import Any

from tests.factories import Company
from tests.support import ApiClient, body


def ensure_bucket() -> None:
    """The stage's export bucket in the embedded AWS (infra/ creates it in AWS, the local runner locally)."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    s3 = aws.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if settings.export_bucket not in existing:
        s3.create_bucket(Bucket=settings.export_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings.region})


def upload(client: ApiClient, token: str, text: str, *, filename: str = "contacts.csv", encoding: str = "utf-8",
           **extra: object) -> Any:
    """POST /api/v1/imports with a CSV given as text."""
    content = base64.b64encode(text.encode(encoding)).decode()
    return client.post("/api/v1/imports", {"entity": "contact", "filename": filename, "content_base64": content,
                                           **extra}, token=token)


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Upload an import (left in preview) and ask for an export; return their ids and what must not leak."""
    ensure_bucket()
    owner = company.owner.token
    imported = body(upload(client, owner, "Name,Phone,Email\nAlpha Importee,+1 202 555 0147,importee@alpha.example\n",
                           filename="alpha-import.csv"))
    exported = body(client.post("/api/v1/exports", {"entity": "contact", "format": "csv"}, token=owner))
    company.extra.update({"import": imported, "export": exported})
    return ({"import_id": imported["id"], "export_id": exported["id"]},
            [imported["id"], exported["id"], "alpha-import.csv", "Alpha Importee", "importee@alpha.example"])
