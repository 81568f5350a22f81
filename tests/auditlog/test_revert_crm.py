"""Reverting changes of the CRM's records: every entity's edit, deletion and creation, through its own service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ulid import ULID

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Revert Crm Ltd")


@dataclass
class Kind:
    """How to create, edit, read and delete one entity through the API."""

    entity: str
    path: str
    create: Callable[[ApiClient, Company], dict[str, Any]]
    edit: Callable[[str], dict[str, Any]]
    shown: str  # the field the edits change

    extra: dict[str, Any] = field(default_factory=dict)


def _note_subject(client: ApiClient, company: Company) -> dict[str, Any]:
    deal = body(client.post("/api/v1/deals", {"title": "Noted"}, token=company.owner.token))
    return {"subject": {"type": "deal", "id": deal["id"]}, "text": "first text"}


KINDS = [
    Kind("contact", "/api/v1/contacts", lambda c, co: {"first_name": "First"}, lambda v: {"first_name": v},
         "first_name"),
    Kind("company", "/api/v1/companies", lambda c, co: {"name": "First"}, lambda v: {"name": v}, "name"),
    Kind("deal", "/api/v1/deals", lambda c, co: {"title": "First"}, lambda v: {"title": v}, "title"),
    Kind("pipeline", "/api/v1/pipelines", lambda c, co: {"name": "First"}, lambda v: {"name": v}, "name"),
    Kind("task", "/api/v1/tasks", lambda c, co: {"title": "First"}, lambda v: {"title": v}, "title"),
    Kind("note", "/api/v1/notes", _note_subject, lambda v: {"text": v}, "text"),
    Kind("custom_field", "/api/v1/custom-fields",
         lambda c, co: {"entity": "contact", "key": "k" + str(ULID()).lower()[-8:], "label": "First", "type": "text"},
         lambda v: {"label": v}, "label"),
]
IDS = [kind.entity for kind in KINDS]


def trail(client: ApiClient, company: Company, entity: str, entity_id: str) -> list[dict[str, Any]]:
    found = body(client.get(f"/api/v1/audit?entity={entity}&entity_id={entity_id}", token=company.owner.token))
    return list(found["items"])


def revert(client: ApiClient, company: Company, audit_id: str, token: str | None = None, **payload: Any) -> Any:
    return client.post(f"/api/v1/audit/{audit_id}/revert", payload, token=token or company.owner.token)


def make(client: ApiClient, company: Company, kind: Kind) -> dict[str, Any]:
    created = client.post(kind.path, kind.create(client, company), token=company.owner.token)
    assert created.status_code == 201, created.body
    return dict(body(created))


class Shown:
    """A read answer with the record itself as body (a deal's card nests it under "deal")."""

    def __init__(self, response: Any) -> None:
        self.status_code, self.raw = response.status_code, response
        answer = body(response) if response.status_code == 200 else {}
        self.record: dict[str, Any] = answer.get("deal", answer) if isinstance(answer, dict) else {}


def read(client: ApiClient, company: Company, kind: Kind, record_id: str) -> Shown:
    return Shown(client.get(f"{kind.path}/{record_id}", token=company.owner.token))


def edit(client: ApiClient, company: Company, kind: Kind, record: dict[str, Any], value: str) -> dict[str, Any]:
    current = read(client, company, kind, record["id"]).record
    changed = client.patch(f"{kind.path}/{record['id']}", {**kind.edit(value), "version": current["version"]},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body
    return dict(body(changed))


def gone(shown: Shown) -> bool:
    """Deleted records answer 404; custom fields are archived instead."""
    return bool(shown.status_code == 404 or shown.record.get("archived") is True)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_an_edit_is_reverted_and_the_revert_is_audited(client: ApiClient, company: Company, kind: Kind) -> None:
    record = make(client, company, kind)
    edit(client, company, kind, record, "Second")
    change = trail(client, company, kind.entity, record["id"])[0]
    reverted = revert(client, company, change["id"])
    assert reverted.status_code == 200, reverted.body
    written = body(reverted)
    assert written["action"] == "revert" and written["reverted_audit_id"] == change["id"]
    shown = read(client, company, kind, record["id"]).record
    assert str(shown[kind.shown]).startswith("First") or shown[kind.shown] == "first text"
    assert trail(client, company, kind.entity, record["id"])[0]["id"] == written["id"]
    verified = body(client.get(f"/api/v1/audit/verify?entity={kind.entity}&entity_id={record['id']}",
                               token=company.owner.token))
    assert verified["ok"] is True


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_deletion_is_reverted(client: ApiClient, company: Company, kind: Kind) -> None:
    record = make(client, company, kind)
    assert client.delete(f"{kind.path}/{record['id']}", token=company.owner.token).status_code in (200, 204)
    assert gone(read(client, company, kind, record["id"]))
    deletion = trail(client, company, kind.entity, record["id"])[0]
    reverted = revert(client, company, deletion["id"])
    assert reverted.status_code == 200, reverted.body
    back = read(client, company, kind, record["id"])
    assert back.status_code == 200 and not gone(back)
    assert back.record[kind.shown] == record[kind.shown]
    verified = body(client.get(f"/api/v1/audit/verify?entity={kind.entity}&entity_id={record['id']}",
                               token=company.owner.token))
    assert verified["ok"] is True


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_creation_is_reverted_by_deleting(client: ApiClient, company: Company, kind: Kind) -> None:
    record = make(client, company, kind)
    creation = trail(client, company, kind.entity, record["id"])[-1]
    assert creation["action"] == "create"
    reverted = revert(client, company, creation["id"])
    assert reverted.status_code == 200, reverted.body
    assert gone(read(client, company, kind, record["id"]))


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_change_made_since_answers_409_unless_forced(client: ApiClient, company: Company, kind: Kind) -> None:
    record = make(client, company, kind)
    edit(client, company, kind, record, "Second")
    first_edit = trail(client, company, kind.entity, record["id"])[0]
    edit(client, company, kind, record, "Third")
    stale = revert(client, company, first_edit["id"])
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "changed_since"
    assert read(client, company, kind, record["id"]).record[kind.shown] == "Third"
    forced = revert(client, company, first_edit["id"], force=True)
    assert forced.status_code == 200, forced.body
    assert read(client, company, kind, record["id"]).record[kind.shown] in ("First", "first text")


def test_a_stage_move_and_a_completion_are_reverted(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Moves"}, token=owner))
    deal = body(client.post("/api/v1/deals", {"title": "Moving", "pipeline_id": pipeline["id"]}, token=owner))
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": pipeline["stages"][2]["id"],
                                                             "version": deal["version"]}, token=owner)
    assert moved.status_code == 200, moved.body
    assert revert(client, company, trail(client, company, "deal", deal["id"])[0]["id"]).status_code == 200
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"]["stage_id"] == deal["stage_id"]
    task = body(client.post("/api/v1/tasks", {"title": "Call back"}, token=owner))
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]}, token=owner)
    assert done.status_code == 200, done.body
    assert revert(client, company, trail(client, company, "task", task["id"])[0]["id"]).status_code == 200
    assert body(client.get(f"/api/v1/tasks/{task['id']}", token=owner))["done_at"] is None


