"""Audit retention (#18): records older than the plan's window expire, and the chains still verify from a signed
anchor; a broken chain is never re-anchored; the daily pass goes over every tenant in pages, idempotently."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import audit, audit_anchors, db
from chalicelib.core.audit import AuditRecord, SensitiveRead
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.housekeeping import retention
from chalicelib.housekeeping.models import RetentionPass
from chalicelib.identity.models import Tenant
from chalicelib.tenantdata import walk
from tenants import importer
from tenants.__main__ import main
from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body

FREE_DAYS = 30


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Retained Ltd")
    helpers.end_trial(company)  # the free plan keeps 30 days of audit
    return company


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Changes from now on are recorded at moment (the audit record's own clock, and the tenant's)."""
    monkeypatch.setattr(db, "utcnow", lambda: moment)
    monkeypatch.setattr(audit, "utcnow", lambda: moment)


def contact_with_history(client: ApiClient, company: Company, edits: int) -> dict[str, Any]:
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna"}, token=token))
    for number in range(edits):
        contact = body(client.patch(f"/api/v1/contacts/{contact['id']}",
                                    {"last_name": f"Edit {number}", "version": contact["version"]}, token=token))
    return contact


def chain(company: Company, entity: str, entity_id: str) -> tuple[audit_anchors.AuditAnchor | None, list[AuditRecord]]:
    ctx = helpers.context(company)
    with bind(ctx):
        return (audit_anchors.get(ctx, audit.entity_key(ctx, entity, entity_id)),
                sorted(audit.chain_records(ctx, entity, entity_id), key=lambda r: int(r.seq)))


def verify(client: ApiClient, company: Company, entity: str, entity_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/audit/verify?entity={entity}&entity_id={entity_id}", token=company.owner.token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def expire(company: Company, now: datetime) -> dict[str, int]:
    """One tenant's retention at now (the daily pass does this for every tenant)."""
    counts = {"tenants": 0, "removed": 0, "reads_removed": 0, "kept_broken": 0}
    ctx = helpers.context(company)
    with bind(ctx):
        tenant = Tenant.get(f"T#{company.tenant_id}#TENANT", "TENANT")
    assert retention.expire_tenant(tenant, now=now, deadline=float("inf"), counts=counts)
    return counts


def test_records_older_than_the_window_expire_and_the_chain_verifies_from_its_anchor(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    start = db.utcnow()
    contact = contact_with_history(client, company, edits=3)  # records 1..4, at start
    at(monkeypatch, start + timedelta(days=20))
    contact = body(client.patch(
        f"/api/v1/contacts/{contact['id']}", {"last_name": "Later", "version": contact["version"]},
        token=company.owner.token))  # record 5, 20 days on
    now = start + timedelta(days=FREE_DAYS + 1)
    at(monkeypatch, now)

    counts = expire(company, now)

    anchor, records = chain(company, "contact", contact["id"])
    assert [int(r.seq) for r in records] == [5]
    assert anchor is not None and (int(anchor.seq), int(anchor.removed)) == (4, 4)
    assert anchor.hash == records[0].prev_hash and audit_anchors.valid(anchor)
    assert counts["removed"] >= 4
    report = verify(client, company, "contact", contact["id"])
    assert report["ok"] is True
    [found] = report["chains"]
    assert found["records"] == 1 and found["head_ok"] is True
    assert found["anchor"]["seq"] == 4 and found["anchor"]["removed"] == 4
    again = body(client.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": "After", "version":
                                                                   contact["version"]}, token=company.owner.token))
    assert again["last_name"] == "After"
    assert verify(client, company, "contact", contact["id"])["ok"] is True  # the chain goes on from its head
    assert expire(company, now)["removed"] == 0  # a second run finds nothing more to do


