"""The contacts' trash: delete, restore within 30 days, purge by an admin or by the expiry job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.contacts import service
from chalicelib.contacts.record import CONTACT
from chalicelib.core import audit, db, tenancy
from chalicelib.records import trash
from tests.contacts.helpers import card, context, listed, new_contact
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def shop(app: Any) -> Company:
    company = signup(ApiClient(app), company="Trash Shop")
    add_member(ApiClient(app), company, role="manager", name="boss")
    return company


def trashed(client: ApiClient, token: str) -> list[str]:
    response = client.get("/api/v1/trash/contacts?limit=200", token=token)
    assert response.status_code == 200, response.body
    return [item["id"] for item in body(response)["items"]]


def test_a_deleted_contact_leaves_lists_and_releases_its_phone(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    contact = new_contact(client, token, first_name="Gone", phones=[{"number": "+12025550140"}], tags=["t1"])
    deleted = client.delete(f"/api/v1/contacts/{contact['id']}", token=token)
    assert deleted.status_code == 200 and body(deleted)["deleted_at"]
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=token).status_code == 404
    assert contact["id"] not in listed(client, token, "?limit=200")
    assert listed(client, token, "?tag=t1") == [] and listed(client, token, "?q=gone") == []
    assert trashed(client, token)[0] == contact["id"]
    newcomer = new_contact(client, token, first_name="Newcomer", phones=[{"number": "+12025550140"}])
    assert newcomer["phones"][0]["number"] == "+12025550140"


def test_restore_brings_everything_back(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    contact = new_contact(client, token, first_name="Phoenix", phones=[{"number": "+12025550141"}], tags=["t2"])
    client.delete(f"/api/v1/contacts/{contact['id']}", token=token)
    restored = client.post(f"/api/v1/contacts/{contact['id']}/restore", token=token)
    assert restored.status_code == 200, restored.body
    assert body(restored)["deleted_at"] is None and body(restored)["version"] == 3
    assert listed(client, token, "?tag=t2") == [contact["id"]] and listed(client, token, "?q=phoen") == [contact["id"]]
    assert contact["id"] not in trashed(client, token)
    with tenancy.bind(ctx := context(shop)):
        found = service.find_by_phone(ctx, "+12025550141")
        assert found is not None and found.contact_id == contact["id"]


def test_restore_answers_409_when_the_phone_was_taken_meanwhile(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    contact = new_contact(client, token, phones=[{"number": "+12025550142"}])
    client.delete(f"/api/v1/contacts/{contact['id']}", token=token)
    taker = new_contact(client, token, first_name="Taker", phones=[{"number": "+12025550142"}])
    response = client.post(f"/api/v1/contacts/{contact['id']}/restore", token=token)
    assert response.status_code == 409
    assert body(response)["error"]["details"] == [{"match": "phone", "existing_id": taker["id"]}]
    assert contact["id"] in trashed(client, token)


def test_restore_is_refused_after_30_days(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token)
    client.delete(f"/api/v1/contacts/{contact['id']}", token=shop.owner.token)
    with tenancy.bind(ctx := context(shop)):
        later = db.utcnow() + timedelta(days=31)
        from chalicelib.core import errors

        with pytest.raises(trash.TrashExpiredError):
            trash.restore(ctx, CONTACT, contact["id"], now=later)
        with pytest.raises(errors.NotFoundError):
            trash.restore(ctx, CONTACT, tenancy.new_id())


def test_only_an_admin_purges_and_the_purge_is_audited(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    contact = new_contact(client, token, first_name="Purged", emails=[{"address": "purged@example.com"}])
    assert client.delete(f"/api/v1/trash/contacts/{contact['id']}", token=token).status_code == 404  # not in trash
    client.delete(f"/api/v1/contacts/{contact['id']}", token=token)
    manager = shop.members["boss"]
    assert client.delete(f"/api/v1/trash/contacts/{contact['id']}", token=manager.token).status_code == 403
    assert client.delete(f"/api/v1/trash/contacts/{contact['id']}", token=token).status_code == 204
    assert contact["id"] not in trashed(client, token)
    assert client.post(f"/api/v1/contacts/{contact['id']}/restore", token=token).status_code == 404
    with tenancy.bind(ctx := context(shop)):
        left = list(db.MainTable.query(service.derived.contact_pk(ctx, contact["id"])))
        records = list(audit.AuditRecord.query(audit.entity_key(ctx, "contact", contact["id"])))
    assert left == [] and [r.action for r in records] == ["create", "delete", "purge"]


def test_a_deleted_contact_carries_its_ttl(client: ApiClient, shop: Company) -> None:
    contact = new_contact(client, shop.owner.token)
    client.delete(f"/api/v1/contacts/{contact['id']}", token=shop.owner.token)
    with tenancy.bind(ctx := context(shop)):
        item = service.get_any(ctx, contact["id"])
    assert item is not None and item.expires_at is not None and item.deleted_at is not None
    assert timedelta(days=29) < item.expires_at - item.deleted_at <= timedelta(days=30)
    restored = client.post(f"/api/v1/contacts/{contact['id']}/restore", token=shop.owner.token)
    assert restored.status_code == 200
    assert card(client, shop.owner.token, contact["id"])["deleted_at"] is None
