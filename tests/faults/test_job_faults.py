"""The scheduled and queued jobs under throttled DynamoDB and failing KMS (issue #8, the job write paths).

Each job finds realistic work made through the public API, runs once under the fault and once after it:
under the fault it must not crash its Lambda where the design says it pauses (an import answers "paused",
a tenant export goes back to the queue, a purge or a failed webhook event waits for the next run), leave
nothing half-written (a job's checkpoint never runs ahead of what it wrote; no contact without its list
rows) and lose nothing; after it, the work completes exactly once (no duplicates, nothing missing).

The faults are ``failing`` of test_every_write.py (raised where every botocore client's call begins, as a
throttle that outlasts botocore's retries looks to the caller). Besides every DynamoDB write at once, a
throttle on transactions (or batches) alone is run where a job writes its records and its progress with
different requests: DynamoDB throttles request by request, and a transaction costs twice the capacity.
``Onset`` starts a fault partway through a run (after some rows, a stored page, a made lead, a built
archive), where a job has written part of its work. The jobs are driven through what their handlers in
app.py call (``run_pending``, ``scheduled_tick``, ``queued_events``; the due run restricted to one kind:
``retry_due``, ``purge_due``, the closing of calls whose end never came), with a later clock where a lease or
a grace period must pass; each global queue is narrowed to this file's tenants.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import pytest

from chalicelib.contacts import service as contacts_service
from chalicelib.core import aws, crypto, db, tenancy
from chalicelib.core.config import settings
from chalicelib.dataio import exporting, importing
from chalicelib.dataio import jobs as dataio_jobs
from chalicelib.dataio import queue as dataio_queue
from chalicelib.dataio import storage as dataio_storage
from chalicelib.dataio.models import ExportJob
from chalicelib.due import service as due
from chalicelib.housekeeping import service as housekeeping
from chalicelib.inbox import jobs as inbox_jobs
from chalicelib.inbox import pipeline
from chalicelib.records import timeline as timeline_service
from chalicelib.tenantdata import checkpoint as tenantdata_checkpoint
from chalicelib.tenantdata import jobs as tenantdata_jobs
from chalicelib.tenantdata import purge
from tests.dataio.test_exports import csv_rows
from tests.dataio.test_jobs import job_of, started
from tests.factories import Company, signup
from tests.faults import jobs_world as world
from tests.faults.snapshots import Key, Watched, changed
from tests.faults.test_every_write import FAULTED, failing
from tests.integrations.helpers import create_form, events, post_form
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

DYNAMODB_WRITES = FAULTED["dynamodb"]  # TransactWriteItems, PutItem, UpdateItem, DeleteItem, BatchWriteItem
KMS_CALLS = frozenset({"Decrypt", "GenerateDataKey"})
LEAD = {"name": "Vera Fault", "phone": "+12025550188", "email": "vera@fault.example", "message": "Call me"}


class Fault(NamedTuple):
    service: str
    operations: frozenset[str]
    code: str


THROUGHPUT = Fault("dynamodb", DYNAMODB_WRITES, "ProvisionedThroughputExceededException")
THROTTLED = Fault("dynamodb", DYNAMODB_WRITES, "ThrottlingException")
TRANSACTIONS = Fault("dynamodb", frozenset({"TransactWriteItems"}), "ProvisionedThroughputExceededException")
BATCHES = Fault("dynamodb", frozenset({"BatchWriteItem"}), "ProvisionedThroughputExceededException")
KMS = Fault("kms", KMS_CALLS, "ThrottlingException")


def case(fault: Fault, name: str) -> Any:
    """A parameter of a job's test, named for its fault."""
    return pytest.param(fault, id=name)


# What a job whose writes are transactions meets: throttled writes, throttled or cancelled transactions, a failing KMS.
TRANSACTIONAL_FAULTS = [
    case(THROUGHPUT, "dynamodb-throughput"),
    case(THROTTLED, "dynamodb-throttling"),
    case(TRANSACTIONS, "dynamodb-transactions"),
    case(KMS, "kms-throttling"),
]


@pytest.fixture(scope="module")
def watched(app: Any) -> Watched:
    """The table as the cases compare it (earlier modules' tenants left out)."""
    ensure_bucket()
    return Watched()


class Run(NamedTuple):
    answer: Any  # what the job returned
    calls: list[str]  # the faulted calls it made
    written: list[Key]  # the items it changed


def under(fault: Fault, watched: Watched, job: Callable[[], Any]) -> Run:
    """Run the job once under the fault (an unhandled exception fails the case: the Lambda crashed)."""
    crypto.clear_cache()  # a warm key cache would spare KMS the call the fault is about
    before = watched.snapshot()
    with failing(fault.service, fault.operations, fault.code) as calls:
        answer = job()
    return Run(answer, calls, changed(before, watched.snapshot()))


