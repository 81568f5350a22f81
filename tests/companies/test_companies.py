"""Companies: CRUD, search, the card with its contacts, links in both collections, trash."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.companies.record import COMPANY
from chalicelib.core import db, tenancy
from chalicelib.records import access
from tests.contacts.helpers import card, context, new_company, new_contact
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.watcher import Watcher


@pytest.fixture(scope="module")
def firm(app: Any) -> Company:
    return signup(ApiClient(app), company="Firm", country="RU")


def companies(client: ApiClient, token: str, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/companies{query}", token=token)
    assert response.status_code == 200, response.body
    return [item["id"] for item in body(response)["items"]]


def company_card(client: ApiClient, token: str, company_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/companies/{company_id}", token=token)
    assert response.status_code == 200, response.body
    return body(response)


def test_a_company_is_created_read_and_updated_with_its_version(client: ApiClient, firm: Company) -> None:
    token = firm.owner.token
    created = new_company(client, token, name="Рога и Копыта", website="roga.example", industry="Trade",  # noqa: RUF001
                          phones=[{"number": "8 495 123-45-67", "kind": "work"}], tags=["Supplier"],
                          address={"city": "Moscow", "country": "RU"})
    assert created["website"] == "https://roga.example" and created["phones"][0]["number"] == "+74951234567"
    assert created["tags"] == ["supplier"] and created["version"] == 1
    changed = client.patch(f"/api/v1/companies/{created['id']}", {"version": 1, "industry": "Retail"}, token=token)
    assert changed.status_code == 200 and body(changed)["version"] == 2
    stale = client.patch(f"/api/v1/companies/{created['id']}", {"version": 1, "industry": "Lost"}, token=token)
    assert stale.status_code == 409
    shown = company_card(client, token, created["id"])
    assert shown["industry"] == "Retail" and [e["kind"] for e in shown["timeline"]] == ["created"]
    assert client.post("/api/v1/companies", {"name": ""}, token=token).status_code == 422
    assert client.post("/api/v1/companies", {"name": "X", "website": "not a site"}, token=token).status_code == 422


def test_companies_are_searched_by_name_website_and_filtered(client: ApiClient, firm: Company) -> None:
    token = firm.owner.token
    acme = new_company(client, token, name="Acme Rockets", website="https://www.acme-rockets.example/about",
                       tags=["space"])
    beta = new_company(client, token, name="Бета Групп", tags=["space", "ru"])
    assert companies(client, token, "?q=rock") == [acme["id"]]
    assert companies(client, token, "?q=acme-rock") == [acme["id"]]
    assert companies(client, token, "?q=бета гр") == [beta["id"]]  # noqa: RUF001
    assert sorted(companies(client, token, "?tag=space")) == sorted([acme["id"], beta["id"]])
    assert sorted(companies(client, token, "?tag=space")) == sorted([beta["id"], acme["id"]])
    assert client.get("/api/v1/companies?color=red", token=token).status_code == 422


def test_linking_shows_the_contact_on_both_cards_and_unlinking_removes_it(client: ApiClient, firm: Company,
                                                                          tenancy_watcher: Watcher) -> None:
    token = firm.owner.token
    company = new_company(client, token, name="Linked Co")
    contact = new_contact(client, token, first_name="Linda", phones=[{"number": "+79990002211"}])
    linked = client.post(f"/api/v1/companies/{company['id']}/contacts", {"contact_id": contact["id"]}, token=token)
    assert linked.status_code == 200, linked.body
    assert body(linked)["company_ids"] == [company["id"]]
    again = client.post(f"/api/v1/companies/{company['id']}/contacts", {"contact_id": contact["id"]}, token=token)
    assert again.status_code == 200 and body(again)["version"] == body(linked)["version"]  # nothing changed
    tenancy_watcher.reset()
    shown = company_card(client, token, company["id"])
    assert [op for op, _ in tenancy_watcher.requests if op != "BatchGetItem"] == ["Query"]
    assert shown["contact_ids"] == [contact["id"]]
    assert shown["links"]["contact"][0]["summary"]["first_name"] == "Linda"
    contact_card = card(client, token, contact["id"])
    assert [link["id"] for link in contact_card["links"]["company"]] == [company["id"]]
    assert contact_card["links"]["company"][0]["summary"]["name"] == "Linked Co"
    renamed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact_card["version"],
                                                                 "first_name": "Lynda"}, token=token)
    assert renamed.status_code == 200
    assert company_card(client, token, company["id"])["links"]["contact"][0]["summary"]["first_name"] == "Lynda"
    client.patch(f"/api/v1/companies/{company['id']}", {"version": 1, "name": "Linked Group"}, token=token)
    assert card(client, token, contact["id"])["links"]["company"][0]["summary"]["name"] == "Linked Group"
    unlinked = client.delete(f"/api/v1/companies/{company['id']}/contacts/{contact['id']}", token=token)
    assert unlinked.status_code == 200 and body(unlinked)["company_ids"] == []
    assert company_card(client, token, company["id"])["contact_ids"] == []
    assert card(client, token, contact["id"])["links"]["company"] == []
    missing = client.delete(f"/api/v1/companies/{company['id']}/contacts/{contact['id']}", token=token)
    assert missing.status_code == 404


def test_a_contact_created_with_company_ids_is_linked_at_once(client: ApiClient, firm: Company) -> None:
    token = firm.owner.token
    company = new_company(client, token, name="At Once")
    contact = new_contact(client, token, first_name="Oscar", company_ids=[company["id"]])
    assert company_card(client, token, company["id"])["contact_ids"] == [contact["id"]]
    bad = client.post("/api/v1/contacts", {"first_name": "Nope", "company_ids": [tenancy.new_id()]}, token=token)
    assert bad.status_code == 422


def test_a_trashed_contact_leaves_the_company_card_until_restored(client: ApiClient, firm: Company) -> None:
    token = firm.owner.token
    company = new_company(client, token, name="Card Co")
    contact = new_contact(client, token, first_name="Tina", company_ids=[company["id"]])
    client.delete(f"/api/v1/contacts/{contact['id']}", token=token)
    assert company_card(client, token, company["id"])["contact_ids"] == []
    client.post(f"/api/v1/contacts/{contact['id']}/restore", token=token)
    assert company_card(client, token, company["id"])["contact_ids"] == [contact["id"]]


def test_scopes_apply_to_companies(client: ApiClient) -> None:
    office = signup(client, company="Company scopes")
    agent = add_member(client, office, role="agent", name="seller")
    reader = add_member(client, office, role="read_only", name="viewer")
    own = new_company(client, agent.token, name="Agent Co")
    theirs = new_company(client, office.owner.token, name="Owner Co")
    assert companies(client, agent.token) == [own["id"]]
    assert client.get(f"/api/v1/companies/{theirs['id']}", token=agent.token).status_code == 404
    assert client.patch(f"/api/v1/companies/{own['id']}", {"version": 1, "name": "R"},
                        token=reader.token).status_code == 403
    assert client.delete(f"/api/v1/companies/{own['id']}", token=agent.token).status_code == 403


def test_trash_restore_and_purge_unlinks_contacts(client: ApiClient, firm: Company) -> None:
    token = firm.owner.token
    company = new_company(client, token, name="Doomed Co", tags=["doomed"])
    contact = new_contact(client, token, first_name="Survivor", company_ids=[company["id"]])
    assert client.delete(f"/api/v1/companies/{company['id']}", token=token).status_code == 200
    assert companies(client, token, "?tag=doomed") == []
    trash = body(client.get("/api/v1/trash/companies", token=token))["items"]
    assert trash[0]["id"] == company["id"]
    assert client.post(f"/api/v1/companies/{company['id']}/restore", token=token).status_code == 200
    assert companies(client, token, "?tag=doomed") == [company["id"]]
    client.delete(f"/api/v1/companies/{company['id']}", token=token)
    assert client.delete(f"/api/v1/trash/companies/{company['id']}", token=token).status_code == 204
    assert card(client, token, contact["id"])["company_ids"] == []
    with tenancy.bind(ctx := context(firm)):
        assert list(db.MainTable.query(access.collection_pk(ctx, COMPANY, company["id"]))) == []
