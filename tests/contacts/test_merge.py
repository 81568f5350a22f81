"""Merging two contacts loses nothing, and undoing a merge gives back exactly what was there."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ulid import ULID

from chalicelib.contacts import merge, service
from chalicelib.core import db, tenancy
from chalicelib.records import links as record_links
from chalicelib.records import timeline as timeline_service
from tests.contacts.helpers import card, context, listed, new_company, new_contact, timeline
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

VOLATILE = ("version", "updated_at", "timeline", "more_timeline", "more_links")


@pytest.fixture
def shop(client: ApiClient) -> Company:
    return signup(client, company="Merge Shop")


def _history(shop: Company, contact_id: str, *, entries: int, deal: bool = True) -> str:
    """Give a contact a deal link and many timeline entries (more than one transaction holds)."""
    with tenancy.bind(ctx := context(shop)):
        deal_id = tenancy.new_id()
        start = time.time() - 3600
        change = db.Change()  # gathered, then batch-written: moto copies its whole table per transaction
        if deal:
            record_links.link_item(ctx, change, "contact", subject_id=contact_id, kind="deal", ref_id=deal_id,
                              summary={"title": f"Deal of {contact_id[-4:]}"})
        for n in range(entries):
            timeline_service.add_entry(ctx, change, subject_type="contact", subject_id=contact_id, kind="call",
                                       summary=f"Call {n}", entry_id=str(ULID.from_timestamp(start + n)),
                                       data={"seconds": n})
        with db.MainTable.batch_write() as batch:
            for item in [*change.saves, *change.creates]:
                batch.save(item)
    return deal_id


def _pair(client: ApiClient, shop: Company) -> tuple[dict[str, Any], dict[str, Any]]:
    token = shop.owner.token
    company = new_company(client, token, name="Absorbed Ltd")
    kept = new_contact(client, token, first_name="Anna", phones=[{"number": "+12025550160"}],
                       emails=[{"address": "anna@example.com"}], tags=["vip"], iban="DE89370400440532013000")
    absorbed = new_contact(client, token, first_name="Ann", last_name="Lee", phones=[{"number": "+12025550161"}],
                           emails=[{"address": "ann.lee@example.com"}], tags=["eu"],
                           birthday="1985-02-03", passport_number="P9876543", company_ids=[company["id"]])
    return kept, absorbed


def _state(client: ApiClient, token: str, contact_id: str) -> tuple[dict[str, Any], list[str]]:
    shown = card(client, token, contact_id)
    return {k: v for k, v in shown.items() if k not in VOLATILE}, [e["id"] for e in timeline(client, token, contact_id)]


def _merge(client: ApiClient, token: str, kept: dict[str, Any], absorbed: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": absorbed["id"], "version": kept["version"], "other_version": absorbed["version"]}, token=token)


def test_a_merge_keeps_every_phone_email_tag_link_and_timeline_entry(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    _history(shop, kept["id"], entries=5)
    deal_id = _history(shop, absorbed["id"], entries=110)
    absorbed_timeline = timeline(client, token, absorbed["id"])
    absorbed_entries = {e["id"] for e in absorbed_timeline}
    kept_entries = {e["id"] for e in timeline(client, token, kept["id"])}
    response = _merge(client, token, kept, absorbed)
    assert response.status_code == 200, response.body
    assert body(response)["status"] == "done"
    merged = card(client, token, kept["id"])
    assert [p["number"] for p in merged["phones"]] == ["+12025550160", "+12025550161"]
    assert [e["address"] for e in merged["emails"]] == ["anna@example.com", "ann.lee@example.com"]
    assert merged["tags"] == ["vip", "eu"] and merged["last_name"] == "Lee" and merged["birthday"] == "1985-02-03"
    assert merged["iban"] == "••••3000" and merged["passport_number"] == "••••6543"
    assert deal_id in [link["id"] for link in merged["links"]["deal"]]
    assert merged["company_ids"] == absorbed["company_ids"]
    entries = timeline(client, token, kept["id"])
    ids = {e["id"] for e in entries}
    assert absorbed_entries | kept_entries <= ids and len(ids) == len(entries)
    assert sum(1 for e in entries if e["kind"] == "merge") == 1
    by_id = {e["id"]: e for e in entries}
    call = next(e for e in absorbed_timeline if e["kind"] == "call")
    assert by_id[call["id"]]["data"] == call["data"] and by_id[call["id"]]["summary"] == call["summary"]
    assert client.get(f"/api/v1/contacts/{absorbed['id']}", token=token).status_code == 404
    assert listed(client, token, "?q=lee") == [kept["id"]] and listed(client, token, "?tag=eu") == [kept["id"]]
    with tenancy.bind(ctx := context(shop)):
        gone = service.get_any(ctx, absorbed["id"])
        assert gone is not None and gone.merged_into == kept["id"] and gone.deleted_at is not None
        found = service.find_by_phone(ctx, "+12025550161")
        assert found is not None and found.contact_id == kept["id"]
        revealed = client.get(f"/api/v1/contacts/{kept['id']}?reveal=passport_number", token=token)
        assert body(revealed)["passport_number"] == "P9876543"  # re-sealed for the surviving contact


def test_undo_gives_back_both_contacts_exactly(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    _history(shop, kept["id"], entries=3)
    _history(shop, absorbed["id"], entries=105)
    company_id = absorbed["company_ids"][0]
    before_kept, before_absorbed = _state(client, token, kept["id"]), _state(client, token, absorbed["id"])
    company_before = body(client.get(f"/api/v1/companies/{company_id}", token=token))["contact_ids"]
    merge_id = body(_merge(client, token, kept, absorbed))["merge_id"]
    assert body(client.get(f"/api/v1/companies/{company_id}", token=token))["contact_ids"] == [kept["id"]]
    undone = client.post(f"/api/v1/merges/{merge_id}/undo", token=token)
    assert undone.status_code == 200, undone.body
    assert body(undone)["status"] == "undone"
    assert _state(client, token, kept["id"]) == before_kept
    assert _state(client, token, absorbed["id"]) == before_absorbed
    assert body(client.get(f"/api/v1/companies/{company_id}", token=token))["contact_ids"] == company_before
    assert listed(client, token, "?q=lee") == [absorbed["id"]] and listed(client, token, "?tag=eu") == [absorbed["id"]]
    with tenancy.bind(ctx := context(shop)):
        found = service.find_by_phone(ctx, "+12025550161")
        assert found is not None and found.contact_id == absorbed["id"]
    again = client.post(f"/api/v1/merges/{merge_id}/undo", token=token)
    assert again.status_code == 409 and body(again)["error"]["code"] == "merge_not_undoable"


def test_undo_is_refused_once_the_surviving_contact_changed(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    answer = body(_merge(client, token, kept, absorbed))
    edited = client.patch(f"/api/v1/contacts/{kept['id']}", {"version": answer["contact"]["version"],
                                                              "first_name": "Annette"}, token=token)
    assert edited.status_code == 200
    refused = client.post(f"/api/v1/merges/{answer['merge_id']}/undo", token=token)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "merge_undo_conflict"
    assert card(client, token, kept["id"])["first_name"] == "Annette"
    assert client.get(f"/api/v1/contacts/{absorbed['id']}", token=token).status_code == 404


def test_stale_versions_or_a_merge_that_cannot_fit_change_nothing(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    stale = client.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": absorbed["id"], "version": 1,
                                                                 "other_version": 7}, token=token)
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "version_conflict"
    crowded = new_contact(client, token, first_name="Crowded", tags=[f"a{n}" for n in range(15)])
    other = new_contact(client, token, first_name="Other", tags=[f"b{n}" for n in range(10)])
    too_many = _merge(client, token, crowded, other)
    assert too_many.status_code == 409 and body(too_many)["error"]["code"] == "merge_too_large"
    itself = _merge(client, token, kept, kept)
    assert itself.status_code == 422
    for contact in (kept, absorbed, crowded, other):
        assert card(client, token, contact["id"])["version"] == 1


def test_an_agent_cannot_merge_contacts_away(client: ApiClient, shop: Company) -> None:
    agent = add_member(client, shop, role="agent", name="merger")
    first = new_contact(client, agent.token, first_name="Mine1")
    second = new_contact(client, agent.token, first_name="Mine2")
    assert _merge(client, agent.token, first, second).status_code == 403


class Crash(Exception):
    """A Lambda dying half-way through a merge."""


def test_an_interrupted_merge_stays_invisible_and_a_retry_finishes_it(client: ApiClient, shop: Company,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    _history(shop, absorbed["id"], entries=40)
    before_kept = _state(client, token, kept["id"])
    real_final = merge._final_change

    def crash(*args: Any, **kwargs: Any) -> Any:
        if merge.get_record(args[0], args[1].merge_id) is not None:  # the dry run passes, the real step dies
            raise Crash()
        return real_final(*args, **kwargs)

    monkeypatch.setattr(merge, "_final_change", crash)
    with tenancy.bind(ctx := context(shop)), pytest.raises(Crash):
        merge.merge(ctx, kept["id"], other_id=absorbed["id"], version=1, other_version=1)
    assert _state(client, token, kept["id"]) == before_kept  # the copies exist but stay hidden
    monkeypatch.setattr(merge, "_final_change", real_final)
    retried = _merge(client, token, kept, absorbed)
    assert retried.status_code == 200, retried.body
    assert len(timeline(client, token, kept["id"])) == 1 + 41 + 1  # created, absorbed's 41, the merge


def test_undoing_an_interrupted_merge_abandons_it(client: ApiClient, shop: Company,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    _history(shop, absorbed["id"], entries=10)
    before = _state(client, token, kept["id"]), _state(client, token, absorbed["id"])
    monkeypatch.setattr(merge, "_finish", lambda ctx, record: record)  # dies right after step 1
    with tenancy.bind(ctx := context(shop)):
        record, _ = merge.merge(ctx, kept["id"], other_id=absorbed["id"], version=1, other_version=1)
    assert record.status == "in_progress"
    undone = client.post(f"/api/v1/merges/{record.merge_id}/undo", token=token)
    assert undone.status_code == 200 and body(undone)["status"] == "abandoned"
    assert (_state(client, token, kept["id"]), _state(client, token, absorbed["id"])) == before
    with tenancy.bind(ctx):
        assert service.hidden_in_flight(ctx, kept["id"]) == set()


def test_a_deal_unlinked_from_a_merged_contact_leaves_the_survivor_too(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept, absorbed = _pair(client, shop)
    deal_id = _history(shop, absorbed["id"], entries=0)
    _merge(client, token, kept, absorbed)
    assert [link["id"] for link in card(client, token, kept["id"])["links"]["deal"]] == [deal_id]
    with tenancy.bind(ctx := context(shop)):
        assert service.resolve(ctx, absorbed["id"]) == kept["id"]
        change = db.Change()
        record_links.unlink_item(ctx, change, "contact", subject_id=absorbed["id"], kind="deal", ref_id=deal_id)
        db.commit(ctx, change)
    assert card(client, token, kept["id"])["links"]["deal"] == []
