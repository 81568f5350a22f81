"""Import and export jobs written in clear before their customer data was sealed are sealed by the hourly
housekeeping tick, once: a finished job is never saved again and nothing expires it, so it would otherwise keep its
file's name, sample rows, problems and an export's search in clear for as long as the import history lists it. The
Data screen reads them exactly as before; a job saved meanwhile sealed itself."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.core import aws, crypto, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.dataio import jobs
from chalicelib.dataio.models import ImportJob
from chalicelib.housekeeping import sealed_jobs
from chalicelib.housekeeping.models import TenantPass
from tests.billing import helpers
from tests.dataio.test_sealed_jobs import _raw  # the job's item as stored
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket, upload
from tests.support import ApiClient, body

CSV = ("First name,Last name,Phone,Email\nEvdokiya,Zarechnaya,+7 999 321-54-76,evdokiya@riverside.test\n"
       "Evdokiya,,,not-an-email\n")
CLEAR = {"IMPORT": {"filename", "headers", "mapping", "choices", "preview", "errors", "duplicates"},
         "EXPORT": {"filters"}}  # an export's file name is the CRM's own


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    ensure_bucket()
    return signup(ApiClient(app), company="Old Jobs Ltd", country="RU", locale="ru")


def _written_in_clear(company: Company, partition: str, job_id: str) -> None:
    """The job item as a release before the seal wrote it: the same attributes, in clear, no token."""
    with bind(TenantContext(tenant_id=company.tenant_id)):
        aws.client("dynamodb").put_item(TableName=settings.table_name,
                                        Item=db.open_personal(_raw(company, partition, job_id)))
    assert crypto.PERSONAL_FIELD not in _raw(company, partition, job_id)


def _from(company: Company) -> None:
    """Start the pass at this company in the tenants' index (the worker's other tenants are not this test's)."""
    tenant = helpers.tenant(company)
    TenantPass(sealed_jobs.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()


def _sealed(partition: str, stored: dict[str, Any]) -> bool:
    return crypto.PERSONAL_FIELD in stored and not CLEAR[partition] & set(stored) and "Zarechnaya" not in str(stored)


def test_the_tick_seals_older_finished_imports_and_exports_once(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    finished = body(upload(client, token, CSV, filename="clients_Zarechnaya.csv"))
    assert client.post(f"/api/v1/imports/{finished['id']}/start", {"version": finished["version"]},
                       token=token).status_code == 202
    assert jobs.run_job("import", company.tenant_id, finished["id"], seconds=120) == "done"
    done = body(client.get(f"/api/v1/imports/{finished['id']}", token=token))
    previewed = body(upload(client, token, CSV, filename="preview_Zarechnaya.csv"))
    export = body(client.post("/api/v1/exports", {"entity": "contact", "format": "csv",
                                                  "filters": {"q": "Zarechnaya"}}, token=token))
    newer = body(upload(client, token, CSV, filename="sealed_already.csv"))  # sealed by its own write
    for partition, job in (("IMPORT", finished), ("IMPORT", previewed), ("EXPORT", export)):
        _written_in_clear(company, partition, job["id"])
    assert "Zarechnaya" in str(_raw(company, "IMPORT", finished["id"]))
    _from(company)

    assert sealed_jobs.run(deadline=time.monotonic() + 600) == 3
    assert TenantPass.get(sealed_jobs.STATE_PK, "STATE", consistent_read=True).done
    for partition, job in (("IMPORT", finished), ("IMPORT", previewed), ("EXPORT", export), ("IMPORT", newer)):
        assert _sealed(partition, _raw(company, partition, job["id"])), partition
    assert body(client.get(f"/api/v1/imports/{finished['id']}", token=token)) == done  # read as before, same version
    assert body(client.get(f"/api/v1/exports/{export['id']}", token=token))["filters"] == {"q": "Zarechnaya"}
    started = client.post(f"/api/v1/imports/{previewed['id']}/start", {"version": previewed["version"]}, token=token)
    assert started.status_code == 202, started.body  # the screen's version still holds
    assert sealed_jobs.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more
    _from(company)
    assert sealed_jobs.run(deadline=time.monotonic() + 600) == 0  # walked again: nothing left in clear


def test_a_job_saved_since_the_pass_read_it_keeps_its_own_seal(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, CSV, filename="moving_Zarechnaya.csv"))
    _written_in_clear(company, "IMPORT", job["id"])
    with bind(TenantContext(tenant_id=company.tenant_id)):
        read = ImportJob.from_raw_data(_raw(company, "IMPORT", job["id"]))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    stored = _raw(company, "IMPORT", job["id"])
    assert _sealed("IMPORT", stored)
    with bind(TenantContext(tenant_id=company.tenant_id)):
        assert sealed_jobs.seal(read) is False  # the stale read would put the preview's status back
    assert _raw(company, "IMPORT", job["id"]) == stored