class Onset:
    """A fault that begins partway through a run (when ``begin`` is first called) and lasts until the run ends:
    a throttle does not lift between a job's record writes and its checkpoint."""

    def __init__(self, fault: Fault) -> None:
        self.fault, self.stack = fault, ExitStack()
        self.calls: list[str] | None = None  # the faulted calls, once begun

    def begin(self) -> None:
        if self.calls is None:
            crypto.clear_cache()
            self.calls = self.stack.enter_context(failing(*self.fault))

    def __enter__(self) -> Onset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


def later(minutes: float) -> Callable[[], datetime]:
    """A clock minutes ahead: the next tick, once the faulted run's lease has expired."""
    moment = db.utcnow() + timedelta(minutes=minutes)
    return lambda: moment


def _dataio_queue_of(monkeypatch: pytest.MonkeyPatch, company: Company) -> None:
    world.only_ours(monkeypatch, dataio_queue, "queued", lambda entry: entry.tenant_id, {company.tenant_id},
                    limit=1000)


def _tenant_data_queues_of(monkeypatch: pytest.MonkeyPatch, company: Company) -> None:
    world.only_ours(monkeypatch, tenantdata_jobs, "queued_exports", lambda found: found[0], {company.tenant_id})
    world.only_ours(monkeypatch, purge, "due", lambda tenant_id: tenant_id, {company.tenant_id})


def _due_timers_of(monkeypatch: pytest.MonkeyPatch, company: Company) -> None:
    """The due run's Queries answer only this company's timers. An hour's shard that holds none of them is answered
    empty without its Query (its timers read from the embedded table's items, unseen by the faults, which are on
    writes and KMS): a run 31 days on walks 48 hours of 8 shards, 392 Queries of other tenants' timers or none,
    twice a case, which were a third of this file's CPU. The shards that hold one are queried as before."""
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    real = due.due_in

    def holds_ours(hour: str, shard: int, now: datetime) -> list[Any]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[settings.table_name]
        feed = DynamoType({"S": due.feed_key(hour, shard)})
        timers = table.items.get(DynamoType({"S": due.timers_pk(ctx)}), {})
        if not any(item.attrs.get("gsi1pk") == feed for item in list(timers.values())):
            return []
        return real(hour, shard, now)

    monkeypatch.setattr(due, "due_in", holds_ours)
    world.only_ours(monkeypatch, due, "due_in", lambda timer: timer.pk.split("#")[1], {company.tenant_id})


# -- dataio_jobs: imports ---------------------------------------------------------------------

IMPORT_ROWS = 6


@pytest.mark.parametrize("fault", TRANSACTIONAL_FAULTS)
def test_an_import_pauses_and_resumes_creating_each_row_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Import Fault", country="US")
    job = started(client, company, world.import_csv(IMPORT_ROWS))
    _dataio_queue_of(monkeypatch, company)
    rows = {importing.record_id(job["id"], n + 2) for n in range(IMPORT_ROWS)}  # data rows are lines 2..

    run = under(fault, watched, lambda: dataio_jobs.run_pending(30))
    assert run.calls, "the import never met the fault"
    # stopped, not failed, not done: "paused" when its checkpoint failed too, else "running" (progress saved)
    assert run.answer in ({"paused": 1}, {"running": 1}), run.answer
    paused = job_of(client, company, job["id"])
    progress = paused["progress"]
    assert paused["status"] in ("queued", "running") and progress["failed"] == 0, paused
    made = world.stored_contacts(watched.snapshot(), company.tenant_id)
    assert made <= rows and len(made) == progress["created"] == progress["processed"]  # checkpoint == contacts
    assert {c["id"] for c in world.listed_contacts(client, company)} == made  # each with its list rows
    jobs_pk = dataio_queue.jobs_pk(tenancy.TenantContext(tenant_id=company.tenant_id), "import")
    assert set(run.written) <= {(jobs_pk, job["id"])}, run.written  # its first row met the fault: only progress

    assert dataio_jobs.run_pending(30, now=later(5)) == {"done": 1}
    done = job_of(client, company, job["id"])["progress"]
    assert (done["created"], done["duplicates"], done["failed"]) == (IMPORT_ROWS, 0, 0), done
    listed = world.listed_contacts(client, company)
    assert sorted(c["id"] for c in listed) == sorted(rows)  # every row once, under its own id
    assert world.stored_contacts(watched.snapshot(), company.tenant_id) == rows
    one = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 2)}?reveal=passport_number",
                          token=company.owner.token))
    assert one["passport_number"] == "P7000000" and one["phones"][0]["number"] == "+12025550100"


