"""Tenant data tests: the export bucket, and the tenant data routes on the app until app.py registers them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import app as app_module
from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.tenantdata import routes as tenantdata_routes

assert "/api/v1/tenant/deletion" in app_module.app.routes, "app.py registers the tenant data routes"
assert ("/api/v1/tenant/deletion", "POST") in tenantdata_routes.api.keys


@pytest.fixture(autouse=True)
def export_bucket() -> Iterator[str]:
    """The stage's export bucket in the embedded S3."""
    s3 = aws.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if settings.export_bucket not in existing:
        s3.create_bucket(Bucket=settings.export_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings.region})
        s3.put_bucket_versioning(Bucket=settings.export_bucket,  # as in infra/resources.json
                                 VersioningConfiguration={"Status": "Enabled"})
    yield settings.export_bucket
