"""An import's and an export's customer data are sealed on the job item (#21), and a job written before reads as then.

An import keeps its file's name, columns, mapping, sample rows, problems and duplicates; an export its filters (a
search for a name). Stored, they are one token under the tenant's key bound to the job's id; a job item written in
clear before keeps answering exactly as it did, and is sealed at its next save.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import aws, crypto, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.dataio import jobs
from chalicelib.dataio.models import ImportJob
from tests.factories import Company, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

# Latin values: a JSON attribute stored in clear escapes Cyrillic ones, which a search of the item would then miss.
CSV = ("First name,Last name,Phone,Email,Quimbleton\nEvdokiya,Zarechnaya,+7 999 321-54-76,evdokiya@riverside.test,a\n"
       "Evdokiya,,,not-an-email,b\n")
CLEAR = {"filename", "headers", "mapping", "choices", "preview", "errors", "duplicates"}


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Seals Ltd", country="RU", locale="ru")


def _raw(company: Company, partition: str, job_id: str) -> dict[str, Any]:
    with bind(TenantContext(tenant_id=company.tenant_id)):
        found = aws.client("dynamodb").get_item(TableName=settings.table_name, ConsistentRead=True, Key={
            "pk": {"S": f"T#{company.tenant_id}#{partition}"}, "sk": {"S": job_id}})
    return dict(found["Item"])


def _write_in_clear(company: Company, item: dict[str, Any]) -> dict[str, Any]:
    """The job item as a release before the seal wrote it: the same attributes, in clear, no token."""
    with bind(TenantContext(tenant_id=company.tenant_id)):
        clear = db.open_personal(item)
        aws.client("dynamodb").put_item(TableName=settings.table_name, Item=clear)
    return clear


def test_an_imports_file_and_rows_are_sealed_and_read_back(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    made = upload(client, token, CSV, filename="clients_Zarechnaya.csv")
    assert made.status_code == 201, made.body
    job = body(made)
    stored = _raw(company, "IMPORT", job["id"])
    assert not CLEAR & set(stored) and crypto.PERSONAL_FIELD in stored
    assert "Evdokiya" not in str(stored) and "Zarechnaya" not in str(stored) and "Quimbleton" not in str(stored)
    assert (stored["status"], stored["total_rows"]) == ({"S": "preview"}, {"N": "2"})  # what is listed stays clear
    read = body(client.get(f"/api/v1/imports/{job['id']}", token=token))
    assert read == job
    assert read["filename"] == "clients_Zarechnaya.csv" and read["columns"][-1] == "Quimbleton"
    assert read["preview"]["sample"][0]["last_name"] == "Zarechnaya" and read["preview"]["invalid"] == 1


def test_an_import_written_in_clear_reads_as_before_and_is_sealed_at_its_next_save(client: ApiClient,
                                                                                    company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, CSV, filename="oldfile_Quimby.csv"))
    clear = _write_in_clear(company, _raw(company, "IMPORT", job["id"]))
    assert "Zarechnaya" in str(clear) and crypto.PERSONAL_FIELD not in clear
    assert body(client.get(f"/api/v1/imports/{job['id']}", token=token)) == job
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    done = body(client.get(f"/api/v1/imports/{job['id']}", token=token))
    assert (done["filename"], done["preview"], done["progress"]["failed"]) == ("oldfile_Quimby.csv", job["preview"], 1)
    assert [e["row"] for e in done["progress"]["errors"]] == [3]
    listed = body(client.get("/api/v1/imports", token=token))["items"]
    assert [row["filename"] for row in listed if row["id"] == job["id"]] == ["oldfile_Quimby.csv"]
    stored = _raw(company, "IMPORT", job["id"])
    assert not CLEAR & set(stored) and "Zarechnaya" not in str(stored) and "oldfile_Quimby" not in str(stored)


def test_an_exports_filters_are_sealed_and_one_written_in_clear_reads_as_before(client: ApiClient,
                                                                                company: Company) -> None:
    token = company.owner.token
    asked = client.post("/api/v1/exports", {"entity": "contact", "format": "csv", "filters": {"q": "Zarechnaya"}},
                        token=token)
    assert asked.status_code == 202, asked.body
    export = body(asked)
    stored = _raw(company, "EXPORT", export["id"])
    assert "filters" not in stored and "Zarechnaya" not in str(stored) and crypto.PERSONAL_FIELD in stored
    assert body(client.get(f"/api/v1/exports/{export['id']}", token=token))["filters"] == {"q": "Zarechnaya"}
    clear = _write_in_clear(company, stored)
    assert "Zarechnaya" in str(clear)
    again = body(client.get(f"/api/v1/exports/{export['id']}", token=token))
    assert {k: v for k, v in again.items() if not k.startswith("download_")} == \
        {k: v for k, v in export.items() if not k.startswith("download_")}


def test_a_jobs_token_opens_only_on_its_own_job(client: ApiClient, company: Company) -> None:
    # All of a tenant's imports share one partition: the token is bound to the import's id, not to the partition.
    token = company.owner.token
    first, second = (body(upload(client, token, CSV, filename=f"{n}.csv")) for n in ("one", "two"))
    moved = {**_raw(company, "IMPORT", second["id"]),
             crypto.PERSONAL_FIELD: _raw(company, "IMPORT", first["id"])[crypto.PERSONAL_FIELD]}
    with bind(TenantContext(tenant_id=company.tenant_id)), pytest.raises(crypto.DecryptionError):
        ImportJob.from_raw_data(moved)


def test_the_scheduler_finds_queued_jobs_without_opening_them(client: ApiClient, company: Company) -> None:
    # One tenant's key out of reach (a KMS outage, a key shredded before the purge) must not stop every tenant's jobs.
    from chalicelib.dataio import queue

    token = company.owner.token
    job, other = (body(upload(client, token, CSV, filename=f"{n}.csv")) for n in ("queued", "other"))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    stored = _raw(company, "IMPORT", job["id"])
    unopenable = {**stored, crypto.PERSONAL_FIELD: _raw(company, "IMPORT", other["id"])[crypto.PERSONAL_FIELD]}
    try:
        with bind(TenantContext(tenant_id=company.tenant_id)):
            aws.client("dynamodb").put_item(TableName=settings.table_name, Item=unopenable)
        [entry] = [entry for entry in queue.queued() if queue.job_id(entry) == job["id"]]
        assert (queue.kind_of(entry), entry.tenant_id) == ("import", company.tenant_id)
    finally:
        with bind(TenantContext(tenant_id=company.tenant_id)):
            aws.client("dynamodb").put_item(TableName=settings.table_name, Item=stored)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