@pytest.mark.parametrize("onset_at", ["fourth-row", "finish"])
def test_an_import_throttled_mid_run_never_checkpoints_past_its_contacts(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, onset_at: str) -> None:
    company = signup(client, company="Import Mid Fault", country="US")
    job = started(client, company, world.import_csv(IMPORT_ROWS))
    _dataio_queue_of(monkeypatch, company)
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)  # a checkpoint every two rows
    rows = [importing.record_id(job["id"], n + 2) for n in range(IMPORT_ROWS)]
    real_row, real_finish = importing.import_row, dataio_queue.finish

    with Onset(THROUGHPUT) as onset:
        def row(*args: Any, **kwargs: Any) -> Any:
            if onset_at == "fourth-row" and args[3] == 3:  # row index 3 meets the throttle, and all that follows
                onset.begin()
            return real_row(*args, **kwargs)

        def finish(*args: Any, **kwargs: Any) -> None:
            onset.begin()  # every row is written; the job's last record meets the throttle
            real_finish(*args, **kwargs)

        monkeypatch.setattr(importing, "import_row", row)
        monkeypatch.setattr(dataio_queue, "finish", finish)
        answer = dataio_jobs.run_pending(30)
    monkeypatch.setattr(importing, "import_row", real_row)
    monkeypatch.setattr(dataio_queue, "finish", real_finish)
    assert onset.calls and answer == {"paused": 1}, answer
    paused = job_of(client, company, job["id"])
    made = world.stored_contacts(watched.snapshot(), company.tenant_id)
    assert made == set(rows[:3] if onset_at == "fourth-row" else rows), made  # the rows before it, whole
    assert {c["id"] for c in world.listed_contacts(client, company)} == made
    progress = paused["progress"]
    assert paused["status"] == "running" and progress["created"] == progress["processed"]
    assert progress["processed"] == (2 if onset_at == "fourth-row" else IMPORT_ROWS)  # its last checkpoint
    assert progress["processed"] <= len(made)  # never ahead of the contacts written

    assert dataio_jobs.run_pending(30, now=later(5)) == {"done": 1}
    done = job_of(client, company, job["id"])["progress"]
    assert (done["processed"], done["created"], done["duplicates"], done["failed"]) == (IMPORT_ROWS, IMPORT_ROWS, 0, 0)
    assert sorted(c["id"] for c in world.listed_contacts(client, company)) == sorted(rows)


# -- dataio_jobs: exports ---------------------------------------------------------------------


def _contacts_to_export(client: ApiClient, company: Company) -> set[str]:
    made = set()
    extras: list[dict[str, Any]] = [{"passport_number": "P1234567"}, {}, {"tags": ["vip"]}]
    for n, extra in enumerate(extras):
        response = client.post("/api/v1/contacts", {"first_name": f"Export{n}", "last_name": "Fault",
                                                    "phones": [{"number": f"+1202555017{n}"}], **extra},
                               token=company.owner.token)
        assert response.status_code == 201, response.body
        made.add(body(response)["id"])
    return made


def _pages(company: Company, export_id: str) -> int:
    found = aws.client("s3").list_objects_v2(Bucket=settings.export_bucket,
                                             Prefix=f"exports/{company.tenant_id}/{export_id}/pages/")
    return int(found.get("KeyCount", 0))


@pytest.mark.parametrize("fault", [
    case(THROUGHPUT, "dynamodb-throughput"),
    case(THROTTLED, "dynamodb-throttling"),
    case(KMS, "kms-throttling"),
])
def test_an_export_pauses_and_resumes_writing_each_record_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Export Fault", country="US")
    contacts = _contacts_to_export(client, company)
    monkeypatch.setattr(exporting, "PAGE_ROWS", 1)  # a page per contact: the checkpoint moves three times
    with monkeypatch.context() as inline:
        inline.setattr(dataio_jobs, "run_job", lambda *args, **kwargs: "left to the schedule")
        requested = client.post("/api/v1/exports", {"entity": "contact", "format": "csv", "include_sensitive": True},
                                token=company.owner.token)
    assert requested.status_code == 202, requested.body
    export_id = body(requested)["id"]
    path = f"/api/v1/exports/{export_id}"
    _dataio_queue_of(monkeypatch, company)

    run = under(fault, watched, lambda: dataio_jobs.run_pending(30))
    assert run.calls, "the export never met the fault"
    assert run.answer == {"paused": 1}, run.answer
    jobs_pk = dataio_queue.jobs_pk(tenancy.TenantContext(tenant_id=company.tenant_id), "export")
    # its progress, and (by design) the record of a sensitive read, written before the value is opened
    assert all(key == (jobs_pk, export_id) or "#READS#contact#" in key[0] for key in run.written), run.written
    paused = body(client.get(path, token=company.owner.token))
    assert paused["status"] in ("queued", "running") and paused["download_url"] is None, paused
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    with tenancy.bind(ctx):
        job = dataio_queue.get(ctx, ExportJob, export_id)
    assert job is not None and not job.fetched
    assert _pages(company, export_id) in (int(job.pages), int(job.pages) + 1)  # a page goes before its checkpoint
    assert int(job.row_count) == int(job.pages) < len(contacts)

    assert dataio_jobs.run_pending(30, now=later(5)) == {"done": 1}
    done = body(client.get(path, token=company.owner.token))
    rows = csv_rows(done)
    assert done["rows"] == len(rows) == len(contacts)
    assert sorted(row["ID"] for row in rows) == sorted(contacts)  # each record once, none missing
    assert "P1234567" in {row.get("Passport number") for row in rows}
    assert _pages(company, export_id) == 0


