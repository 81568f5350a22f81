"""An export cut into many scheduled ticks resumes where each stopped: nothing twice, nothing missing."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

import pytest

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from chalicelib.tenantdata import archive, checkpoint, jobs
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.tenantdata import sealed_probe

CONTACTS = 25


@pytest.fixture
def company(client: ApiClient) -> Company:
    """A tenant with many items: contacts with list rows and lookups, teams, sealed values."""
    company = signup(client, company="Checkpointed Ltd")
    owner = company.owner.token
    for number in range(CONTACTS):
        created = client.post("/api/v1/contacts", {
            "first_name": f"Person{number}", "last_name": "Many", "tags": [f"tag{number % 3}"],
            "phones": [{"number": f"+1202555{number:04d}"}], "emails": [{"address": f"p{number}@many.example"}],
            "iban": "DE89 3704 0044 0532 0130 00"}, token=owner)
        assert created.status_code == 201, created.body
    for name in ("Red", "Blue", "Green"):
        client.post("/api/v1/teams", {"name": name}, token=owner)
    sealed_probe.put_vault(system_context(company.tenant_id), secret="vault secret", custom={"k": "v"})
    return company


def files_of(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name).decode() for name in bundle.namelist()}


def single_tick_archive(tenant_id: str, export_id: str, requested_at: str) -> dict[str, str]:
    ctx = system_context(tenant_id)
    out = io.BytesIO()
    created_at = datetime.fromisoformat(requested_at.replace("Z", "+00:00")).isoformat()  # as the job writes it
    with bind(ctx):
        archive.write_archive(ctx, out, export_id=export_id, created_at=created_at)
    return files_of(out.getvalue())


def test_an_export_cut_into_many_ticks_equals_one_built_at_once(client: ApiClient, company: Company,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    jobs.run_pending()  # other tests' exports out of the queue: a tick of no time budget steps only the first
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    expected = single_tick_archive(company.tenant_id, export["id"], export["requested_at"])
    monkeypatch.setattr(checkpoint, "PART_ENTRIES", 7)
    monkeypatch.setattr(checkpoint, "PAGE_LIMIT", 3)
    ticks, paused = 0, 0
    while True:
        ticks += 1
        assert ticks < 2000, "the export makes no progress"
        report = jobs.run_pending(max_seconds=0)  # every tick stops after one step
        if export["id"] in report.exports_done:
            break
        assert export["id"] in report.exports_paused, report
        paused += 1
    assert paused > 20
    stored = aws.client("s3").get_object(Bucket=settings.export_bucket,
                                         Key=f"exports/{company.tenant_id}/{export['id']}.zip")
    built = files_of(stored["Body"].read())
    manifest = built.pop("manifest.json")
    expected_manifest = expected.pop("manifest.json")
    assert built == expected  # the same items, each once, in the same order, sealed values opened alike
    assert manifest == expected_manifest
    contacts = built["items/contact.jsonl"].splitlines()
    assert len(contacts) == CONTACTS
    assert "DE89370400440532013000" in built["items/contact.jsonl"]
    leftovers = aws.client("s3").list_objects_v2(Bucket=settings.export_bucket,
                                                 Prefix=checkpoint.work_prefix(company.tenant_id, export["id"]))
    assert leftovers.get("KeyCount", 0) == 0  # the parts held sealed values in clear: removed once combined
    done = body(client.get(f"/api/v1/tenant/export/{export['id']}", token=company.owner.token))
    assert done["status"] == "done" and done["counts"]["contact"] == CONTACTS


class LambdaTimeout(BaseException):
    """The runtime killing a run: nothing in the job catches it, as nothing can catch a real timeout."""


def test_a_run_that_dies_after_writing_a_part_repeats_it_without_duplicates(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import db
    from chalicelib.tenantdata import service
    from chalicelib.tenantdata.models import TenantExport

    jobs.run_pending()
    export = body(client.post("/api/v1/tenant/export", token=company.owner.token))
    expected = single_tick_archive(company.tenant_id, export["id"], export["requested_at"])
    monkeypatch.setattr(checkpoint, "PART_ENTRIES", 5)
    for _ in range(6):
        assert export["id"] in jobs.run_pending(max_seconds=0).exports_paused
    real_put, written = checkpoint._put, []

    def dies_before_the_checkpoint(key: str, data: bytes) -> None:
        if key.endswith("checkpoint.json"):
            raise LambdaTimeout()
        written.append(key)
        real_put(key, data)

    monkeypatch.setattr(checkpoint, "_put", dies_before_the_checkpoint)
    monkeypatch.setattr(checkpoint, "PART_ENTRIES", 1)
    with pytest.raises(LambdaTimeout):
        jobs.run_pending(max_seconds=0)
    assert any("part-" in key for key in written)  # a part was written, the checkpoint counting it was not
    monkeypatch.setattr(checkpoint, "_put", real_put)
    monkeypatch.setattr(checkpoint, "PART_ENTRIES", 5)
    ctx = system_context(company.tenant_id)
    with bind(ctx):  # the dead run's claim goes stale, as after a real timeout
        job = db.get(ctx, TenantExport, service.exports_pk(ctx), export["id"])
        assert job is not None and job.status == "running"
        job.started_at = db.utcnow() - jobs.STALE_AFTER - timedelta(minutes=1)
        db.commit(ctx, db.Change().save(job))
    for _ in range(2000):
        if export["id"] in jobs.run_pending(max_seconds=0).exports_done:
            break
    stored = aws.client("s3").get_object(Bucket=settings.export_bucket,
                                         Key=f"exports/{company.tenant_id}/{export['id']}.zip")
    built = files_of(stored["Body"].read())
    built.pop("manifest.json"), expected.pop("manifest.json")
    assert built == expected
