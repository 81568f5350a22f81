"""Contacts: a search by phone or e-mail is one GetItem of the lookup item, which carries the list row.

The lookup's copy of the row is rewritten with every change of the contact (rename, owner, trash and
restore, merge and its undo), is exactly as sensitive as the row, and still goes through the list's
permission filter; a lookup written before lookups carried the row is answered from the contact.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.contacts import derived
from chalicelib.contacts.models import ContactLookup, ContactRow
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import ContactListQuery
from chalicelib.core import db, tenancy
from chalicelib.records import matching, search
from tests.contacts.helpers import card, context, listed, new_contact
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body
from tests.watcher import WATCHER


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Lookup Shop", country="GB")


def _found(client: ApiClient, token: str, q: str) -> list[dict[str, Any]]:
    """The items a search answers (asserts 200)."""
    response = client.get(f"/api/v1/contacts?q={quote(q)}", token=token)
    assert response.status_code == 200, response.body
    return list(body(response)["items"])


def _listed_row(client: ApiClient, token: str, contact_id: str) -> dict[str, Any]:
    """The contact's item as the plain list (its ALL row) shows it."""
    response = client.get("/api/v1/contacts?limit=200", token=token)
    assert response.status_code == 200, response.body
    return next(item for item in body(response)["items"] if item["id"] == contact_id)


def _requests(company: Company, q: str) -> tuple[list[str], list[ContactRow]]:
    """(DynamoDB operations, rows) of one search at the service level, the tenant's region already known."""
    ctx = context(company)
    with tenancy.bind(ctx):
        matching.tenant_region(ctx)  # read once per tenant and cached: not part of a search
        start = len(WATCHER.requests)
        rows = search.list_records(ctx, CONTACT, ContactListQuery(q=q)).items
        with WATCHER.lock:
            operations = [operation for operation, _ in WATCHER.requests[start:]]
    return operations, rows


def _make_legacy(company: Company, *pks: str, contact_id: str) -> None:
    """Overwrite lookups with what was written before lookups carried the row: the contact id alone."""
    with tenancy.bind(context(company)), db.translate_errors():
        for pk in pks:
            ContactLookup(pk, derived.LOOKUP_SK, contact_id=contact_id).save()


def test_a_phone_or_email_search_is_one_get_item(client: ApiClient, shop: Company) -> None:
    made = new_contact(client, shop.owner.token, first_name="Anna", last_name="Karenina", tags=["vip"],
                       phones=[{"number": "+442079460003"}], emails=[{"address": "Anna.K@example.com"}])
    for q in ("+442079460003", "020 7946 0003", "anna.k@example.com", "ANNA.K@example.com"):
        operations, rows = _requests(shop, q)
        assert operations == ["GetItem"], q
        assert [row.record_id for row in rows] == [made["id"]]
        assert rows[0].first_name == "Anna" and rows[0].tags == {"vip"} and rows[0].version == made["version"]
        assert _found(client, shop.owner.token, q) == [_listed_row(client, shop.owner.token, made["id"])]


def test_the_found_row_follows_a_rename_and_every_later_change(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Lev", phones=[{"number": "+442079460111"}],
                       emails=[{"address": "lev@example.com"}])
    renamed = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"], "first_name": "Leo",
                                                               "last_name": "Tolstoy", "tags": ["author"]}, token=token)
    assert renamed.status_code == 200, renamed.body
    for q in ("+442079460111", "lev@example.com"):
        operations, rows = _requests(shop, q)
        assert operations == ["GetItem"]
        assert (rows[0].first_name, rows[0].last_name, rows[0].tags) == ("Leo", "Tolstoy", {"author"})
        shown = _found(client, token, q)
        assert shown == [_listed_row(client, token, made["id"])]
        assert shown[0]["version"] == body(renamed)["version"] == card(client, token, made["id"])["version"]
    # a phone added later gets the row too; a phone removed stops finding the contact
    again = client.patch(f"/api/v1/contacts/{made['id']}", {"version": body(renamed)["version"],
                                                             "phones": [{"number": "+442079460112"}]}, token=token)
    assert again.status_code == 200, again.body
    assert _found(client, token, "+442079460111") == []
    assert _found(client, token, "+442079460112") == [_listed_row(client, token, made["id"])]
    assert _found(client, token, "lev@example.com")[0]["phone"] == "+442079460112"


def test_trash_and_restore_release_and_claim_the_lookups_with_the_row(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Kitty", phones=[{"number": "+442079460222"}],
                       emails=[{"address": "kitty@example.com"}])
    assert client.delete(f"/api/v1/contacts/{made['id']}", token=token).status_code in (200, 204)
    assert _found(client, token, "+442079460222") == [] and _requests(shop, "+442079460222")[0] == ["GetItem"]
    assert _found(client, token, "kitty@example.com") == []
    restored = client.post(f"/api/v1/contacts/{made['id']}/restore", token=token)
    assert restored.status_code == 200, restored.body
    for q in ("+442079460222", "kitty@example.com"):
        shown = _found(client, token, q)
        assert shown == [_listed_row(client, token, made["id"])] and shown[0]["deleted_at"] is None
        assert shown[0]["version"] == body(restored)["version"]