def test_an_export_throttled_after_a_page_is_stored_rewrites_only_that_page(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Export Mid Fault", country="US")
    contacts = _contacts_to_export(client, company)
    monkeypatch.setattr(exporting, "PAGE_ROWS", 1)
    with monkeypatch.context() as inline:
        inline.setattr(dataio_jobs, "run_job", lambda *args, **kwargs: "left to the schedule")
        export_id = body(client.post("/api/v1/exports", {"entity": "contact", "format": "csv"},
                                     token=company.owner.token))["id"]
    _dataio_queue_of(monkeypatch, company)
    real, pages = dataio_storage.put, []

    with Onset(THROUGHPUT) as onset:
        def put(key: str, *args: Any, **kwargs: Any) -> Any:
            stored = real(key, *args, **kwargs)
            pages.append(key)
            if len(pages) == 2:  # the second page is stored; its checkpoint meets the throttle
                onset.begin()
            return stored

        monkeypatch.setattr(dataio_storage, "put", put)
        answer = dataio_jobs.run_pending(30)
    monkeypatch.setattr(dataio_storage, "put", real)
    assert onset.calls and answer == {"paused": 1}, answer
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    with tenancy.bind(ctx):
        job = dataio_queue.get(ctx, ExportJob, export_id)
    assert job is not None and (int(job.pages), int(job.row_count)) == (1, 1)  # the checkpoint before the throttle
    assert _pages(company, export_id) == 2  # the page it could not count is rewritten under its own name

    assert dataio_jobs.run_pending(30, now=later(5)) == {"done": 1}
    done = body(client.get(f"/api/v1/exports/{export_id}", token=company.owner.token))
    assert sorted(row["ID"] for row in csv_rows(done)) == sorted(contacts) and done["rows"] == len(contacts)


# -- tenant_data_jobs: the tenant export ------------------------------------------------------



def _archive(tenant_id: str, export_id: str) -> zipfile.ZipFile:
    answer = aws.client("s3").get_object(Bucket=settings.export_bucket, Key=f"exports/{tenant_id}/{export_id}.zip")
    return zipfile.ZipFile(io.BytesIO(answer["Body"].read()))


def _archived_keys(bundle: zipfile.ZipFile) -> list[tuple[str, str]]:
    keys = []
    for name in bundle.namelist():
        if name.startswith("items/"):
            for line in bundle.read(name).decode().splitlines():
                item = json.loads(line)["item"]
                keys.append((item["pk"]["S"], item["sk"]["S"]))
    return keys


@pytest.mark.parametrize("fault", [
    case(THROUGHPUT, "dynamodb-throughput"),
    case(THROTTLED, "dynamodb-throttling"),
    case(KMS, "kms-throttling"),
])
def test_a_tenant_export_goes_back_to_the_queue_and_is_built_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Tenant Export Fault")
    sealed = client.post("/api/v1/contacts", {"first_name": "Sealed", "passport_number": "P5550001"},
                         token=company.owner.token)
    assert sealed.status_code == 201, sealed.body  # the archive holds its passport number opened
    requested = client.post("/api/v1/tenant/export", token=company.owner.token)
    assert requested.status_code == 202, requested.body
    export_id = body(requested)["id"]
    path = f"/api/v1/tenant/export/{export_id}"
    _tenant_data_queues_of(monkeypatch, company)

    run = under(fault, watched, lambda: tenantdata_jobs.scheduled_tick({"detail-type": "Scheduled Event"}))
    assert run.calls, "the export never met the fault"
    assert export_id in run.answer["exports_retrying"], run.answer
    waiting = body(client.get(path, token=company.owner.token))
    assert waiting["status"] == "pending" and waiting["download_url"] is None, waiting
    assert [key for key in run.written if export_id not in key[0] + key[1]] == [], run.written

    assert export_id in tenantdata_jobs.run_pending(60).exports_done
    done = body(client.get(path, token=company.owner.token))
    assert done["status"] == "done" and done["counts"]["user"] == 1 and done["counts"]["contact"] == 1, done
    keys = _archived_keys(_archive(company.tenant_id, export_id))
    assert len(keys) == len(set(keys)) and len(keys) == sum(done["counts"].values())  # each item once
    bundle = _archive(company.tenant_id, export_id)
    assert json.loads(bundle.read("manifest.json"))["sealed_values"] >= 1
    assert b"P5550001" in bundle.read("items/contact.jsonl")  # opened once KMS answered


def test_a_tenant_export_throttled_as_it_finishes_is_taken_again_and_stored_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Tenant Export Finish Fault")
    requested = client.post("/api/v1/tenant/export", token=company.owner.token)
    assert requested.status_code == 202, requested.body
    export_id = body(requested)["id"]
    _tenant_data_queues_of(monkeypatch, company)
    real = tenantdata_checkpoint.build

    with Onset(THROUGHPUT) as onset:
        def build(*args: Any, **kwargs: Any) -> Any:
            built = real(*args, **kwargs)
            onset.begin()  # the archive is stored; the throttle meets the job's own record
            return built

        monkeypatch.setattr(tenantdata_checkpoint, "build", build)
        report = tenantdata_jobs.scheduled_tick({"detail-type": "Scheduled Event"})
    monkeypatch.setattr(tenantdata_checkpoint, "build", real)
    # The tick went on; the export stays claimed (marking it anything needs the write the throttle refuses),
    # its archive stored but not offered, and its work files gone: a later tick walks it again.
    assert onset.calls and export_id in report["exports_retrying"], report
    claimed = body(client.get(f"/api/v1/tenant/export/{export_id}", token=company.owner.token))
    assert claimed["status"] == "running" and claimed["download_url"] is None, claimed

    assert export_id not in tenantdata_jobs.run_pending(60).exports_done  # another run may still hold it
    monkeypatch.setattr(tenantdata_jobs, "STALE_AFTER", timedelta(0))  # until its claim is stale
    assert export_id in tenantdata_jobs.run_pending(60).exports_done
    done = body(client.get(f"/api/v1/tenant/export/{export_id}", token=company.owner.token))
    keys = _archived_keys(_archive(company.tenant_id, export_id))
    assert done["status"] == "done" and len(keys) == len(set(keys)) == sum(done["counts"].values())


# -- tenant_data_jobs: the deletion of a tenant -----------------------------------------------


@pytest.mark.parametrize("fault", [
    case(THROUGHPUT, "dynamodb-throughput"),
    case(THROTTLED, "dynamodb-throttling"),
    case(BATCHES, "dynamodb-batches"),
    case(KMS, "kms-throttling"),
])
def test_a_tenant_purge_waits_for_the_next_tick_and_then_removes_everything(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Purge Fault")
    assert client.post("/api/v1/contacts", {"first_name": "Doomed", "phones": [{"number": "+12025550177"}]},
                       token=company.owner.token).status_code == 201
    assert client.post("/api/v1/tenant/deletion", {"password": company.owner.password},
                       token=company.owner.token).status_code == 202
    _tenant_data_queues_of(monkeypatch, company)
    due = db.utcnow() + timedelta(days=30, minutes=1)
    held = world.of_tenant(watched.snapshot(), company.tenant_id)

    run = under(fault, watched, lambda: tenantdata_jobs.run_pending(60, now=due))
    left = world.of_tenant(watched.snapshot(), company.tenant_id)
    tombstone = (f"G#deleted-tenant#{company.tenant_id}", "TENANT")
    if fault.service == "kms":
        assert run.calls == [] and run.answer.tenants_purged == [company.tenant_id]  # a purge needs no KMS
        assert left == {} and tombstone in watched.snapshot()
        return
    assert run.calls and run.answer.purges_failed == [company.tenant_id], run.answer
    assert tombstone not in watched.snapshot()
    if fault.operations == DYNAMODB_WRITES:
        assert run.written == []  # it stopped at its first write: nothing changed
    else:  # the data key was destroyed first (crypto-shredding); every other item waits for the next tick
        shredded = {key for key, item in held.items() if item.get("kind", {}).get("S") == "tenant_key"}
        assert len(shredded) == 1 and set(held) - set(left) == shredded, set(held) - set(left)

    report = tenantdata_jobs.run_pending(60, now=due)
    assert report.tenants_purged == [company.tenant_id] and report.purges_failed == [], report
    assert world.of_tenant(watched.snapshot(), company.tenant_id) == {} and tombstone in watched.snapshot()


# -- inbox_events: the jobs queue's handler ---------------------------------------------------


@pytest.mark.parametrize("fault", TRANSACTIONAL_FAULTS)
def test_a_queued_event_is_never_lost_and_makes_its_lead_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Queue Fault", country="US")
    form = create_form(client, company)
    _due_timers_of(monkeypatch, company)
    with world.jobs_queue(monkeypatch) as url:
        stored = post_form(client, form, LEAD)
        assert stored.status_code == 200 and body(stored)["duplicate"] is False, stored.body
        batch, messages = world.queued_batch(url)
    arrived = db.utcnow()

    run = under(fault, watched, lambda: inbox_jobs.queued_events(batch))
    assert run.calls, "the handler never met the fault"
    [event] = events(client, company, form)
    assert world.listed_contacts(client, company) == []  # no lead, and no half of one
    assert [key for key in run.written if event["id"] not in key[0] + key[1]] == [], run.written
    # Not even the failure could be recorded (without KMS the event's record cannot be sealed again, #21):
    # the batch must come again, and the event still waits.
    assert world.redelivered(run.answer, messages), run.answer
    assert event["status"] == "received" and event["next_attempt_at"], event
    redelivery = inbox_jobs.queued_events(batch)
    if fault.operations == DYNAMODB_WRITES or fault.service == "kms":
        assert run.written == [] and redelivery == {"processed": 1}, redelivery  # it stopped at its claim
    else:  # the claim was written: a redelivery inside its 2-minute lease leaves the event to the retry job
        assert redelivery == {"received": 1}, redelivery  # (in AWS the queue's visibility timeout is 180 s)
    if events(client, company, form)[0]["status"] != "processed":
        assert inbox_jobs.retry_due(now=arrived + pipeline.MAX_DELAY + timedelta(minutes=5)) == {"processed": 1}
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["next_attempt_at"] is None, event
    assert [c["id"] for c in world.listed_contacts(client, company)] == [event["outcome"]["contact_id"]]
    assert inbox_jobs.queued_events(batch) == {"gone": 1}  # a later redelivery makes nothing
    assert len(world.listed_contacts(client, company)) == 1


# -- inbox_retries: the retry job -------------------------------------------------------------


@pytest.mark.parametrize("fault", TRANSACTIONAL_FAULTS)
def test_a_waiting_event_stays_due_and_is_processed_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    company = signup(client, company="Retry Fault", country="US")
    form = create_form(client, company)
    world.lost_queue(monkeypatch)  # the message is lost: the event waits for the retry job
    assert post_form(client, form, LEAD).status_code == 200
    _due_timers_of(monkeypatch, company)
    due = db.utcnow() + pipeline.QUEUE_GRACE + timedelta(seconds=1)

    run = under(fault, watched, lambda: inbox_jobs.retry_due(now=due))
    assert run.calls, "the retry never met the fault"
    # Not even the failed attempt is recorded (without KMS its record cannot be sealed): the event waits as it was
    assert run.answer == {"error": 1}, run.answer
    [event] = events(client, company, form)
    assert event["status"] in pipeline.WAITING and event["next_attempt_at"], event  # still waiting on its timer
    assert world.listed_contacts(client, company) == []
    assert [key for key in run.written if event["id"] not in key[0] + key[1]] == [], run.written

    assert inbox_jobs.retry_due(now=due + pipeline.MAX_DELAY + timedelta(minutes=5)) == {"processed": 1}
    [event] = events(client, company, form)
    assert event["status"] == "processed", event
    assert [c["id"] for c in world.listed_contacts(client, company)] == [event["outcome"]["contact_id"]]
    assert inbox_jobs.retry_due(now=due + 2 * pipeline.MAX_DELAY) == {}  # its timer dropped: never made twice


def test_an_event_throttled_after_its_lead_is_made_makes_it_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Retry Mid Fault", country="US")
    form = create_form(client, company)
    world.lost_queue(monkeypatch)
    assert post_form(client, form, LEAD).status_code == 200
    _due_timers_of(monkeypatch, company)
    due = db.utcnow() + pipeline.QUEUE_GRACE + timedelta(seconds=1)
    real = contacts_service.create

    with Onset(THROUGHPUT) as onset:
        def create(*args: Any, **kwargs: Any) -> Any:
            made = real(*args, **kwargs)  # the contact and the event's note of it, in one transaction
            onset.begin()  # then the throttle: the outcome (and even the failure) cannot be recorded
            return made

        monkeypatch.setattr(contacts_service, "create", create)
        answer = inbox_jobs.retry_due(now=due)
    monkeypatch.setattr(contacts_service, "create", real)
    assert onset.calls and answer == {"error": 1}, answer
    [event] = events(client, company, form)
    [lead] = world.listed_contacts(client, company)  # made, whole, with its list rows
    assert event["status"] == "received" and event["next_attempt_at"], event  # still waiting

    assert inbox_jobs.retry_due(now=due + pipeline.MAX_DELAY) == {"processed": 1}
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["outcome"]["contact_id"] == lead["id"], event
    assert [c["id"] for c in world.listed_contacts(client, company)] == [lead["id"]]  # not made twice


# -- due_timers: the trash purge ---------------------------------------------------------------


# Where each kind of record is made and trashed, and what it is made with.
TRASHED: dict[str, tuple[str, dict[str, Any]]] = {
    "contact": ("/api/v1/contacts", {"first_name": "Trashed", "phones": [{"number": "+12025550166"}],
                                     "passport_number": "P7654321", "tags": ["old"]}),
    "company": ("/api/v1/companies", {"name": "Trashed firm", "website": "https://trashed.example", "tags": ["old"]}),
    "deal": ("/api/v1/deals", {"title": "Trashed deal"}),
}


def _trash(client: ApiClient, company: Company, entity: str) -> str:
    """A record of entity (a deal linked to a contact), then trashed.

    The company has no contacts: a purge first unlinks them, one transaction each, which a throttle on
    transactions would meet before the collection is touched.
    """
    path, payload = TRASHED[entity]
    token = company.owner.token
    linked = body(client.post("/api/v1/contacts", {"first_name": "Linked"}, token=token))["id"] \
        if entity == "deal" else None
    made = client.post(path, {**payload, **({"contact_ids": [linked]} if linked else {})}, token=token)
    assert made.status_code == 201, made.body
    record_id = str(body(made)["id"])
    assert client.delete(f"{path}/{record_id}", token=token).status_code in (200, 204)
    return record_id


def _purge_timer(company: Company, entity: str, record_id: str) -> Key:
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    return due.timers_pk(ctx), due.timer_sk(housekeeping.KIND, f"{entity}.{record_id}")


@pytest.mark.parametrize("entity", sorted(TRASHED))
@pytest.mark.parametrize("fault", TRANSACTIONAL_FAULTS)
def test_a_trashed_record_waits_for_the_next_run_and_is_purged_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault, entity: str) -> None:
    company = signup(client, company="Trash Fault", country="US")
    record_id = _trash(client, company, entity)
    _due_timers_of(monkeypatch, company)
    real_now = db.utcnow()
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=31))
    partition = timeline_service.subject_pk(tenancy.TenantContext(tenant_id=company.tenant_id), entity, record_id)
    timer = _purge_timer(company, entity, record_id)
    held = world.of_tenant(watched.snapshot(), company.tenant_id)
    collection = {key for key in held if key[0] == partition}
    assert (partition, timeline_service.PROFILE_SK) in collection and timer in held

    run = under(fault, watched, lambda: housekeeping.purge_due())
    if not run.calls:  # the purge needs no such call (KMS: the audit keeps sealed values sealed)
        assert fault.service == "kms" and run.answer == {"purged": 1, "skipped": 0, "failed": 0}, run.answer
        _assert_purged(client, watched, company, entity, record_id, partition)
        return
    assert run.answer == {"purged": 0, "skipped": 0, "failed": 1}, run.answer
    left = set(world.of_tenant(watched.snapshot(), company.tenant_id))
    assert timer in left  # the timer stays (moved on, or left where it was): the next run finds it
    if fault is TRANSACTIONS:
        # The collection's batch went through and the record's own transaction did not: what is left is the
        # record, still in the trash, and its timer, which the next run fires to finish the purge.
        assert (partition, timeline_service.PROFILE_SK) in left, f"the {entity}'s purge lost its record"
    else:
        assert collection <= left, f"the {entity}'s collection went without it: {sorted(collection - left)}"

    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=32))  # the next run, past any pause
    assert housekeeping.purge_due() == {"purged": 1, "skipped": 0, "failed": 0}
    _assert_purged(client, watched, company, entity, record_id, partition)


