"""The personal-data queue's jobs (``app.personal_data_jobs``) under throttled DynamoDB and failing KMS: an erasure's
slice and the file of a person's data.

A customer's erasure is started through the route with bounds small enough that her history needs several slices
(``slices.REQUEST_ITEMS``, ``slices.SLICE_ITEMS``); then a slice meets the fault, from its start or partway (an
``Onset`` at a later batch of deletions). The handler must not crash its Lambda: it names the message in
batchItemFailures (SQS delivers it again) and gives the slice's lease back; the next deliveries finish her erasure
exactly once: every count exact, one audit record of the erasure, nothing of hers left. A file of her data under the
fault is written once the fault is gone, once.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.personaldata import erasure, slices
from tests.factories import signup
from tests.faults.snapshots import Watched
from tests.faults.test_job_faults import BATCHES, KMS, THROTTLED, TRANSACTIONS, Fault, Onset, case, under
from tests.personaldata.kit import Queue, long_customer, made, small_queue
from tests.personaldata.kit import lines as make_lines
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient
from tests.tenantdata.table import of_tenant

MESSAGES, CALLS, NOTES = 12, 1, 3


@pytest.fixture(scope="module")
def watched(app: Any) -> Watched:
    ensure_bucket()
    s3 = boto3.client("s3", region_name=settings.region)
    if settings.recordings_bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=settings.recordings_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings.region})
    return Watched()


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> Queue:
    return small_queue(monkeypatch, inline=10, request=10, slice_items=6)


def _customer(client: ApiClient, name: str) -> tuple[Any, dict[str, Any]]:
    company = signup(client, company=f"{name} Fault Clinic")
    her = long_customer(client, company, make_lines(client, company), first=name, last="Faulty",
                        phone="+44 20 7946 0555", messages=MESSAGES, calls=CALLS, notes=NOTES)
    return company, her


def _one(jobs: Queue) -> dict[str, Any]:
    """Deliver the next message once (deleted unless it failed); the handler's answer."""
    jobs.drain(limit=1)
    return jobs.outcomes[-1]


def _assert_erased_once(company: Any, her: dict[str, Any], erasure_id: str) -> None:
    items = of_tenant(company.tenant_id)
    [record] = [item for item in items.values() if item.get("kind", {}).get("S") == "erasure"]
    assert record["status"]["S"] == "done"
    removed = json.loads(record["removed"]["S"])
    assert (removed["messages"], removed["conversations"], removed["calls"], removed["notes"], removed["contacts"]) \
        == (MESSAGES, 1, CALLS, NOTES, 1), removed
    audits = [key for key, item in items.items() if key[0].endswith(f"#AUDIT#erasure#{erasure_id}")
              and item.get("kind", {}).get("S") == "audit"]
    assert len(audits) == 2  # begun and done, once each
    holders = {item["kind"]["S"] for item in items.values() if her["id"] in json.dumps(item, default=str)}
    assert holders == {"erasure"}, holders


@pytest.mark.parametrize("fault", [case(THROTTLED, "dynamodb-throttling"), case(TRANSACTIONS, "dynamodb-transactions"),
                                   case(KMS, "kms-throttling")])
def test_an_erasure_slice_under_a_fault_comes_again_and_finishes_once(
        client: ApiClient, watched: Watched, jobs: Queue, fault: Fault) -> None:
    company, her = _customer(client, f"Adaeze{fault.code[:4]}")
    started = made(client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True},
                               token=company.owner.token), 202)
    run = under(fault, watched, lambda: _one(jobs))
    if fault.operations == TRANSACTIONS.operations and not run.calls:
        pytest.skip("the first slice made no transaction")  # its first writes are single puts and batches
    assert run.calls, "the slice never met the fault"
    assert len(run.answer["batchItemFailures"]) == 1  # the message comes again; the Lambda did not crash
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        record = slices.get(ctx, started["erasure_id"])
    assert record is not None and record.status == "running" and record.lease_until is None  # its lease given back
    assert jobs.drain() >= 2
    _assert_erased_once(company, her, started["erasure_id"])


@pytest.mark.parametrize("after", [1, 3])
def test_an_erasure_slice_cut_short_partway_is_finished_by_the_next(
        client: ApiClient, watched: Watched, jobs: Queue, monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    company, her = _customer(client, f"Ngozi{after}")
    started = made(client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True},
                               token=company.owner.token), 202)
    real, deletes = erasure.delete, []
    with Onset(BATCHES) as onset:
        def delete(ctx: Any, keys: list[tuple[str, str]]) -> int:
            deletes.append(len(keys))
            if len(deletes) > after:  # batches of her messages went, then DynamoDB throttles the rest of the slice
                onset.begin()
            return real(ctx, keys)

        monkeypatch.setattr(erasure, "delete", delete)
        answers = [_one(jobs) for _ in range(2)]
    monkeypatch.setattr(erasure, "delete", real)
    assert onset.calls, "the slices never met the fault"
    assert any(answer["batchItemFailures"] for answer in answers), answers
    assert jobs.drain() >= 1
    _assert_erased_once(company, her, started["erasure_id"])


@pytest.mark.parametrize("fault", [case(THROTTLED, "dynamodb-throttling"), case(KMS, "kms-throttling")])
def test_a_file_of_her_data_under_a_fault_is_written_once_after_it(
        client: ApiClient, watched: Watched, jobs: Queue, fault: Fault) -> None:
    company, her = _customer(client, f"Chinwe{fault.code[:4]}")
    token = company.owner.token
    asked = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data", token=token), 202)
    run = under(fault, watched, lambda: _one(jobs))
    assert run.calls and len(run.answer["batchItemFailures"]) == 1
    path = f"/api/v1/contacts/{her['id']}/personal-data/exports/{asked['id']}"
    assert made(client.get(path, token=token), 200)["status"] == "queued"  # given back, not stuck running
    assert jobs.drain() == 1
    done = made(client.get(path, token=token), 200)
    assert done["status"] == "done" and done["download_url"]
    history = made(client.get(f"/api/v1/audit?entity=personal_data_export&entity_id={asked['id']}", token=token), 200)
    assert sorted(r["action"] for r in history["items"]) == ["done", "request"]
