"""A segment's export is a dataio export job (#24): queued like the contacts export, its file in the bucket behind a
15-minute link, audited, counted in the plan's storage; it holds the segment's members the caller may export, and
another company's segment, a bad id or an extra filter change nothing."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlparse

from chalicelib.billing import storage
from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.factories import signup
from tests.support import ApiClient, body


def _rows(job: dict[str, Any]) -> list[dict[str, str]]:
    key = urlparse(job["download_url"]).path.split(f"{settings.export_bucket}/", 1)[-1].lstrip("/")
    text = aws.client("s3").get_object(Bucket=settings.export_bucket, Key=key)["Body"].read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","))


def test_a_segments_members_are_exported_through_an_export_job(client: ApiClient) -> None:
    company = signup(client, company="Segment export florist", country="US")
    owner = company.owner.token
    for first, tags in (("Anna", ["vip"]), ("Boris", ["vip"]), ("Clara", ["retail"])):
        made = client.post("/api/v1/contacts", {"first_name": first, "tags": tags,
                                                "emails": [{"address": f"{first.lower()}@example.com"}]}, token=owner)
        assert made.status_code == 201, made.body
    segment = body(client.post("/api/v1/segments", {"name": "VIP", "conditions": [{"type": "tag_has", "value": "vip"}]},
                               token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment["id"])
    with bind(ctx):
        stored_before = storage.stored(ctx)

    answer = client.post("/api/v1/exports", {"entity": "contact", "filters": {"segment": segment["id"]}}, token=owner)
    assert answer.status_code == 202, answer.body
    job = body(answer)
    assert job["status"] == "done" and job["rows"] == 2 and job["filters"] == {"segment": segment["id"]}
    assert sorted(row["First name"] for row in _rows(job)) == ["Anna", "Boris"]
    again = body(client.get(f"/api/v1/exports/{job['id']}", token=owner))
    assert again["download_url"] and again["rows"] == 2
    audit = body(client.get("/api/v1/audit?entity=export", token=owner))
    assert any(item["entity_id"] == job["id"] for item in audit["items"])
    with bind(ctx):
        assert storage.stored(ctx).short_lived > stored_before.short_lived  # the file counts in the plan's storage

    for filters in ({"segment": segment["id"], "tag": "vip"}, {"segment": "not-an-id"}):
        refused = client.post("/api/v1/exports", {"entity": "contact", "filters": filters}, token=owner)
        assert refused.status_code == 422, refused.body
    other = signup(client, company="Segment export thief")
    stolen = client.post("/api/v1/exports", {"entity": "contact", "filters": {"segment": segment["id"]}},
                         token=other.owner.token)
    assert stolen.status_code == 404, stolen.body
    assert client.get(f"/api/v1/exports/{job['id']}", token=other.owner.token).status_code == 404