def _assert_purged(client: ApiClient, watched: Watched, company: Company, entity: str, record_id: str,
                   partition: str) -> None:
    left = [key for key in world.of_tenant(watched.snapshot(), company.tenant_id) if record_id in key[0] + key[1]]
    assert left and all("#AUDIT#" in pk for pk, _ in left), left  # only its audit trail stays, by design
    assert not any(pk == partition for pk, _ in left)  # its timer is gone too
    if entity == "contact":
        token = company.owner.token
        assert body(client.get("/api/v1/trash/contacts", token=token))["items"] == []
        again = client.post("/api/v1/contacts", {"first_name": "Reuses", "phones": [{"number": "+12025550166"}]},
                            token=token)
        assert again.status_code == 201, again.body  # the phone was released with it


# -- due_timers: a call whose provider never reports its end -----------------------------------


def _silent_call(client: ApiClient, company: Company) -> dict[str, Any]:
    """A new number's inbound call that rang and was never reported again (its end lost)."""
    from tests.telephony.kit import calls, create_telephony, play
    from webhooks.providers import Call as SimulatedCall
    from webhooks.providers import pbx as pbx_sim

    line = create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    rang = pbx_sim.requests("missed", line["webhook_url"], key=None, secret=line["secret"],
                            call=SimulatedCall(customer="+12025550199"))[:-1]
    assert [answer.status_code for answer in play(client, line, rang)] == [200, 200]
    [call] = calls(client, company)
    assert call["status"] == "ringing"
    return dict(call)


