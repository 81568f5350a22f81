"""Running imports: rows created once each, progress checkpointed, resumed after a crash, leases honoured.

The contacts domain's writes are replaced by tests.dataio.fakes (same semantics) so the job machinery
is tested on its own; test_with_contacts.py runs the real thing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import aws, db, tenancy
from chalicelib.core.config import settings
from chalicelib.dataio import importing, jobs, queue, targets
from chalicelib.dataio.models import ImportJob
from chalicelib.identity import service as identity_service
from tests.dataio.fakes import Crash, FakeContacts
from tests.factories import Company, add_member, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeContacts]:
    target = FakeContacts()
    monkeypatch.setitem(targets.TARGETS, "contact", target)
    yield target


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Jobs Inc", country="RU")
    add_member(client, company, role="agent", name="agent")
    return company


def ctx_of(company: Company) -> tenancy.TenantContext:
    return tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id)


def rows_csv(count: int, *, start: int = 0) -> str:
    lines = ["Имя,Фамилия,Телефон,Email"]
    for n in range(start, start + count):
        phone = f"+7 999 {n // 10000 % 1000:03d} {n % 10000:04d}" if n % 5 else ""  # every 5th row: name only
        lines.append(f"Имя{n},Фамилия{n},{phone},user{n}@example.ru" if n % 5 else f"Имя{n},Фамилия{n},,")
    return "\n".join(lines) + "\n"


def started(client: ApiClient, company: Company, text: str, token: str | None = None) -> dict[str, Any]:
    token = token or company.owner.token
    job = body(upload(client, token, text))
    response = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert response.status_code == 202, response.body
    return body(response)


def job_of(client: ApiClient, company: Company, import_id: str) -> dict[str, Any]:
    return body(client.get(f"/api/v1/imports/{import_id}", token=company.owner.token))


def test_an_import_creates_each_valid_row_once(client: ApiClient, company: Company, fake: FakeContacts) -> None:
    text = ("Name,Phone,Email\nAnna Smith,+7 999 200 00 01,anna@example.ru\nBad Mail,,bad@\n"
            "Anna Twin,+7 (999) 200-00-01,\nBob Brown,,bob@example.ru\n")
    job = started(client, company, text)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=30) == "done"
    done = job_of(client, company, job["id"])
    assert done["status"] == "done" and done["finished_at"]
    progress = done["progress"]
    assert (progress["processed"], progress["created"], progress["duplicates"], progress["failed"]) == (4, 2, 1, 1)
    assert [(e["row"], e["field"]) for e in progress["errors"]] == [(3, "email")]
    assert progress["duplicate_rows"][0]["row"] == 4
    created = {r.record_id for r in fake.of(company.tenant_id)}
    assert {importing.record_id(job["id"], 2), importing.record_id(job["id"], 5)} <= created
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=30) == "skipped"  # finished jobs stay so


def test_a_crash_mid_chunk_resumes_without_duplicates_or_half_rows(client: ApiClient, company: Company,
                                                                   fake: FakeContacts) -> None:
    job = started(client, company, rows_csv(250, start=1000))
    fake.crash_on_create = 151  # dies in the second chunk, after 50 of its rows were written
    with pytest.raises(Crash):
        jobs.run_job("import", company.tenant_id, job["id"], seconds=60)
    crashed = job_of(client, company, job["id"])
    assert crashed["status"] == "running" and crashed["progress"]["processed"] == 100  # the last checkpoint
    # the crashed run's lease still holds the job ...
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "busy"
    # ... until it expires
    fake.crash_on_create = None
    later = lambda: db.utcnow() + timedelta(minutes=5)  # noqa: E731
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60, now=later) == "done"
    progress = job_of(client, company, job["id"])["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (250, 0, 0)
    mine = [r for r in fake.of(company.tenant_id) if r.first_name and r.first_name.startswith("Имя1")]
    ids = [r.record_id for r in mine]
    assert len(ids) == len(set(ids)) == 250
    assert all(r.first_name and r.last_name for r in mine)  # every row whole


def test_tiny_budgets_still_make_progress_and_never_repeat_rows(client: ApiClient, company: Company,
                                                                fake: FakeContacts) -> None:
    job = started(client, company, rows_csv(12, start=5000))
    runs = 0
    while job_of(client, company, job["id"])["status"] != "done":
        jobs.run_job("import", company.tenant_id, job["id"], seconds=0.0)
        runs += 1
        assert runs <= 12
    assert runs > 1
    progress = job_of(client, company, job["id"])["progress"]
    assert (progress["created"], fake.creates) == (12, 12)


def test_run_pending_and_the_scheduled_handler(client: ApiClient, company: Company, fake: FakeContacts) -> None:
    first = started(client, company, rows_csv(3, start=7000))
    second = started(client, company, rows_csv(3, start=7100))

    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return 40_000

    class Event:
        context = Context()

    outcomes = jobs.scheduled_import_tick(Event())
    assert outcomes.get("done", 0) >= 2
    assert {job_of(client, company, first["id"])["status"], job_of(client, company, second["id"])["status"]} == {
        "done"}
    assert not [entry for entry in queue.queued() if entry.tenant_id == company.tenant_id]


def test_an_expired_upload_fails_the_job(client: ApiClient, company: Company, fake: FakeContacts) -> None:
    job = started(client, company, rows_csv(2, start=8000))
    aws.client("s3").delete_object(Bucket=settings.export_bucket, Key=f"imports/{company.tenant_id}/{job['id']}")
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=10) == "failed"
    failed = job_of(client, company, job["id"])
    assert failed["status"] == "failed" and "expired" in failed["failure"]


def test_a_deactivated_starter_stops_the_job(client: ApiClient, company: Company, fake: FakeContacts) -> None:
    agent = add_member(client, company, role="agent", name="leaver")
    job = started(client, company, rows_csv(2, start=9000), token=agent.token)
    client.post(f"/api/v1/users/{agent.user_id}/deactivate", token=company.owner.token)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=10) == "failed"
    assert fake.creates == 0
    assert "no longer active" in job_of(client, company, job["id"])["failure"]


def test_records_get_the_rights_of_whoever_started_the_import(client: ApiClient, company: Company,
                                                              fake: FakeContacts) -> None:
    agent = company.members["agent"]
    job = started(client, company, rows_csv(1, start=9500), token=agent.token)
    jobs.run_job("import", company.tenant_id, job["id"], seconds=10)
    owners = {r.owner_id for r in fake.of(company.tenant_id) if r.first_name == "Имя9500"}
    assert owners == {agent.user_id}


def test_ten_thousand_rows(client: ApiClient, app: Any, fake: FakeContacts) -> None:
    company = signup(client, company="Big Import", country="RU")
    began = time.monotonic()
    job = started(client, company, rows_csv(10_000))
    uploaded = time.monotonic()
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=300) == "done"
    finished = time.monotonic()
    progress = job_of(client, company, job["id"])["progress"]
    assert (progress["processed"], progress["created"], progress["failed"]) == (10_000, 10_000, 0)
    with tenancy.bind(ctx_of(company)):
        stored = ImportJob.get(queue.jobs_pk(ctx_of(company), "import"), job["id"])
        assert stored.total_rows == 10_000 and stored.gsi2pk is None
        assert identity_service.get_tenant(ctx_of(company)) is not None
    print(f"10,000 rows: upload+preview {uploaded - began:.1f}s, import {finished - uploaded:.1f}s")
    assert finished - began < 60
