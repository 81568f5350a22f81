"""The owner's export: queued, built by the job into the export bucket, fetched through a 15-minute link."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from botocore.exceptions import ClientError

from chalicelib.core import aws, crypto
from chalicelib.core.config import settings
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import jobs
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.tenantdata import sealed_probe


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Export Ltd")
    add_member(client, company, role="admin", name="exportadmin")
    client.post("/api/v1/teams", {"name": "Export team"}, token=company.owner.token)
    return company


def archive_of(export_id: str, tenant_id: str) -> zipfile.ZipFile:
    answer = aws.client("s3").get_object(Bucket=settings.export_bucket, Key=f"exports/{tenant_id}/{export_id}.zip")
    assert answer["ServerSideEncryption"] == "aws:kms"
    return zipfile.ZipFile(io.BytesIO(answer["Body"].read()))


def lines(bundle: zipfile.ZipFile, kind: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in bundle.read(f"items/{kind}.jsonl").decode().splitlines()]


def run_jobs() -> jobs.TickReport:
    return jobs.run_pending(60)


def test_an_export_is_queued_built_and_downloaded(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    vault_id = sealed_probe.put_vault(system_context(company.tenant_id), secret="IBAN DE02 1203",
                                      custom={"passport": "4509 123456"})
    requested = client.post("/api/v1/tenant/export", token=owner)
    assert requested.status_code == 202
    export = body(requested)
    assert export["status"] == "pending" and export["download_url"] is None
    assert body(client.post("/api/v1/tenant/export", token=owner))["id"] == export["id"]  # one open export at a time
    assert export["id"] in run_jobs().exports_done
    done = body(client.get(f"/api/v1/tenant/export/{export['id']}", token=owner))
    assert done["status"] == "done" and done["counts"]["user"] == 2 and done["counts"]["team"] == 1
    link = urlparse(done["download_url"])
    assert link.path.endswith(f"/exports/{company.tenant_id}/{export['id']}.zip")
    assert parse_qs(link.query)["X-Amz-Expires"] == ["900"]
    bundle = archive_of(export["id"], company.tenant_id)
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["tenant_id"] == company.tenant_id and manifest["sealed_values"] == 2
    vault = lines(bundle, "probe_vault")[0]
    assert vault["item"]["secret"] == {"S": "IBAN DE02 1203"}
    assert json.loads(vault["item"]["custom"]["S"]) == {"passport": "4509 123456"}
    assert {(e["attribute"], e["key"], e["field"], e["record_id"]) for e in vault["sealed"]} == {
        ("secret", None, "secret", vault_id), ("custom", "passport", "custom.passport", vault_id)}
    assert vault["item"]["tags"] == {"SS": ["a", "b"]} and vault["item"]["score"] == {"N": "42"}


def test_credentials_sessions_and_keys_stay_out(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    assert client.post("/api/v1/auth/totp/setup", token=owner).status_code == 200
    export = body(client.post("/api/v1/tenant/export", token=owner))
    run_jobs()
    bundle = archive_of(export["id"], company.tenant_id)
    names = set(bundle.namelist())
    for kind in ("session", "tenant_key", "email_login", "tenant_export"):
        assert f"items/{kind}.jsonl" not in names
    for user in lines(bundle, "user"):
        assert not {"password_hash", "totp_secret", "totp_enabled"} & set(user["item"])
    assert "items/audit.jsonl" in names and "items/tenant.jsonl" in names


def test_handing_out_a_link_is_a_recorded_read(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    export = body(client.post("/api/v1/tenant/export", token=owner))
    run_jobs()
    client.get(f"/api/v1/tenant/export/{export['id']}", token=owner)
    reads = body(client.get("/api/v1/audit/reads?entity=tenant_export", token=owner))["items"]
    assert [(r["entity_id"], r["field"], r["actor_id"]) for r in reads] == [
        (export["id"], "download_link", company.owner.user_id)]
    trail = body(client.get(f"/api/v1/audit?entity=tenant_export&entity_id={export['id']}", token=owner))["items"]
    assert [r["action"] for r in trail] == ["done", "request"]


def test_only_the_owner_exports(client: ApiClient, company: Company) -> None:
    admin = company.members["exportadmin"]
    assert client.post("/api/v1/tenant/export", token=admin.token).status_code == 403
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    assert client.get(f"/api/v1/tenant/export/{export['id']}", token=admin.token).status_code == 403
    assert client.get("/api/v1/tenant/export/01HZZZZZZZZZZZZZZZZZZZZZZZ",
                      token=company.owner.token).status_code == 404


def test_an_undeclared_sealed_value_fails_the_export(client: ApiClient, company: Company) -> None:
    sealed_probe.put_vault(system_context(company.tenant_id), secret="x", custom={}, kind=sealed_probe.UNDECLARED)
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    assert export["id"] in run_jobs().exports_failed
    failed = body(client.get(f"/api/v1/tenant/export/{export['id']}", token=company.owner.token))
    assert failed["status"] == "failed" and failed["error"] == "UndeclaredSealedValueError"
    assert failed["download_url"] is None


def test_a_passing_outage_is_retried_by_the_next_tick(client: ApiClient, company: Company) -> None:
    sealed_probe.put_vault(system_context(company.tenant_id), secret="s", custom={})
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    crypto.clear_cache()
    kms = aws.client("kms")

    def throttled(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Decrypt")

    kms.meta.events.register("before-call.kms.Decrypt", throttled)
    try:
        assert export["id"] in run_jobs().exports_retrying
    finally:
        kms.meta.events.unregister("before-call.kms.Decrypt", throttled)
    assert body(client.get(f"/api/v1/tenant/export/{export['id']}", token=company.owner.token))["status"] == "pending"
    assert export["id"] in run_jobs().exports_done


def test_another_tenants_export_is_404_and_leaks_nothing(client: ApiClient, company: Company) -> None:
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    run_jobs()
    other = signup(client, company="Curious Ltd")
    response = client.get(f"/api/v1/tenant/export/{export['id']}", token=other.owner.token)
    assert response.status_code == 404
    assert company.tenant_id not in response.body.decode() and "X-Amz" not in response.body.decode()
    own = body(client.post("/api/v1/tenant/export", token=other.owner.token))
    assert own["id"] != export["id"]


def test_a_job_interrupted_while_running_is_taken_again(client: ApiClient, company: Company) -> None:
    from datetime import timedelta

    from chalicelib.core import db
    from chalicelib.core.tenancy import bind
    from chalicelib.tenantdata import service
    from chalicelib.tenantdata.models import TenantExport

    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        job = db.get(ctx, TenantExport, service.exports_pk(ctx), export["id"])
        assert job is not None
        job.status, job.started_at = "running", db.utcnow()
        db.commit(ctx, db.Change().save(job))
    assert export["id"] not in run_jobs().exports_done  # running elsewhere: left alone
    with bind(ctx):
        job = db.get(ctx, TenantExport, service.exports_pk(ctx), export["id"])
        assert job is not None
        job.started_at = db.utcnow() - jobs.STALE_AFTER - timedelta(minutes=1)
        db.commit(ctx, db.Change().save(job))
    report = jobs.scheduled_tick({"detail-type": "Scheduled Event"})
    assert export["id"] in report["exports_done"]