def _close_unended(now: datetime) -> dict[str, int]:
    from chalicelib.telephony import unended

    outcomes: dict[str, int] = {}
    due.run_due(now=now, kinds=frozenset({unended.KIND}), outcomes=outcomes)
    return outcomes


def _closed_once(client: ApiClient, company: Company, call_id: str) -> None:
    """The call ended missed, with one contact, one lead deal and one call-back task."""
    token = company.owner.token
    call = body(client.get(f"/api/v1/calls/{call_id}", token=token))
    assert (call["status"], call["end_reason"]) == ("missed", "no_end_reported"), call
    assert [c["id"] for c in world.listed_contacts(client, company)] == [call["contact_id"]]
    assert [d["id"] for d in body(client.get("/api/v1/deals", token=token))["items"]] == [call["deal_id"]]
    tasks = body(client.get("/api/v1/tasks?view=all", token=token))["items"]
    assert [t["id"] for t in tasks] == [call["callback"]["task_id"]], tasks


@pytest.mark.parametrize("fault", TRANSACTIONAL_FAULTS)
def test_a_call_without_its_end_stays_due_and_is_closed_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    from chalicelib.telephony import unended

    company = signup(client, company="Silent Fault", country="US")
    call = _silent_call(client, company)
    _due_timers_of(monkeypatch, company)
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    timer = (due.timers_pk(ctx), due.timer_sk(unended.KIND, call["id"]))
    due_at = db.utcnow() + unended.RINGING + timedelta(minutes=1)

    run = under(fault, watched, lambda: _close_unended(due_at))
    assert run.calls, "the closing never met the fault"
    assert run.answer == {"error": 1}, run.answer
    assert body(client.get(f"/api/v1/calls/{call['id']}", token=company.owner.token))["status"] == "ringing"
    assert world.listed_contacts(client, company) == []  # no newcomer, and no half of one
    assert set(run.written) <= {timer}, run.written  # at most its timer, moved to its next attempt
    assert timer in world.of_tenant(watched.snapshot(), company.tenant_id)  # the call is still due

    assert _close_unended(due_at + timedelta(hours=1)) == {"closed": 1}
    _closed_once(client, company, call["id"])
    assert _close_unended(due_at + timedelta(hours=2)) == {}  # its timer dropped with the end: never made twice
    _closed_once(client, company, call["id"])


