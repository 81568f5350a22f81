"""An item's personal attributes are one token bound to the item (#21): it opens only where it was sealed."""

from __future__ import annotations

import pytest

from chalicelib.contacts.models import ContactRow
from chalicelib.core import crypto, db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.records.models import RecordLink


def _tenant() -> TenantContext:
    ctx = TenantContext(tenant_id=new_id(), actor_id="tester")
    with bind(ctx):
        crypto.provision_key(ctx)
    return ctx


def _row(ctx: TenantContext, record_id: str, name: str) -> ContactRow:
    return ContactRow(f"T#{ctx.tenant_id}#CX#ALL", record_id, record_id=record_id, first_name=name, owner_id="u",
                      tokens=name.lower(), created_at=db.utcnow(), updated_at=db.utcnow(), version=1)


def test_the_token_holds_the_personal_attributes_and_reads_back() -> None:
    ctx = _tenant()
    with bind(ctx):
        stored = _row(ctx, new_id(), "Quixotella").serialize()
        assert "first_name" not in stored and "tokens" not in stored and "Quixotella" not in str(stored)
        assert stored["owner_id"] == {"S": "u"}  # what lists are keyed and filtered by stays in clear
        row = ContactRow.from_raw_data(stored)
    assert (row.first_name, row.tokens) == ("Quixotella", "quixotella")


def test_a_token_moved_to_another_record_or_tenant_does_not_open() -> None:
    ctx, other = _tenant(), _tenant()
    with bind(ctx):
        first, second = _row(ctx, new_id(), "Anna").serialize(), _row(ctx, new_id(), "Boris").serialize()
        moved = {**second, "pd": first["pd"]}  # Anna's values pasted onto Boris's row
        with pytest.raises(crypto.DecryptionError):
            ContactRow.from_raw_data(moved)
    foreign = {**first, "pk": {"S": f"T#{other.tenant_id}#CX#ALL"}}  # the same item under another tenant
    with bind(other), pytest.raises(crypto.DecryptionError):
        ContactRow.from_raw_data(foreign)


def test_counters_never_go_on_an_item_with_personal_attributes() -> None:
    # An UpdateItem would set them in clear beside the token: a model that seals refuses counters outright.
    link = RecordLink("T#x#C#1", "TASK#1", link_kind="task", ref_id="1")
    with pytest.raises(TypeError):
        db.Change().add(link, count=1)


def test_the_associated_data_is_the_json_of_the_identity() -> None:
    # Tokens sealed before the fast path must keep opening: the bytes are exactly json.dumps of the list.
    import json

    ctx = TenantContext(tenant_id=new_id())
    for record_id in ("T#x#C#1", 'odd "quoted" \\ id', "ünïcode"):
        expected = json.dumps(["v1", 3, ctx.tenant_id, "contact", record_id, "pd"], separators=(",", ":"),
                              ensure_ascii=True).encode()
        assert crypto._associated_data(ctx, 3, "contact", record_id, "pd") == expected
