"""The contact card: one Query for the contact, its links by kind and its newest timeline entries."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ulid import ULID

from chalicelib.contacts import service
from chalicelib.core import db, tenancy
from chalicelib.records import links as record_links
from chalicelib.records import timeline as timeline_service
from tests.contacts.helpers import card, context, new_contact, timeline
from tests.factories import Company, signup
from tests.support import ApiClient
from tests.watcher import Watcher


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Card Shop")


def _add_links_and_entries(shop: Company, contact_id: str, *, entries: int) -> tuple[str, str]:
    with tenancy.bind(ctx := context(shop)):
        deal_id, task_id = tenancy.new_id(), tenancy.new_id()
        change = db.Change()
        record_links.link_item(ctx, change, "contact", subject_id=contact_id, kind="deal", ref_id=deal_id,
                          summary={"title": "Big order", "amount": 150000, "currency": "USD"})
        record_links.link_item(ctx, change, "contact", subject_id=contact_id, kind="task", ref_id=task_id,
                          summary={"title": "Call back"})
        start = time.time()
        for n in range(entries):  # a millisecond apart, so "newest first" has one answer
            timeline_service.add_entry(ctx, change, subject_type="contact", subject_id=contact_id, kind="note",
                                       summary=f"Note {n}", entry_id=str(ULID.from_timestamp(start + n / 1000)))
        db.commit(ctx, change)
    return deal_id, task_id


def test_the_card_is_one_query(client: ApiClient, shop: Company, tenancy_watcher: Watcher) -> None:
    contact = new_contact(client, shop.owner.token, iban="DE89370400440532013000")
    _add_links_and_entries(shop, contact["id"], entries=3)
    tenancy_watcher.reset()
    shown = card(client, shop.owner.token, contact["id"])
    operations = [operation for operation, _ in tenancy_watcher.requests if operation != "BatchGetItem"]
    assert operations == ["Query"], tenancy_watcher.requests  # BatchGetItem is the request's authentication
    assert len(shown["timeline"]) == 4 and shown["more_timeline"] is False


def test_the_card_groups_links_by_kind_and_shows_the_newest_entries(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token)
    deal_id, task_id = _add_links_and_entries(shop, contact["id"], entries=25)
    shown = card(client, shop.owner.token, contact["id"])
    assert [link["id"] for link in shown["links"]["deal"]] == [deal_id]
    assert shown["links"]["deal"][0]["summary"] == {"title": "Big order", "amount": 150000, "currency": "USD"}
    assert [link["id"] for link in shown["links"]["task"]] == [task_id]
    assert shown["links"]["company"] == []
    assert [entry["summary"] for entry in shown["timeline"][:2]] == ["Note 24", "Note 23"]
    assert len(shown["timeline"]) == 20 and shown["more_timeline"] is True
    everything = timeline(client, shop.owner.token, contact["id"])
    assert len(everything) == 26 and everything[-1]["kind"] == "created"
    assert len({entry["id"] for entry in everything}) == 26


def test_unlinking_removes_the_link_from_the_card(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token)
    deal_id, _ = _add_links_and_entries(shop, contact["id"], entries=0)
    with tenancy.bind(ctx := context(shop)):
        change = db.Change()
        record_links.unlink_item(ctx, change, "contact", subject_id=contact["id"], kind="deal", ref_id=deal_id)
        db.commit(ctx, change)
    assert card(client, shop.owner.token, contact["id"])["links"]["deal"] == []


def test_lookups_by_phone_and_email_take_two_reads(client: ApiClient, shop: Company,
                                                   tenancy_watcher: Watcher) -> None:
    contact = new_contact(client, shop.owner.token, phones=[{"number": "+1 202 555 0177"}],
                          emails=[{"address": "reads@example.com"}])
    with tenancy.bind(ctx := context(shop)):
        tenancy_watcher.reset()
        found = service.find_by_phone(ctx, "+12025550177")
        assert found is not None and found.contact_id == contact["id"]
        assert [op for op, _ in tenancy_watcher.requests] == ["GetItem", "GetItem"]
        by_email = service.find_by_email(ctx, "Reads@Example.com")
        assert by_email is not None and by_email.contact_id == contact["id"]
        assert service.find_by_phone(ctx, "+12025550178") is None and service.find_by_email(ctx, "x@y.z") is None


CARD_IMPORTS = r"""
import json, sys
import app
import chalicelib.contacts.card.routes
print(json.dumps(sorted(m for m in sys.modules if m.startswith("chalicelib."))))
"""


def test_the_card_route_loads_no_write_merge_bulk_or_custom_field_module() -> None:
    """A cold Lambda's first card imports its own route module only (#22 target 4, bench.cold_start): not the
    contacts' other routes, their services and request schemas, nor the custom-field definitions."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "CRM_STAGE": "test", "AWS_DEFAULT_REGION": "eu-west-1"}
    done = subprocess.run([sys.executable, "-c", CARD_IMPORTS], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"chalicelib.contacts.read_schemas", "chalicelib.records.card"} <= loaded
    unwanted = {"chalicelib.contacts.routes", "chalicelib.contacts.service", "chalicelib.contacts.schemas",
                "chalicelib.contacts.merge", "chalicelib.records.bulk", "chalicelib.contacts.links",
                "chalicelib.contacts.derived", "chalicelib.records.routes", "chalicelib.records.store",
                "chalicelib.records.customfields.service", "chalicelib.records.customfields.schemas"}
    assert not loaded & unwanted, sorted(loaded & unwanted)
