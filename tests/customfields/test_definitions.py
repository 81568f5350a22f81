"""Custom field definitions through the API: CRUD, validation, archive and restore, who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

TIER = {"entity": "contact", "key": "tier", "label": "Tier", "type": "select", "filterable": True,
        "options": [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]}


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Fields Ltd")
    for role in ("admin", "manager", "agent", "read_only"):
        add_member(client, company, role=role, name=role)
    return company


def token(company: Company, role: str) -> str:
    return company.owner.token if role == "owner" else company.members[role].token


def define(client: ApiClient, company: Company, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/custom-fields", {**TIER, **overrides}, token=company.owner.token)
    assert response.status_code == 201, response.body
    return body(response)


def test_define_read_list_and_update(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="segment", label="Segment", position=3)
    assert created["type"] == "select" and created["filterable"] and created["version"] == 1
    fetched = body(client.get(f"/api/v1/custom-fields/{created['id']}", token=company.members["agent"].token))
    assert fetched == created
    changed = client.patch(f"/api/v1/custom-fields/{created['id']}",
                           {"version": 1, "label": "Customer segment",
                            "options": [{"value": "gold", "label": "Gold"}]}, token=company.owner.token)
    assert changed.status_code == 200, changed.body
    assert body(changed)["label"] == "Customer segment" and body(changed)["version"] == 2
    listed = body(client.get("/api/v1/custom-fields?entity=contact", token=company.members["read_only"].token))
    assert "segment" in [item["key"] for item in listed["items"]]
    deals = body(client.get("/api/v1/custom-fields?entity=deal", token=company.owner.token))
    assert all(item["entity"] == "deal" for item in deals["items"])


def test_stale_version_is_refused_and_changes_nothing(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="stale_one", label="Before")
    first = client.patch(f"/api/v1/custom-fields/{created['id']}", {"version": 1, "label": "First"},
                         token=company.owner.token)
    assert first.status_code == 200
    stale = client.patch(f"/api/v1/custom-fields/{created['id']}", {"version": 1, "label": "Second"},
                         token=company.owner.token)
    assert stale.status_code == 409
    assert body(client.get(f"/api/v1/custom-fields/{created['id']}", token=company.owner.token))["label"] == "First"


def test_key_is_unique_per_entity_even_once_archived(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="unique_key")
    assert client.delete(f"/api/v1/custom-fields/{created['id']}", token=company.owner.token).status_code == 204
    again = client.post("/api/v1/custom-fields", {**TIER, "key": "unique_key"}, token=company.owner.token)
    assert again.status_code == 409 and body(again)["error"]["code"] == "duplicate_custom_field"
    on_deal = client.post("/api/v1/custom-fields", {**TIER, "key": "unique_key", "entity": "deal"},
                          token=company.owner.token)
    assert on_deal.status_code == 201


def test_archive_hides_from_the_list_and_restore_brings_it_back(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="archived_one")
    client.delete(f"/api/v1/custom-fields/{created['id']}", token=company.owner.token)
    keys = [f["key"] for f in body(client.get("/api/v1/custom-fields?entity=contact",
                                              token=company.owner.token))["items"]]
    assert "archived_one" not in keys
    archived = body(client.get("/api/v1/custom-fields?entity=contact&include_archived=true",
                               token=company.owner.token))["items"]
    assert [f["archived"] for f in archived if f["key"] == "archived_one"] == [True]
    restored = client.patch(f"/api/v1/custom-fields/{created['id']}", {"version": 2, "archived": False},
                            token=company.owner.token)
    assert restored.status_code == 200 and body(restored)["archived"] is False


@pytest.mark.parametrize("payload", [
    {"key": "Bad-Key"},
    {"key": "x"},
    {"type": "colour"},
    {"type": "select", "options": []},
    {"type": "text", "filterable": True, "options": None},
    {"type": "select", "sensitive": True, "filterable": True},
    {"options": [{"value": "a", "label": "A"}, {"value": "a", "label": "Again"}]},
    {"type": "number", "filterable": False},  # options on a number
    {"entity": "invoice"},
    {"surprise": True},
])
def test_invalid_definitions_answer_422(client: ApiClient, company: Company, payload: dict[str, Any]) -> None:
    response = client.post("/api/v1/custom-fields", {**TIER, "key": "bad_one", **payload}, token=company.owner.token)
    assert response.status_code == 422, (payload, response.body)
    assert body(response)["error"]["code"] == "validation_error"


def test_type_key_and_sensitivity_cannot_change(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="fixed_type")
    for change in ({"type": "text"}, {"key": "other"}, {"sensitive": True}, {"entity": "deal"}):
        response = client.patch(f"/api/v1/custom-fields/{created['id']}", {"version": 1, **change},
                                 token=company.owner.token)
        assert response.status_code == 422, change


def test_options_only_on_select_fields_when_updating(client: ApiClient, company: Company) -> None:
    note = define(client, company, key="plain_note", type="text", options=None, filterable=False)
    response = client.patch(f"/api/v1/custom-fields/{note['id']}",
                            {"version": 1, "options": [{"value": "a", "label": "A"}]}, token=company.owner.token)
    assert response.status_code == 422
    filterable = client.patch(f"/api/v1/custom-fields/{note['id']}", {"version": 1, "filterable": True},
                              token=company.owner.token)
    assert filterable.status_code == 422


@pytest.mark.parametrize("role", ["manager", "agent", "read_only"])
def test_only_admins_define_fields(client: ApiClient, company: Company, role: str) -> None:
    created = define(client, company, key=f"locked_{role}")
    denied = [
        client.post("/api/v1/custom-fields", {**TIER, "key": f"new_{role}"}, token=token(company, role)),
        client.patch(f"/api/v1/custom-fields/{created['id']}", {"version": 1, "label": "Hacked"},
                     token=token(company, role)),
        client.delete(f"/api/v1/custom-fields/{created['id']}", token=token(company, role)),
    ]
    assert [response.status_code for response in denied] == [403, 403, 403]
    assert body(client.get(f"/api/v1/custom-fields/{created['id']}", token=token(company, role)))["label"] == "Tier"


def test_admin_defines_fields(client: ApiClient, company: Company) -> None:
    response = client.post("/api/v1/custom-fields", {**TIER, "key": "by_admin"}, token=token(company, "admin"))
    assert response.status_code == 201


def test_another_tenants_field_is_not_found(client: ApiClient, company: Company) -> None:
    created = define(client, company, key="private_one")
    other = signup(client, company="Other Ltd")
    assert client.get(f"/api/v1/custom-fields/{created['id']}", token=other.owner.token).status_code == 404
    listed = body(client.get("/api/v1/custom-fields", token=other.owner.token))
    assert listed["items"] == []


def test_unknown_query_parameter_and_bad_id(client: ApiClient, company: Company) -> None:
    assert client.get("/api/v1/custom-fields?entity=invoice", token=company.owner.token).status_code == 422
    assert client.get("/api/v1/custom-fields/not-an-id", token=company.owner.token).status_code == 404


def test_list_pages_with_a_cursor(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Paged Fields")
    for index in range(3):
        client.post("/api/v1/custom-fields", {**TIER, "key": f"paged_{index}"}, token=company.owner.token)
    first = body(client.get("/api/v1/custom-fields?limit=2", token=company.owner.token))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = body(client.get(f"/api/v1/custom-fields?limit=2&cursor={first['next_cursor']}",
                             token=company.owner.token))
    keys = [f["key"] for f in first["items"] + second["items"]]
    assert sorted(keys) == ["paged_0", "paged_1", "paged_2"]
