"""The data layer: optimistic versions, transactions with their audit record, signed cursors."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest

from chalicelib.core import audit, crypto, db, errors
from chalicelib.core.tenancy import TenantContext, bind, new_id, tenant_key
from tests.core import probe
from tests.core.probe import ProbeNote
from tests.support import ApiClient, body


def make_ctx() -> TenantContext:
    """A tenant with its data key: its audit records are sealed under it."""
    ctx = TenantContext(tenant_id=new_id(), actor_id="tester")
    with bind(ctx):
        crypto.provision_key(ctx)
    return ctx


def create_note(ctx: TenantContext, text: str) -> ProbeNote:
    note_id = new_id()
    note = ProbeNote(tenant_key(ctx, "PROBE"), f"NOTE#{note_id}", text=text)
    change = db.Change().save(note)
    audit.attach(ctx, change, note, entity="probe_note", entity_id=note_id, action="create", before=None,
                 after={"text": text})
    db.commit(ctx, change)
    return note


def audit_records(ctx: TenantContext, note: ProbeNote) -> list[audit.AuditRecord]:
    entity_id = note.sk.split("#")[-1]
    return list(audit.AuditRecord.query(audit.entity_key(ctx, "probe_note", entity_id)))


def test_stale_version_write_is_409_and_leaves_the_item() -> None:
    ctx = make_ctx()
    with bind(ctx):
        note = create_note(ctx, "first")
        stale = db.get(ctx, ProbeNote, note.pk, note.sk)
        fresh = db.get(ctx, ProbeNote, note.pk, note.sk)
        fresh.text = "second"
        db.commit(ctx, db.Change().save(fresh))
        stale.text = "overwrite"
        with pytest.raises(errors.VersionConflictError):
            db.commit(ctx, db.Change().save(stale))
        stored = db.get(ctx, ProbeNote, note.pk, note.sk)
    assert stored.text == "second"
    assert stored.version == 2


def test_stale_version_over_http_is_409() -> None:

    client = ApiClient(probe.build())
    headers = {"X-Probe-Tenant": probe.new_tenant()}
    created = body(client.post("/api/v1/_probe/notes", {"text": "a"}, headers=headers))
    ok = client.patch(f"/api/v1/_probe/notes/{created['id']}", {"text": "b", "version": 1}, headers=headers)
    assert ok.status_code == 200 and body(ok)["version"] == 2
    stale = client.patch(f"/api/v1/_probe/notes/{created['id']}", {"text": "c", "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert body(stale)["error"]["code"] == "version_conflict"
    listed = body(client.get("/api/v1/_probe/notes", headers=headers))
    assert [item["text"] for item in listed["items"]] == ["b"]


def test_change_and_audit_commit_together_or_not_at_all() -> None:
    ctx = make_ctx()
    with bind(ctx):
        note = create_note(ctx, "v1")
        assert len(audit_records(ctx, note)) == 1
        # A second writer took the audit slot of version 2 first: the whole transaction must fail.
        entity_id = note.sk.split("#")[-1]
        squatter = audit.AuditRecord(audit.entity_key(ctx, "probe_note", entity_id), f"{2:012d}", audit_id="x",
                                     entity="probe_note", entity_id=entity_id, seq=2, action="x", actor_id="x",
                                     actor_kind="x", source="x", at=db.utcnow(), changes={}, prev_hash="",
                                     hash="")
        squatter.save()
        note.text = "v2"
        change = db.Change().save(note)
        audit.attach(ctx, change, note, entity="probe_note", entity_id=entity_id, action="update",
                     before={"text": "v1"}, after={"text": "v2"})
        with pytest.raises(errors.ConflictError):
            db.commit(ctx, change)
        stored = db.get(ctx, ProbeNote, note.pk, note.sk)
    assert stored.text == "v1" and stored.version == 1


def test_audit_records_form_a_verifiable_chain() -> None:
    ctx = make_ctx()
    with bind(ctx):
        note = create_note(ctx, "v1")
        entity_id = note.sk.split("#")[-1]
        for text in ("v2", "v3"):
            before = {"text": note.text}
            note.text = text
            change = db.Change().save(note)
            audit.attach(ctx, change, note, entity="probe_note", entity_id=entity_id, action="update",
                         before=before, after={"text": text})
            db.commit(ctx, change)
        records = audit_records(ctx, note)
        assert [int(r.seq) for r in records] == [1, 2, 3]
        assert records[1].changes == {"text": {"before": "v1", "after": "v2"}}
        assert audit.verify_chain(records) is None
        records[1].changes = {"text": {"before": "v1", "after": "forged"}}
        assert audit.verify_chain(records) == 2


def test_cursor_pages_through_everything_once() -> None:
    ctx = make_ctx()
    with bind(ctx):
        created = {create_note(ctx, f"n{i}").sk for i in range(23)}
        seen: list[str] = []
        cursor = None
        while True:
            page = db.query_page(ctx, ProbeNote, tenant_key(ctx, "PROBE"), scope="probe_notes", limit=10,
                                 cursor=cursor, range_key_condition=ProbeNote.sk.startswith("NOTE#"))
            seen += [item.sk for item in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
    assert sorted(seen) == sorted(created) and len(seen) == len(created)
    assert seen == sorted(seen, reverse=True)  # newest first


def _page_one(ctx: TenantContext) -> str:
    with bind(ctx):
        for i in range(3):
            create_note(ctx, f"n{i}")
        page = db.query_page(ctx, ProbeNote, tenant_key(ctx, "PROBE"), scope="probe_notes", limit=2)
    assert page.next_cursor
    return page.next_cursor


def test_tampered_cursor_is_rejected() -> None:
    ctx = make_ctx()
    cursor = _page_one(ctx)
    payload, mac = cursor.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded["k"]["sk"] = {"S": "NOTE#0"}
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode() + "." + mac
    for bad in (forged, "garbage", cursor + "x", "a.b", ""):
        with pytest.raises(errors.InvalidCursorError):
            db.decode_cursor(ctx, "probe_notes", bad)


def test_another_tenants_cursor_is_rejected() -> None:
    owner, other = make_ctx(), make_ctx()
    cursor = _page_one(owner)
    with pytest.raises(errors.InvalidCursorError):
        db.decode_cursor(other, "probe_notes", cursor)
    with pytest.raises(errors.InvalidCursorError):
        db.decode_cursor(owner, "another_list", cursor)


def test_bad_cursor_over_http_is_400() -> None:

    client = ApiClient(probe.build())
    owner = {"X-Probe-Tenant": probe.new_tenant()}
    for i in range(3):
        client.post("/api/v1/_probe/notes", {"text": f"n{i}"}, headers=owner)
    cursor = body(client.get("/api/v1/_probe/notes?limit=2", headers=owner))["next_cursor"]
    other = {"X-Probe-Tenant": probe.new_tenant()}
    response = client.get(f"/api/v1/_probe/notes?cursor={cursor}", headers=other)
    assert response.status_code == 400
    assert body(response)["error"]["code"] == "invalid_cursor"
    assert client.get("/api/v1/_probe/notes?cursor=forged.value", headers=owner).status_code == 400


def test_key_builders_refuse_separator_injection() -> None:
    ctx = make_ctx()
    with pytest.raises(ValueError):
        tenant_key(ctx, "CONTACT", "x#T#other")
    with pytest.raises(ValueError):
        TenantContext(tenant_id="T#evil")


def test_commit_refuses_another_tenants_item() -> None:
    ctx, other = make_ctx(), make_ctx()
    note = ProbeNote(tenant_key(other, "PROBE"), "NOTE#1", text="x")
    with pytest.raises(errors.ForbiddenError):
        db.commit(ctx, db.Change().save(note))


@pytest.mark.crosses_tenants_on_purpose
def test_watcher_flags_a_request_outside_the_bound_tenant(tenancy_watcher) -> None:
    ctx, other = make_ctx(), make_ctx()
    with bind(ctx), contextlib.suppress(ProbeNote.DoesNotExist):
        ProbeNote.get(tenant_key(other, "PROBE"), "NOTE#1")
    assert any(other.tenant_id in violation for violation in tenancy_watcher.violations)
    tenancy_watcher.reset()
    with contextlib.suppress(ProbeNote.DoesNotExist):  # no tenant bound: flagged too
        ProbeNote.get(tenant_key(ctx, "PROBE"), "NOTE#1")
    assert any("no tenant bound" in violation for violation in tenancy_watcher.violations)


def _values(item: db.MainTable) -> tuple[object, ...]:
    """What an item holds: its values' types and their serialized form (a MapAttribute's == builds a condition)."""
    # Opened again: sealing draws a fresh nonce, so two serializations of one item differ in their token.
    return ({name: type(value) for name, value in item.attribute_values.items()},
            db.open_personal(item.serialize(null_check=False)))


def test_items_are_read_exactly_as_pynamodb_reads_them(client: ApiClient) -> None:
    """``MainTable.from_raw_data`` (the fast read) against PynamoDB's own, on every item kind in the table."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.core.config import settings
    from tests.factories import signup

    company = signup(client, company="Reads Ltd")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {
        "first_name": "Anna", "last_name": "Karenina", "tags": ["vip"], "phones": [{"number": "+442079460001"}],
        "emails": [{"address": "anna@example.com"}], "iban": "GB82WEST12345698765432"}, token=token))
    client.post("/api/v1/deals", {"title": "Tulips", "contact_ids": [contact["id"]],
                                  "amount": {"minor": 1200, "currency": "GBP"}}, token=token)
    client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]}, "text": "Likes tulips."},
                token=token)
    # Straight from the in-process moto's table: no request (a Scan paging through other tenants' keys
    # would be flagged by the tenancy watcher, and rightly so).
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[settings.table_name]
    raw_items = [item.to_json()["Attributes"] for partition in list(table.items.values())
                 for item in list(partition.values())
                 if item.hash_key.value.startswith((f"T#{company.tenant_id}#", "G#"))]
    kinds = set()
    for raw in raw_items:
        try:
            expected = db.MainTable._instantiate(db.open_personal(raw))  # PynamoDB's own, on the opened values
        except ValueError:  # a kind no model of this process declares: refused both ways
            with pytest.raises(ValueError):
                db.MainTable.from_raw_data(raw)
            continue
        found = db.MainTable.from_raw_data(raw)
        assert type(found) is type(expected) and _values(found) == _values(expected), raw["kind"]
        kinds.add(type(found).__name__)
    assert len(kinds) > 20  # contacts, rows, lookups, deals, notes, audit records, users, sessions ...