def test_a_restored_contact_claims_its_phone_again(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Phoned", "phones": [{"number": "+12025550188"}]},
                               token=owner))
    client.delete(f"/api/v1/contacts/{contact['id']}", token=owner)
    assert revert(client, company, trail(client, company, "contact", contact["id"])[0]["id"]).status_code == 200
    found = body(client.get("/api/v1/contacts?q=%2B12025550188", token=owner))["items"]
    assert [row["id"] for row in found] == [contact["id"]]


def test_a_company_link_is_reverted(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    firm = body(client.post("/api/v1/companies", {"name": "Linked Firm"}, token=owner))
    contact = body(client.post("/api/v1/contacts", {"first_name": "Linked"}, token=owner))
    linked = client.post(f"/api/v1/companies/{firm['id']}/contacts", {"contact_id": contact["id"]}, token=owner)
    assert linked.status_code == 200, linked.body
    assert revert(client, company, trail(client, company, "contact", contact["id"])[0]["id"]).status_code == 200
    assert body(client.get(f"/api/v1/contacts/{contact['id']}", token=owner))["company_ids"] == []


def test_sensitive_values_are_reverted_only_when_nothing_is_lost(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Sealed"}, token=owner))
    set_iban = client.patch(f"/api/v1/contacts/{contact['id']}", {"iban": "DE89 3704 0044 0532 0130 00",
                                                                  "version": contact["version"]}, token=owner)
    assert set_iban.status_code == 200
    first = trail(client, company, "contact", contact["id"])[0]
    changed = client.patch(f"/api/v1/contacts/{contact['id']}", {"iban": "GB82 WEST 1234 5698 7654 32",
                                                                 "version": body(set_iban)["version"]}, token=owner)
    assert changed.status_code == 200, changed.body
    masked = revert(client, company, trail(client, company, "contact", contact["id"])[0]["id"])
    assert masked.status_code == 409 and body(masked)["error"]["code"] == "not_revertable"
    assert "sensitive" in body(masked)["error"]["message"]
    cleared = revert(client, company, first["id"], force=True)  # the value was set from nothing: clearing loses none
    assert cleared.status_code == 200, cleared.body
    assert body(client.get(f"/api/v1/contacts/{contact['id']}", token=owner))["iban"] is None


def test_a_merge_is_not_reverted_here(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    kept = body(client.post("/api/v1/contacts", {"first_name": "Kept"}, token=owner))
    other = body(client.post("/api/v1/contacts", {"first_name": "Other"}, token=owner))
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": other["id"], "version": 1,
                                                                   "other_version": 1}, token=owner)
    assert merged.status_code == 200, merged.body
    for contact_id in (kept["id"], other["id"]):  # the survivor's "merge" and the absorbed one's "merged_into"
        merge = trail(client, company, "contact", contact_id)[0]
        assert merge["revertable"] is False
        refused = revert(client, company, merge["id"], force=True)
        assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"
        assert "undo" in body(refused)["error"]["message"]


def test_agents_and_other_tenants_cannot_revert(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    agent = add_member(client, company, role="agent", name="revertagent")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Guarded"}, token=owner))
    creation = trail(client, company, "contact", contact["id"])[0]
    assert revert(client, company, creation["id"], token=agent.token).status_code in (403, 404)
    other = signup(client, company="Other Revert Crm")
    assert revert(client, other, creation["id"]).status_code == 404
    assert body(client.get(f"/api/v1/contacts/{contact['id']}", token=owner))["first_name"] == "Guarded"
