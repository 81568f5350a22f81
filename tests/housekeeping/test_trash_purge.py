"""The scheduled trash purge: 31 days after a delete the record and its collection are gone, for every tenant,
from the day-bucketed feed (no Scan); restored records and records not yet due stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.housekeeping import jobs, service
from chalicelib.housekeeping.models import HousekeepingState
from chalicelib.records import timeline as timeline_service
from tests.factories import Company, signup
from tests.support import ApiClient, body


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.body
    return body(response)


def collection(tenant_id: str, subject_type: str, subject_id: str) -> list[Any]:
    ctx = tenancy.TenantContext(tenant_id=tenant_id)
    with tenancy.bind(ctx):
        return list(db.MainTable.query(timeline_service.subject_pk(ctx, subject_type, subject_id)))


@pytest.fixture(scope="module")
def tenants(app: Any) -> tuple[Company, Company]:
    client = ApiClient(app)
    first, second = signup(client, company="Purged"), signup(client, company="Not yet due")
    token = first.owner.token
    firm = created(client.post("/api/v1/companies", {"name": "Keeps its card"}, token=token))
    gone = created(client.post("/api/v1/contacts", {"first_name": "Gone", "phones": [{"number": "+12025550170"}],
                                                    "company_ids": [firm["id"]]}, token=token))
    back = created(client.post("/api/v1/contacts", {"first_name": "Back"}, token=token))
    old_firm = created(client.post("/api/v1/companies", {"name": "Old firm"}, token=token))
    deal = created(client.post("/api/v1/deals", {"title": "Old deal", "contact_ids": [back["id"]]}, token=token))
    first.extra.update(firm=firm, gone=gone, back=back, old_firm=old_firm, deal=deal)
    for path in (f"/api/v1/contacts/{gone['id']}", f"/api/v1/contacts/{back['id']}",
                 f"/api/v1/companies/{old_firm['id']}", f"/api/v1/deals/{deal['id']}"):
        assert client.delete(path, token=token).status_code in (200, 204)
    assert client.post(f"/api/v1/contacts/{back['id']}/restore", token=token).status_code == 200
    later = created(client.post("/api/v1/contacts", {"first_name": "Later"}, token=second.owner.token))
    second.extra["later"] = later
    return first, second


def test_the_tick_purges_due_records_of_every_tenant_and_nothing_else(
        client: ApiClient, tenants: tuple[Company, Company], monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tenants
    real_now = db.utcnow()
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=10))  # the second tenant deletes later
    assert client.delete(f"/api/v1/contacts/{second.extra['later']['id']}", token=second.owner.token).status_code \
        in (200, 204)
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=31))
    HousekeepingState(service.STATE_PK, service.STATE_SK).delete()  # a first run of the job
    ours = (first.tenant_id, second.tenant_id)  # other modules' trash is not this test's to purge
    real_bucket = service._bucket
    monkeypatch.setattr(service, "_bucket", lambda day: [e for e in real_bucket(day) if e.pk.split("#")[1] in ours])

    counts = jobs.scheduled_tick(object())

    assert counts["purged"] == 3 and counts["failed"] == 0  # the contact, the company and the deal
    token, extra = first.owner.token, first.extra
    assert collection(first.tenant_id, "contact", extra["gone"]["id"]) == []
    assert collection(first.tenant_id, "company", extra["old_firm"]["id"]) == []
    assert collection(first.tenant_id, "deal", extra["deal"]["id"]) == []
    assert client.get(f"/api/v1/contacts/{extra['gone']['id']}", token=token).status_code == 404
    assert body(client.get(f"/api/v1/companies/{extra['firm']['id']}", token=token))["contact_ids"] == []
    assert body(client.get("/api/v1/trash/contacts", token=token))["items"] == []
    assert client.get(f"/api/v1/contacts/{extra['back']['id']}", token=token).status_code == 200  # restored
    later = second.extra["later"]["id"]
    assert [c["id"] for c in body(client.get("/api/v1/trash/contacts", token=second.owner.token))["items"]] == [later]
    assert service.purge_due()["purged"] == 0  # the cleared days are not read again


def test_a_record_restored_after_its_entry_was_written_is_never_purged(
        client: ApiClient, tenants: tuple[Company, Company]) -> None:
    first, _ = tenants
    back = first.extra["back"]["id"]
    assert not any(item.sk == service.DUE_SK for item in collection(first.tenant_id, "contact", back))


def test_a_merged_contact_waits_in_the_trash_like_a_deleted_one_until_the_merge_is_undone(
        client: ApiClient, tenants: tuple[Company, Company]) -> None:
    first, _ = tenants
    token = first.owner.token
    kept = created(client.post("/api/v1/contacts", {"first_name": "Kept", "emails": [{"address": "k@x.example"}]},
                               token=token))
    absorbed = created(client.post("/api/v1/contacts", {"first_name": "Absorbed"}, token=token))
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": absorbed["id"], "version": kept["version"], "other_version": absorbed["version"]}, token=token)
    assert merged.status_code == 200, merged.body

    due = [item for item in collection(first.tenant_id, "contact", absorbed["id"]) if item.sk == service.DUE_SK]
    assert [item.record_id for item in due] == [absorbed["id"]]  # the purge job will find it in 30 days
    assert due[0].due_on == (db.utcnow() + timedelta(days=30)).date().isoformat()

    merge_id = body(merged)["merge_id"]
    assert client.post(f"/api/v1/merges/{merge_id}/undo", token=token).status_code == 200
    assert [i for i in collection(first.tenant_id, "contact", absorbed["id"]) if i.sk == service.DUE_SK] == []
