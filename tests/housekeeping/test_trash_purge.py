"""The trash purge on the due timers: 31 days after a delete the record and its collection are gone, for every
tenant, from the timer its deletion set (no Scan, no partition of its own); restored records and records not yet
due stay. Records trashed before the timers are carried over to them by the housekeeping tick."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.housekeeping import jobs, migration, service
from chalicelib.housekeeping.models import DueMigration, HousekeepingState
from chalicelib.records import timeline as timeline_service
from chalicelib.records import trash
from chalicelib.records.models import TrashDue
from tests.factories import Company, signup
from tests.support import ApiClient, body


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.body
    return body(response)


def purge_timer(tenant_id: str, entity: str, record_id: str) -> DueTimer | None:
    ctx = tenancy.TenantContext(tenant_id=tenant_id)
    with tenancy.bind(ctx):
        return due.get_timer(ctx, kind=service.KIND, ref=f"{entity}.{record_id}")


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
    ours = (first.tenant_id, second.tenant_id)  # other modules' trash is not this test's to purge
    real_due_in = due.due_in
    monkeypatch.setattr(due, "due_in", lambda *args: [t for t in real_due_in(*args) if t.pk.split("#")[1] in ours])
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=29, hours=23))
    assert service.purge_due()["purged"] == 0  # not yet
    monkeypatch.setattr(db, "utcnow", lambda: real_now + timedelta(days=31))

    counts = service.purge_due()

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
    assert service.purge_due()["purged"] == 0  # the fired timers are gone
    assert purge_timer(second.tenant_id, "contact", later) is not None  # its own 30 days are not over


def test_a_record_restored_after_its_timer_was_set_is_never_purged(
        client: ApiClient, tenants: tuple[Company, Company]) -> None:
    first, _ = tenants
    assert purge_timer(first.tenant_id, "contact", first.extra["back"]["id"]) is None  # dropped by the restore


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

    timer = purge_timer(first.tenant_id, "contact", absorbed["id"])
    assert timer is not None and timer.payload == {"entity": "contact", "record_id": absorbed["id"]}
    assert timedelta(days=29, hours=23) < timer.due_at - db.utcnow() <= timedelta(days=30)  # purged in 30 days

    merge_id = body(merged)["merge_id"]
    assert client.post(f"/api/v1/merges/{merge_id}/undo", token=token).status_code == 200
    assert purge_timer(first.tenant_id, "contact", absorbed["id"]) is None


def test_a_record_trashed_before_the_timers_is_carried_over_to_one_and_purged(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Trashed before timers")
    token = company.owner.token
    gone = created(client.post("/api/v1/contacts", {"first_name": "Old trash"}, token=token))
    assert client.delete(f"/api/v1/contacts/{gone['id']}", token=token).status_code in (200, 204)
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id)
    pk = collection(company.tenant_id, "contact", gone["id"])[0].pk
    deleted = db.utcnow()
    due_on = (deleted + service.RETENTION).date()
    with tenancy.bind(ctx):  # as the old code wrote it: an entry in the record's collection, no timer
        due.cancel(ctx, kind=service.KIND, ref=f"contact.{gone['id']}")
        TrashDue(pk, trash.DUE_SK, entity="contact", record_id=gone["id"], due_on=due_on.isoformat(),
                 gsi1pk=trash.feed_key(due_on), gsi1sk=f"{company.tenant_id}#contact#{gone['id']}").save()
    DueMigration(migration.STATE_PK, migration.STATE_SK).delete()
    HousekeepingState(migration.OLD_TRASH_PK, "STATE", next_day=deleted.date().isoformat()).save()

    assert jobs.scheduled_tick(object())["trash"] >= 1
    assert not any(item.sk == trash.DUE_SK for item in collection(company.tenant_id, "contact", gone["id"]))
    timer = purge_timer(company.tenant_id, "contact", gone["id"])
    assert timer is not None and timer.due_at.date() == due_on
    state = DueMigration.get(migration.STATE_PK, migration.STATE_SK)
    assert state.trash_done and jobs.scheduled_tick(object()) == {"trash": 0, "inbox": 0, "calls": 0}  # once, then idle

    real_due_in = due.due_in
    monkeypatch.setattr(due, "due_in", lambda *args: [t for t in real_due_in(*args) if company.tenant_id in t.pk])
    monkeypatch.setattr(db, "utcnow", lambda: deleted + timedelta(days=31))
    assert service.purge_due() == {"purged": 1, "skipped": 0, "failed": 0}
    assert client.get(f"/api/v1/contacts/{gone['id']}", token=token).status_code == 404
