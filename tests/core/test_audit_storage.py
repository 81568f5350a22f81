"""Audit records are stored compactly (#22: write units are the bill) and read back exactly as before."""

from __future__ import annotations

import json
from typing import Any

import boto3

from chalicelib.core import audit, crypto, db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind, new_id, tenant_key
from tests.core.probe import ProbeNote


def _raw(record: audit.AuditRecord) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name=settings.region)
    return dict(client.get_item(TableName=settings.table_name, Key={"pk": {"S": record.pk}, "sk": {"S": record.sk}},
                                ConsistentRead=True)["Item"])


def _note_with_history(ctx: TenantContext) -> tuple[str, list[audit.AuditRecord]]:
    note_id = new_id()
    note = ProbeNote(tenant_key(ctx, "PROBE"), f"NOTE#{note_id}", text="Привет")
    change = db.Change().save(note)
    audit.attach(ctx, change, note, entity="probe_note", entity_id=note_id, action="create", before=None,
                 after={"text": "Привет", "colour": None})
    db.commit(ctx, change)
    change = db.Change().save(note)
    audit.attach(ctx, change, note, entity="probe_note", entity_id=note_id, action="update",
                 before={"text": "Привет", "pinned": False}, after={"text": None, "pinned": True})
    db.commit(ctx, change)
    return note_id, audit.chain_records(ctx, "probe_note", note_id)


def _tenant() -> TenantContext:
    """A tenant with its data key: the changes an audit record keeps are sealed under it (#21)."""
    ctx = TenantContext(tenant_id=new_id(), actor_id="tester")
    with bind(ctx):
        crypto.provision_key(ctx)
    return ctx


def test_a_record_stores_no_value_its_keys_hold_and_its_changes_compactly() -> None:
    ctx = _tenant()
    with bind(ctx):
        note_id, (created, updated) = _note_with_history(ctx)
        stored_item = _raw(created)
        raw = db.open_personal(stored_item)
    assert "changes" not in stored_item and "Привет" not in json.dumps(stored_item, ensure_ascii=False)
    assert not {"entity", "entity_id", "audit_id", "entity_version"} & raw.keys()
    stored = raw["changes"]["S"]
    assert " " not in stored and "Привет" in stored and "before" not in stored  # no spaces, escapes or nulls
    assert (created.entity, created.entity_id, created.audit_id) == ("probe_note", note_id,
                                                                     created.gsi1sk.rsplit("#", 1)[1])
    assert created.changes == {"text": {"before": None, "after": "Привет"}}
    assert updated.changes == {"pinned": {"before": False, "after": True}, "text": {"before": "Привет", "after": None}}
    assert audit.verify_chain([created, updated]) is None
    with bind(ctx):
        assert audit.find_record(ctx, updated.audit_id) is not None


def test_a_record_stored_in_the_earlier_shape_reads_and_verifies_as_it_did() -> None:
    ctx = _tenant()
    client = boto3.client("dynamodb", region_name=settings.region)
    with bind(ctx):
        note_id, (created, updated) = _note_with_history(ctx)
        for record in (created, updated):  # as written before #22 (and #21): every field, changes in clear
            raw = db.open_personal(_raw(record))
            raw |= {"entity": {"S": "probe_note"}, "entity_id": {"S": note_id}, "audit_id": {"S": record.audit_id},
                    "entity_version": {"N": str(int(record.seq))},
                    "changes": {"S": json.dumps(record.changes)}}
            client.put_item(TableName=settings.table_name, Item=raw)
        again = audit.chain_records(ctx, "probe_note", note_id)
        found = audit.find_record(ctx, created.audit_id)
    assert [audit.record_content(record) for record in again] == [audit.record_content(r) for r in (created, updated)]
    assert audit.verify_chain(again) is None
    assert found is not None and found.audit_id == created.audit_id


def test_changes_of_an_unusual_shape_are_kept_as_given() -> None:
    attribute = audit.ChangesAttribute()
    for changes in ({}, {"x": {"before": None, "after": None}}, {"x": {"after": 1}}, {"~": {"before": 1, "after": 2}},
                    {"x": {"before": [1, {"a": None}], "after": {"b": "c"}}}):
        assert attribute.deserialize(attribute.serialize(changes)) == changes
