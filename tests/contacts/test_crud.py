"""Contacts: create, read, update, validation, duplicates, stale versions, bulk actions."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.contacts import service
from chalicelib.contacts.schemas import ContactCreate
from chalicelib.core import tenancy
from tests.contacts.helpers import card, context, new_contact
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    return signup(ApiClient(app), company="Flower Shop", country="RU")


def test_a_contact_is_created_with_every_field_and_read_back(client: ApiClient, shop: Company) -> None:
    created = new_contact(
        client, shop.owner.token, first_name=" Maria ", last_name="Lopez",
        phones=[{"number": "8 (999) 765-43-21", "kind": "work"}], emails=[{"address": "Maria.Lopez@Example.COM"}],
        tags=["VIP", "wholesale"], messengers={"whatsapp": "+7 999 765 43 21", "telegram_username": "@marial"},
        billing_address={"line1": "Tverskaya 1", "city": "Moscow", "country": "RU"}, birthday="1990-05-17",
        utm={"source": "google", "campaign": "spring"}, consent={"marketing": True, "source": "form"},
        passport_number="4510 123456", tax_id="7707083893",
    )
    assert created["first_name"] == "Maria" and created["version"] == 1
    assert created["phones"] == [{"number": "+79997654321", "kind": "work"}]
    assert created["emails"] == [{"address": "maria.lopez@example.com", "kind": "work"}]
    assert created["tags"] == ["vip", "wholesale"]
    assert created["messengers"] == {"whatsapp": "+79997654321", "telegram_username": "marial"}
    assert created["passport_number"] == "••••3456" and created["tax_id"] == "••••3893"
    shown = card(client, shop.owner.token, created["id"])
    assert shown["billing_address"] == {"line1": "Tverskaya 1", "city": "Moscow", "country": "RU"}
    assert shown["birthday"] == "1990-05-17" and shown["consent"]["marketing"] is True
    assert [entry["kind"] for entry in shown["timeline"]] == ["created"]


@pytest.mark.parametrize("fields, where", [
    ({"phones": [{"number": "12"}]}, "phones"),
    ({"phones": [{"number": "+7 999 12"}]}, "phones"),
    ({"emails": [{"address": "not-an-email"}]}, "emails"),
    ({"emails": [{"address": "a@b"}]}, "emails"),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ({"tags": ["has#hash"]}, "tags"),
    ({"phones": [{"number": f"+7999123456{i}"} for i in range(11)]}, "phones"),
    ({"iban": "DE00 0000 0000 0000 0000 00"}, "iban"),
    ({"birthday": "1990-13-01"}, "birthday"),
    ({"first_name": "X", "unknown": 1}, "unknown"),
    ({"owner_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}, "owner_id"),
    ({"first_name": "", "last_name": ""}, "first_name"),
])
def test_bad_input_answers_422_and_creates_nothing(client: ApiClient, shop: Company, fields: dict[str, Any],
                                                   where: str) -> None:
    fields = {"first_name": "Valid", **fields}
    before = body(client.get("/api/v1/contacts?limit=200", token=shop.owner.token))["items"]
    response = client.post("/api/v1/contacts", fields, token=shop.owner.token)
    assert response.status_code == 422, response.body
    assert where in str(body(response)["error"]["details"])
    assert body(client.get("/api/v1/contacts?limit=200", token=shop.owner.token))["items"] == before


def test_update_changes_fields_and_bumps_the_version(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token, phones=[{"number": "+79990000001"}])
    response = client.patch(f"/api/v1/contacts/{contact['id']}", {
        "version": 1, "last_name": "Smirnova", "phones": [{"number": "+79990000002"}], "birthday": None,
    }, token=shop.owner.token)
    assert response.status_code == 200, response.body
    updated = body(response)
    assert updated["last_name"] == "Smirnova" and updated["version"] == 2
    assert updated["phones"] == [{"number": "+79990000002", "kind": "mobile"}]
    with tenancy.bind(ctx := context(shop)):
        assert service.find_by_phone(ctx, "+79990000001") is None  # the old phone's lookup is released
        found = service.find_by_phone(ctx, "8 999 000-00-02")
        assert found is not None and found.contact_id == contact["id"]


def test_a_stale_version_answers_409_and_leaves_the_contact(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token, first_name="Olga")
    first = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": 1, "first_name": "Olya"},
                         token=shop.owner.token)
    assert first.status_code == 200
    stale = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": 1, "first_name": "Helga",
                                                               "phones": [{"number": "+79990000077"}]},
                         token=shop.owner.token)
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "version_conflict"
    shown = card(client, shop.owner.token, contact["id"])
    assert shown["first_name"] == "Olya" and shown["version"] == 2 and shown["phones"] == []
    with tenancy.bind(ctx := context(shop)):
        assert service.find_by_phone(ctx, "+79990000077") is None


def test_a_duplicate_phone_or_email_answers_409_with_the_existing_id(client: ApiClient, shop: Company) -> None:
    existing = new_contact(client, shop.owner.token, phones=[{"number": "+79991112233"}],
                           emails=[{"address": "dup@example.com"}])
    by_phone = client.post("/api/v1/contacts", {"first_name": "B", "phones": [{"number": "8 999 111 22 33"}]},
                           token=shop.owner.token)
    assert by_phone.status_code == 409
    assert body(by_phone)["error"]["code"] == "duplicate_contact"
    assert body(by_phone)["error"]["details"] == [{"match": "phone", "existing_id": existing["id"]}]
    by_email = client.post("/api/v1/contacts", {"first_name": "C", "emails": [{"address": "DUP@example.com"}]},
                           token=shop.owner.token)
    assert body(by_email)["error"]["details"] == [{"match": "email", "existing_id": existing["id"]}]
    with tenancy.bind(ctx := context(shop)):
        data = ContactCreate(first_name="D", emails=[{"address": "dup@example.com"}])  # type: ignore[list-item]
        assert service.find_duplicates(ctx, data) == [("email", existing["id"])]


def test_on_duplicate_merge_folds_the_new_data_into_the_existing_contact(client: ApiClient, shop: Company) -> None:
    existing = new_contact(client, shop.owner.token, first_name="Ivan", phones=[{"number": "+79995556677"}],
                           tags=["old"])
    response = client.post("/api/v1/contacts", {
        "first_name": "Ignored", "last_name": "Petrov", "phones": [{"number": "+79995556677"}],
        "emails": [{"address": "ivan.p@example.com"}], "tags": ["new"], "on_duplicate": "merge",
    }, token=shop.owner.token)
    assert response.status_code == 200, response.body
    merged = body(response)
    assert merged["id"] == existing["id"] and merged["first_name"] == "Ivan" and merged["last_name"] == "Petrov"
    assert merged["tags"] == ["old", "new"] and merged["emails"][0]["address"] == "ivan.p@example.com"
    with tenancy.bind(ctx := context(shop)):
        found = service.find_by_email(ctx, "IVAN.P@example.com")
        assert found is not None and found.contact_id == existing["id"]


def test_a_contact_can_be_created_with_a_chosen_id_only_once(client: ApiClient, shop: Company) -> None:
    with tenancy.bind(ctx := context(shop)):
        chosen = tenancy.new_id()
        service.create(ctx, data=ContactCreate(first_name="Imported"), source="import", contact_id=chosen)
        from chalicelib.core import errors

        with pytest.raises(errors.ConflictError):
            service.create(ctx, data=ContactCreate(first_name="Again"), source="import", contact_id=chosen)
    shown = card(client, shop.owner.token, chosen)
    assert shown["first_name"] == "Imported" and shown["source"] == "import"


def test_bulk_actions_report_an_outcome_per_contact(client: ApiClient, shop: Company) -> None:
    first = new_contact(client, shop.owner.token, tags=["a"])
    second = new_contact(client, shop.owner.token)
    missing = "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    tagged = client.post("/api/v1/contacts/bulk", {"ids": [first["id"], second["id"], missing], "action": "tag",
                                                   "tags": ["b"]}, token=shop.owner.token)
    assert tagged.status_code == 200, tagged.body
    outcomes = {item["id"]: item for item in body(tagged)["items"]}
    assert outcomes[first["id"]]["ok"] and outcomes[second["id"]]["ok"]
    assert outcomes[missing] == {"id": missing, "ok": False, "status": 404, "code": "not_found", "version": None}
    assert card(client, shop.owner.token, first["id"])["tags"] == ["a", "b"]
    untagged = client.post("/api/v1/contacts/bulk", {"ids": [first["id"]], "action": "untag", "tags": ["a"]},
                           token=shop.owner.token)
    assert body(untagged)["items"][0]["ok"] and card(client, shop.owner.token, first["id"])["tags"] == ["b"]
    deleted = client.post("/api/v1/contacts/bulk", {"ids": [second["id"]], "action": "delete"},
                          token=shop.owner.token)
    assert body(deleted)["items"][0]["ok"]
    assert client.get(f"/api/v1/contacts/{second['id']}", token=shop.owner.token).status_code == 404
    no_owner = client.post("/api/v1/contacts/bulk", {"ids": [first["id"]], "action": "assign"},
                           token=shop.owner.token)
    assert no_owner.status_code == 422


def test_every_write_is_audited_with_sensitive_values_masked(client: ApiClient, shop: Company) -> None:
    from chalicelib.core import audit

    contact = new_contact(client, shop.owner.token, iban="GB82 WEST 1234 5698 7654 32")
    client.patch(f"/api/v1/contacts/{contact['id']}", {"version": 1, "iban": "DE89370400440532013000"},
                 token=shop.owner.token)
    with tenancy.bind(ctx := context(shop)):
        records = list(audit.AuditRecord.query(audit.entity_key(ctx, "contact", contact["id"])))
    assert [r.action for r in records] == ["create", "update"]
    assert audit.verify_chain(records) is None
    assert records[1].changes["iban"] == {"before": audit.MASK, "after": audit.MASK}
    assert "GB82" not in str([r.changes for r in records]) and "DE89" not in str([r.changes for r in records])