def test_a_call_closing_throttled_after_its_newcomer_is_made_makes_each_once(
        client: ApiClient, watched: Watched, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.telephony import unended

    company = signup(client, company="Silent Mid Fault", country="US")
    call = _silent_call(client, company)
    _due_timers_of(monkeypatch, company)
    due_at = db.utcnow() + unended.RINGING + timedelta(minutes=1)
    real = contacts_service.create

    with Onset(THROUGHPUT) as onset:
        def create(*args: Any, **kwargs: Any) -> Any:
            made = real(*args, **kwargs)  # the contact and the timer's note of it, in one transaction
            onset.begin()  # then the throttle: its lead deal, the call's end, even the timer's move fail
            return made

        monkeypatch.setattr(contacts_service, "create", create)
        answer = _close_unended(due_at)
    monkeypatch.setattr(contacts_service, "create", real)
    assert onset.calls and answer == {"error": 1}, answer
    [contact] = world.listed_contacts(client, company)  # made, whole, with its list rows
    assert body(client.get(f"/api/v1/calls/{call['id']}", token=company.owner.token))["status"] == "ringing"

    assert _close_unended(due_at + timedelta(hours=1)) == {"closed": 1}
    _closed_once(client, company, call["id"])  # the lead deal the throttle stopped is made on the next firing
    assert [c["id"] for c in world.listed_contacts(client, company)] == [contact["id"]]