def test_a_merge_and_its_undo_move_the_lookups_with_the_right_rows(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    kept = new_contact(client, token, first_name="Dolly", phones=[{"number": "+442079460333"}])
    absorbed = new_contact(client, token, first_name="Dolly", last_name="Oblonskaya",
                           phones=[{"number": "+442079460334"}], emails=[{"address": "dolly@example.com"}])
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": absorbed["id"], "version": kept["version"], "other_version": absorbed["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    survivor = _listed_row(client, token, kept["id"])
    assert survivor["last_name"] == "Oblonskaya"
    for q in ("+442079460333", "+442079460334", "dolly@example.com"):
        assert _found(client, token, q) == [survivor]
        assert _requests(shop, q)[0] == ["GetItem"]
    undone = client.post(f"/api/v1/merges/{body(merged)['merge_id']}/undo", token=token)
    assert undone.status_code == 200, undone.body
    assert _found(client, token, "+442079460333") == [_listed_row(client, token, kept["id"])]
    for q in ("+442079460334", "dolly@example.com"):
        assert _found(client, token, q) == [_listed_row(client, token, absorbed["id"])]


def test_a_lookup_carries_the_rows_attributes_and_nothing_sensitive(client: ApiClient, shop: Company) -> None:
    made = new_contact(client, shop.owner.token, first_name="Vronsky", phones=[{"number": "+442079460444"}],
                       iban="DE89370400440532013000", passport_number="AB1234567", tax_id="7707083893")
    with tenancy.bind(ctx := context(shop)):
        lookup = db.get(ctx, ContactLookup, derived.phone_key(ctx, "+442079460444"), derived.LOOKUP_SK)
        row = db.get(ctx, ContactRow, tenancy.tenant_key(ctx, derived.SPACE, "ALL"), made["id"])
    assert lookup is not None and row is not None
    carried = set(lookup.attribute_values) - {"pk", "sk", "kind", "contact_id"}
    assert carried and carried <= set(row.attribute_values)
    stored = lookup.serialize()
    assert "Vronsky" not in json.dumps(stored, ensure_ascii=False)  # the row it carries is sealed (#21)
    text = json.dumps(db.open_personal(stored), ensure_ascii=False)
    assert "Vronsky" in text
    for secret in ("DE89370400440532013000", "AB1234567", "7707083893", "v1:", "••••"):
        assert secret not in text


class Desk:
    """A tenant with two agents (each sees only its own contacts) and a contact of the second one."""

    def __init__(self, client: ApiClient) -> None:
        self.company = signup(client, company="Desk")
        self.agent: Member = add_member(client, self.company, role="agent", name="agent")
        self.other: Member = add_member(client, self.company, role="agent", name="other")
        self.contact = new_contact(client, self.company.owner.token, first_name="Stiva",
                                   owner_id=self.other.user_id, phones=[{"number": "+442079460555"}],
                                   emails=[{"address": "stiva@example.com"}])


@pytest.fixture(scope="module")
def desk(app: Any) -> Desk:
    return Desk(ApiClient(app))


def test_a_restricted_agent_does_not_find_another_owners_contact_by_phone_or_email(client: ApiClient,
                                                                                   desk: Desk) -> None:
    contact_id = desk.contact["id"]
    for q in ("+442079460555", "stiva@example.com"):
        assert _found(client, desk.agent.token, q) == []
        assert [item["id"] for item in _found(client, desk.other.token, q)] == [contact_id]
    # reassigned to the first agent: the lookups' rows follow the owner, and so does who finds it
    owner = desk.company.owner.token
    reassigned = client.patch(f"/api/v1/contacts/{contact_id}", {"version": card(client, owner, contact_id)["version"],
                                                                 "owner_id": desk.agent.user_id}, token=owner)
    assert reassigned.status_code == 200, reassigned.body
    for q in ("+442079460555", "stiva@example.com"):
        assert [item["id"] for item in _found(client, desk.agent.token, q)] == [contact_id]
        assert _found(client, desk.other.token, q) == []
    assert listed(client, desk.other.token, "?q=stiva") == []


def test_a_lookup_written_before_it_carried_the_row_still_finds_the_contact(client: ApiClient,
                                                                           shop: Company) -> None:
    token = shop.owner.token
    made = new_contact(client, token, first_name="Seryozha", phones=[{"number": "+442079460666"}],
                       emails=[{"address": "seryozha@example.com"}])
    with tenancy.bind(ctx := context(shop)):
        pks = (derived.phone_key(ctx, "+442079460666"), derived.email_key(ctx, "seryozha@example.com"))
    _make_legacy(shop, *pks, contact_id=made["id"])
    for q in ("+442079460666", "seryozha@example.com"):
        operations, rows = _requests(shop, q)
        assert operations == ["GetItem", "GetItem"]  # the lookup, then the contact
        assert [row.record_id for row in rows] == [made["id"]]
        assert _found(client, token, q) == [_listed_row(client, token, made["id"])]
    duplicate = client.post("/api/v1/contacts", {"first_name": "Copy", "phones": [{"number": "+442079460666"}]},
                            token=token)
    assert duplicate.status_code == 409 and body(duplicate)["error"]["code"] == "duplicate_contact"
    # the next change of the contact writes the row into its lookups
    renamed = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"], "first_name": "Sergei"},
                           token=token)
    assert renamed.status_code == 200, renamed.body
    for q in ("+442079460666", "seryozha@example.com"):
        operations, rows = _requests(shop, q)
        assert operations == ["GetItem"] and rows[0].first_name == "Sergei"
    # a legacy lookup is released like any other
    _make_legacy(shop, *pks, contact_id=made["id"])
    assert client.delete(f"/api/v1/contacts/{made['id']}", token=token).status_code in (200, 204)
    assert _found(client, token, "+442079460666") == []
    assert new_contact(client, token, first_name="Next", phones=[{"number": "+442079460666"}])["id"] != made["id"]