def test_a_chain_whose_records_all_expired_keeps_its_anchor_and_its_head(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = contact_with_history(client, company, edits=1)
    now = db.utcnow() + timedelta(days=FREE_DAYS + 1)
    at(monkeypatch, now)
    expire(company, now)
    anchor, records = chain(company, "contact", contact["id"])
    assert records == [] and anchor is not None and int(anchor.seq) == 2
    report = verify(client, company, "contact", contact["id"])  # not 404: the chain is known by its anchor
    assert report["ok"] is True and report["chains"][0]["head_ok"] is True
    changed = client.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": "Back", "version": contact["version"]},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body
    anchor, records = chain(company, "contact", contact["id"])
    assert [int(r.seq) for r in records] == [3] and records[0].prev_hash == anchor.hash  # type: ignore[union-attr]
    assert verify(client, company, "contact", contact["id"])["ok"] is True


def test_long_chains_are_cut_in_transactions_each_leaving_a_verifiable_chain(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = contact_with_history(client, company, edits=6)  # 7 records
    monkeypatch.setattr(retention, "BATCH", 3)
    commits: list[int] = []
    real_commit = db.commit

    def counting(ctx: TenantContext, change: db.Change, **kwargs: Any) -> None:
        commits.append(len(change.deletes))
        real_commit(ctx, change, **kwargs)

    monkeypatch.setattr(db, "commit", counting)
    now = db.utcnow() + timedelta(days=FREE_DAYS + 1)
    ctx = helpers.context(company)
    with bind(ctx):
        removed = retention.expire_chain(ctx, entity="contact", entity_id=contact["id"], cutoff=now)
    assert removed == 7 and commits == [3, 3, 1]
    anchor, records = chain(company, "contact", contact["id"])
    assert records == [] and anchor is not None and (int(anchor.seq), int(anchor.removed)) == (7, 7)
    monkeypatch.setattr(db, "commit", real_commit)
    assert verify(client, company, "contact", contact["id"])["ok"] is True


def test_a_chain_that_does_not_verify_is_never_re_anchored(
        client: ApiClient, company: Company) -> None:
    contact = contact_with_history(client, company, edits=2)
    _, records = chain(company, "contact", contact["id"])
    forged = records[1]
    forged.changes = {"last_name": {"before": None, "after": "Forged"}}
    with bind(helpers.context(company)):
        forged.save()
    now = db.utcnow() + timedelta(days=FREE_DAYS + 1)
    ctx = helpers.context(company)
    with bind(ctx):
        assert retention.expire_chain(ctx, entity="contact", entity_id=contact["id"], cutoff=now) == -1
    anchor, kept = chain(company, "contact", contact["id"])
    assert anchor is None and len(kept) == 3  # kept for verification to report
    assert verify(client, company, "contact", contact["id"])["first_broken_seq"] == 2


def test_a_forged_anchor_or_a_cut_after_it_is_found(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = contact_with_history(client, company, edits=2)
    at(monkeypatch, db.utcnow() + timedelta(days=20))
    contact = body(client.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": "Kept", "version":
                                                                     contact["version"]}, token=company.owner.token))
    now = db.utcnow() + timedelta(days=FREE_DAYS - 9)
    at(monkeypatch, now)
    expire(company, now)
    anchor, records = chain(company, "contact", contact["id"])
    assert anchor is not None and [int(r.seq) for r in records] == [4]
    anchor.seq = 2  # claims fewer records were removed, to hide one: the signature no longer matches
    with bind(helpers.context(company)):
        anchor.save()
    report = verify(client, company, "contact", contact["id"])
    assert report["ok"] is False and report["first_broken_seq"] == 2


def test_plans_keep_their_own_window(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    trial = signup(client, company="Pro Trial Ltd")  # pro: 365 days
    contact = contact_with_history(client, trial, edits=1)
    now = db.utcnow() + timedelta(days=FREE_DAYS + 1)
    counts = {"tenants": 0, "removed": 0, "reads_removed": 0, "kept_broken": 0}
    with bind(helpers.context(trial)):
        tenant = Tenant.get(f"T#{trial.tenant_id}#TENANT", "TENANT")
        assert retention.expire_tenant(tenant, now=now, deadline=float("inf"), counts=counts)
    assert counts["removed"] == 0
    assert chain(trial, "contact", contact["id"])[0] is None


def test_old_sensitive_reads_expire_with_the_window(client: ApiClient, company: Company) -> None:
    ctx = helpers.context(company)
    with bind(ctx):
        audit.record_reads(ctx, entity="contact", entity_id="01ARZ3NDEKTSV4RRFFQ69G5FAV", fields=["passport"])
    counts = expire(company, db.utcnow() + timedelta(days=FREE_DAYS + 1))
    assert counts["reads_removed"] == 1
    with bind(ctx):
        assert list(SensitiveRead.gsi1.query(audit.reads_feed_key(ctx))) == []


def test_anchors_are_part_of_the_tenants_data(client: ApiClient, company: Company) -> None:
    contact = contact_with_history(client, company, edits=1)
    expire(company, db.utcnow() + timedelta(days=FREE_DAYS + 1))
    ctx = helpers.context(company)
    with bind(ctx):
        items = walk.tenant_items(ctx)
    pk = audit.entity_key(ctx, "contact", contact["id"])
    assert (pk, audit_anchors.ANCHOR_SK) in items  # exported and purged with the tenant
    assert any(key[0].startswith(f"T#{company.tenant_id}#") and contact["id"] in key[0] and "AUDIT" not in key[0]
               for key in items)  # and its contact, though no audit record names it any more


def test_the_daily_pass_resumes_after_the_last_tenant_finished(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("First", "Second", "Third"):
        signup(client, company=f"{name} Pass Ltd")
    seen: list[str] = []
    stop_after = {"n": 2}

    def fake(tenant: Tenant, **_: Any) -> bool:
        if len(seen) >= stop_after["n"]:
            return False  # out of time inside this tenant
        seen.append(tenant.tenant_id)
        return True

    monkeypatch.setattr(retention, "expire_tenant", fake)
    monkeypatch.setattr(retention, "TENANT_PAGE", 2)
    day = db.utcnow() + timedelta(days=400)  # a day no other test's pass has run
    RetentionPass(retention.STATE_PK, retention.STATE_SK, day="2000-01-01").save()
    retention.expire_due(now=day, seconds=60)
    state = RetentionPass.get(retention.STATE_PK, retention.STATE_SK)
    assert state.day == day.date().isoformat() and not state.done and state.after is not None
    first_run = list(seen)
    stop_after["n"] = 10**9
    retention.expire_due(now=day, seconds=60)
    assert RetentionPass.get(retention.STATE_PK, retention.STATE_SK).done
    assert len(seen) == len(set(seen))  # no tenant finished twice in a day
    assert seen[:2] == first_run
    before = len(seen)
    retention.expire_due(now=day, seconds=60)
    assert len(seen) == before  # the day's pass is complete: nothing runs again until tomorrow


def test_an_imported_tenant_verifies_from_its_anchors(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    start = db.utcnow()
    contact = contact_with_history(client, company, edits=2)  # records 1..3
    gone = contact_with_history(client, company, edits=0)  # record 1 only: all of it expires
    at(monkeypatch, start + timedelta(days=20))
    body(client.patch(f"/api/v1/contacts/{contact['id']}", {"last_name": "Kept", "version": contact["version"]},
                      token=company.owner.token))
    now = start + timedelta(days=FREE_DAYS + 1)
    at(monkeypatch, now)
    expire(company, now)
    assert chain(company, "tenant", company.tenant_id)[0] is not None  # the tenant's own chain, named by its id
    path = tmp_path / "export.zip"
    main(["export", "--tenant", company.tenant_id, "--out", str(path)], out=io.StringIO())
    summary = importer.import_archive(str(path))
    assert not summary.broken_chains
    said = io.StringIO()
    assert main(["verify-audit", "--tenant", summary.tenant_id], out=said) == 0, said.getvalue()
    assert ", 0 broken" in said.getvalue()
    imported = Company(tenant_id=summary.tenant_id, owner=company.owner)
    anchor, records = chain(imported, "contact", contact["id"])
    assert anchor is not None and [int(r.seq) for r in records] == [4]
    assert chain(imported, "contact", gone["id"])[0] is not None  # verified through its anchor alone
