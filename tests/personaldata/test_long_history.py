"""A person's data of any size: a long-time customer (years of WhatsApp chats, calls, notes) is exported to a file by
a job and erased in slices through the personal-data queue.

Before, her export was one answer and her erasure one request: with tens of thousands of messages they would pass
Lambda's 6 MB answer or API Gateway's 29 seconds and fail, leaving the company unable to answer her request. Here the
sizes are real items made through the routes and hooks; only the bounds are made small (``exports.INLINE_ITEMS``,
``slices.REQUEST_ITEMS``, ``slices.SLICE_ITEMS``), so her history needs several pages and slices.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.due import service as due
from chalicelib.personaldata import exports, slices
from tests.factories import Company, add_member, login, signup
from tests.personaldata.kit import Queue, long_customer, made, small_queue
from tests.personaldata.kit import lines as make_lines
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body
from tests.tenantdata.table import of_tenant

MESSAGES, CALLS, NOTES = 24, 2, 8


class World:
    """A clinic with long-time customers, its second administrator and its manager, and another company."""

    def __init__(self, client: ApiClient) -> None:
        ensure_bucket()
        s3 = boto3.client("s3", region_name=settings.region)
        if settings.recordings_bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=settings.recordings_bucket,
                             CreateBucketConfiguration={"LocationConstraint": settings.region})
        self.company: Company = signup(client, company="Long Story Dental")
        self.other: Company = signup(client, company="Other Dental")
        self.admin = add_member(client, self.company, role="admin", name="secondadmin")
        self.manager = add_member(client, self.company, role="manager", name="manager")
        self.lines = make_lines(client, self.company)

    def customer(self, client: ApiClient, first: str, phone: str) -> dict[str, Any]:
        return long_customer(client, self.company, self.lines, first=first, last="Okonkwo", phone=phone,
                             messages=MESSAGES, calls=CALLS, notes=NOTES)


@pytest.fixture(scope="module")
def world(app: Any) -> World:
    return World(ApiClient(app))


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> Queue:
    """The queue, emptied, and bounds small enough that a history of a few dozen items is too large."""
    return small_queue(monkeypatch, inline=20, request=20, slice_items=7)


def _s3_keys(prefix: str) -> list[str]:
    s3 = boto3.client("s3", region_name=settings.region)
    return [o["Key"] for o in s3.list_objects_v2(Bucket=settings.export_bucket, Prefix=prefix).get("Contents", [])]


def test_a_long_history_is_written_to_a_file_only_its_administrator_downloads(
        client: ApiClient, world: World, jobs: Queue) -> None:
    token = world.company.owner.token
    her = world.customer(client, "Margarethe", "+44 20 7946 0101")
    asked = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data", token=token), 202)
    assert asked["status"] == "queued" and asked["mine"] is True and asked["download_url"] is None
    again = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data", token=token), 202)
    assert again["id"] == asked["id"]  # asking again while it is written gives the same job
    state = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data/state", token=token), 200)
    assert [job["status"] for job in state["exports"]] == ["queued"] and state["erasure"] is None

    assert jobs.drain(redeliver=lambda n: n == 1) == 2  # the message came twice: the second repeats nothing
    path = f"/api/v1/contacts/{her['id']}/personal-data/exports/{asked['id']}"
    done = made(client.get(path, token=token), 200)
    assert done["status"] == "done" and done["items"] > 20 and done["size"] > 0
    assert f"personal-data%2F{asked['id']}.json" in done["download_url"] or asked["id"] in done["download_url"]
    assert "X-Amz-Expires=300" in done["download_url"]
    [key] = _s3_keys(f"exports/{world.company.tenant_id}/personal-data/")
    s3 = boto3.client("s3", region_name=settings.region)
    stored = s3.get_object(Bucket=settings.export_bucket, Key=key)
    assert stored["ServerSideEncryption"] == "aws:kms"
    data = json.loads(stored["Body"].read())
    assert data["contact"]["first_name"] == "Margarethe"
    [conversation] = data["conversations"]
    assert len(conversation["conversation_message"]) == MESSAGES and len(data["calls"]) == CALLS
    history = made(client.get(f"/api/v1/audit?entity=personal_data_export&entity_id={asked['id']}", token=token), 200)
    assert sorted(r["action"] for r in history["items"]) == ["done", "request"]  # one file, written once

    reads = data_reads(client, world, her["id"])
    assert "personal_data_export" in reads  # the link handed out is a read of her data in clear

    made(client.post("/api/v1/roles", {"key": "masked_admin", "name": "Masked", "permissions": [
        "contacts:read:all", "contacts:update:all", "contacts:delete:all"]}, token=token))  # sensitive values masked
    masked = client.get(path, token=_set_role(client, world, "masked_admin"))  # her role no longer sees all
    assert masked.status_code == 403 and body(masked)["error"]["code"] == "personal_data_fields_hidden"
    admin_token = _set_role(client, world, "admin")
    other_admin = client.get(path, token=admin_token)
    assert other_admin.status_code == 403 and body(other_admin)["error"]["code"] == "personal_data_export_not_yours"
    seen = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data/state", token=admin_token), 200)
    assert [(job["status"], job["mine"], job["download_url"]) for job in seen["exports"]] == [("done", False, None)]
    for route in (path, f"/api/v1/contacts/{her['id']}/personal-data/state",
                  f"/api/v1/contacts/{her['id']}/personal-data?file=true"):
        refused = client.get(route, token=world.manager.token)
        assert refused.status_code == 403 and body(refused)["error"]["code"] == "personal_data_admin_only"
        assert client.get(route, token=world.other.owner.token).status_code == 404

    later = db.utcnow() + exports.KEEP + timedelta(hours=2)  # the file's time is up: its timer deletes it
    outcomes: dict[str, int] = {}
    due.run_due(now=later, kinds=frozenset({exports.SWEEP_KIND}), outcomes=outcomes)
    assert outcomes.get("swept") == 1, outcomes
    assert _s3_keys(f"exports/{world.company.tenant_id}/personal-data/") == []
    expired = made(client.get(path, token=token), 200)
    assert expired["status"] == "expired" and expired["download_url"] is None


def _set_role(client: ApiClient, world: World, role: str) -> str:
    """The second administrator given another role (which ends her sessions); her new token."""
    token = world.company.owner.token
    user = made(client.get(f"/api/v1/users/{world.admin.user_id}", token=token), 200)
    made(client.patch(f"/api/v1/users/{world.admin.user_id}", {"role": role, "version": user["version"]},
                      token=token), 200)
    return str(made(login(client, world.admin.email), 200)["access_token"])


def data_reads(client: ApiClient, world: World, contact_id: str) -> list[str]:
    """The fields of her recorded clear reads."""
    found = made(client.get(f"/api/v1/audit/reads?entity=contact&entity_id={contact_id}",
                            token=world.company.owner.token), 200)
    return [read["field"] for read in found["items"]]


def test_a_long_history_is_erased_in_slices_through_the_queue(client: ApiClient, world: World, jobs: Queue) -> None:
    token = world.company.owner.token
    her = world.customer(client, "Ifeoma", "+44 20 7946 0202")
    boris = made(client.post("/api/v1/contacts", {"first_name": "Borislav", "phones": [{"number": "+44 20 7946 0303"}]},
                             token=token))
    made(client.get(f"/api/v1/contacts/{her['id']}/personal-data?file=true", token=token), 202)
    jobs.drain()  # a file of her data made before: it goes with her

    started = made(client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True}, token=token), 202)
    assert started["status"] == "running" and started["contact_id"] == her["id"]
    state = made(client.get(f"/api/v1/contacts/{her['id']}/personal-data/state", token=token), 200)
    assert state["erasure"]["erasure_id"] == started["erasure_id"]
    refused = client.get(f"/api/v1/contacts/{her['id']}/personal-data", token=token)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "personal_data_erasure_running"
    asked_again = made(client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True}, token=token), 202)
    assert asked_again["erasure_id"] == started["erasure_id"]  # the same erasure goes on, none begins twice

    delivered = jobs.drain(redeliver=lambda n: n == 2)  # the second message comes twice, as SQS may deliver it
    assert delivered >= 5, delivered  # her history took several slices
    assert client.get(f"/api/v1/contacts/{her['id']}", token=token).status_code == 404
    assert client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True}, token=token).status_code == 404
    items = of_tenant(world.company.tenant_id)
    [record] = [item for item in items.values() if item.get("kind", {}).get("S") == "erasure"
                and item["erasure_id"]["S"] == started["erasure_id"]]
    removed = json.loads(record["removed"]["S"])
    assert record["status"]["S"] == "done" and int(record["slices"]["N"]) >= 3
    assert removed["messages"] == MESSAGES and removed["conversations"] == 1 and removed["calls"] == CALLS
    assert removed["notes"] == NOTES and removed["contacts"] == 1 and removed["personal_data_exports"] == 1
    erase_audits = [item for key, item in items.items() if key[0].endswith(f"#AUDIT#erasure#{started['erasure_id']}")
                    and item.get("kind", {}).get("S") == "audit"]
    assert len(erase_audits) == 2  # begun and done, audited once each, however many slices and repeats
    holders = {item["kind"]["S"] for item in items.values() if her["id"] in json.dumps(item, default=str)}
    assert holders == {"erasure"}, holders  # her id stays in the erasure record alone
    assert _s3_keys(f"exports/{world.company.tenant_id}/personal-data/") == []
    assert made(client.get(f"/api/v1/contacts/{boris['id']}", token=token), 200)["first_name"] == "Borislav"
    cursor: str | None = ""
    while cursor is not None:  # every other chain of the trail still verifies, page by page
        verified = made(client.get(f"/api/v1/audit/verify?limit=50{cursor}", token=token), 200)
        assert verified["ok"] is True, [c for c in verified["chains"] if not c["ok"] or c["head_ok"] is False]
        cursor = f"&cursor={verified['next_cursor']}" if verified["next_cursor"] else None


def test_a_lost_hand_over_is_queued_again_by_the_erasure_timer(client: ApiClient, world: World, jobs: Queue) -> None:
    token = world.company.owner.token
    her = world.customer(client, "Chiamaka", "+44 20 7946 0404")
    started = made(client.post(f"/api/v1/contacts/{her['id']}/erase", {"confirm": True}, token=token), 202)
    jobs.drain(limit=1)  # one slice runs, and its hand-over is lost (the next message never arrives)
    jobs.sqs.purge_queue(QueueUrl=jobs.url)
    assert jobs.drain() == 0
    later = db.utcnow() + slices.STALL + timedelta(hours=1)
    outcomes: dict[str, int] = {}
    due.run_due(now=later, kinds=frozenset({slices.TIMER_KIND}), outcomes=outcomes)
    assert outcomes.get("queued") == 1, outcomes
    assert jobs.drain() >= 2
    state = client.get(f"/api/v1/contacts/{her['id']}/personal-data/state", token=token)
    assert state.status_code == 404  # she is gone
    with pytest.raises(StopIteration):
        next(item for item in of_tenant(world.company.tenant_id).values()
             if item.get("erasure_id", {}).get("S") == started["erasure_id"] and item["kind"]["S"] == "erasure"
             and item["status"]["S"] != "done")
