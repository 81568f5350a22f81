"""Revert: a recorded change put back through the entity's service, itself audited; 409 when changed since."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import audit
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from tests.factories import Company, add_member, login, signup
from tests.support import ApiClient, body


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Revert Ltd")


def newest(client: ApiClient, company: Company, entity: str, entity_id: str) -> dict[str, Any]:
    items = body(client.get(f"/api/v1/audit?entity={entity}&entity_id={entity_id}", token=company.owner.token))
    return items["items"][0]


def revert(client: ApiClient, company: Company, audit_id: str, **payload: Any) -> Any:
    return client.post(f"/api/v1/audit/{audit_id}/revert", payload, token=company.owner.token)


def test_reverting_a_role_change_restores_it_and_is_audited(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="promoted")
    user = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))
    client.patch(f"/api/v1/users/{agent.user_id}", {"role": "manager", "name": "Boss", "version": user["version"]},
                 token=company.owner.token)
    change = newest(client, company, "user", agent.user_id)
    assert change["revertable"] is True
    reverted = revert(client, company, change["id"])
    assert reverted.status_code == 200, reverted.body
    record = body(reverted)
    assert record["action"] == "revert" and record["reverted_audit_id"] == change["id"]
    assert record["changes"] == {"name": {"before": "Boss", "after": "Promoted"},
                                 "role": {"before": "manager", "after": "agent"}}
    user = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))
    assert (user["role"], user["name"]) == ("agent", "Promoted")
    verified = body(client.get(f"/api/v1/audit/verify?entity=user&entity_id={agent.user_id}",
                               token=company.owner.token))
    assert verified["ok"] is True


def test_a_change_made_since_answers_409_unless_forced(client: ApiClient, company: Company) -> None:
    team = body(client.post("/api/v1/teams", {"name": "One"}, token=company.owner.token))
    renamed = body(client.patch(f"/api/v1/teams/{team['id']}", {"name": "Two", "version": 1},
                                token=company.owner.token))
    first_rename = newest(client, company, "team", team["id"])
    client.patch(f"/api/v1/teams/{team['id']}", {"name": "Three", "version": renamed["version"]},
                 token=company.owner.token)
    stale = revert(client, company, first_rename["id"])
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "changed_since"
    assert body(client.get("/api/v1/teams", token=company.owner.token))["items"][0]["name"] == "Three"
    forced = revert(client, company, first_rename["id"], force=True)
    assert forced.status_code == 200, forced.body
    assert body(client.get("/api/v1/teams", token=company.owner.token))["items"][0]["name"] == "One"


def test_a_deletion_is_reverted_by_creating_again_and_the_chain_continues(client: ApiClient,
                                                                          company: Company) -> None:
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Gone"}, token=owner))
    assert client.delete(f"/api/v1/teams/{team['id']}", token=owner).status_code == 204
    deletion = newest(client, company, "team", team["id"])
    assert deletion["action"] == "delete"
    assert revert(client, company, deletion["id"]).status_code == 200
    teams = body(client.get("/api/v1/teams", token=owner))["items"]
    assert [(t["id"], t["name"]) for t in teams] == [(team["id"], "Gone")]
    chain = body(client.get(f"/api/v1/audit?entity=team&entity_id={team['id']}", token=owner))["items"]
    assert [(i["seq"], i["action"]) for i in chain] == [(3, "revert"), (2, "delete"), (1, "create")]
    verified = body(client.get(f"/api/v1/audit/verify?entity=team&entity_id={team['id']}", token=owner))
    assert verified["ok"] is True


def test_a_creation_is_reverted_by_deleting(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "temp", "name": "Temp", "permissions": ["users:read:all"]}, token=owner)
    creation = newest(client, company, "role", "temp")
    assert revert(client, company, creation["id"]).status_code == 200
    assert "temp" not in {r["key"] for r in body(client.get("/api/v1/roles", token=owner))["items"]}


def test_a_role_deleted_and_created_again_keeps_one_chain(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    payload = {"key": "again", "name": "Again", "permissions": ["users:read:all"]}
    client.post("/api/v1/roles", payload, token=owner)
    assert client.delete("/api/v1/roles/again", token=owner).status_code == 204
    assert client.post("/api/v1/roles", payload, token=owner).status_code == 201
    chain = body(client.get("/api/v1/audit?entity=role&entity_id=again", token=owner))["items"]
    assert [i["seq"] for i in chain] == [3, 2, 1]
    assert body(client.get("/api/v1/audit/verify?entity=role&entity_id=again", token=owner))["ok"] is True


def test_deactivation_is_reverted_but_revoked_tokens_stay_revoked(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="paused")
    client.post(f"/api/v1/users/{agent.user_id}/deactivate", token=company.owner.token)
    deactivation = newest(client, company, "user", agent.user_id)
    assert revert(client, company, deactivation["id"]).status_code == 200
    user = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))
    assert user["status"] == "active"
    assert client.get("/api/v1/me", token=agent.token).status_code == 401
    assert login(client, agent.email).status_code == 200


def test_security_changes_and_unknown_entities_are_not_revertable(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    assert login(client, company.owner.email).status_code == 200
    sign_in = newest(client, company, "user", company.owner.user_id)
    assert sign_in["revertable"] is False  # the trail offers no Revert for it
    refused = revert(client, company, sign_in["id"], force=True)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"
    assert login(client, company.owner.email).status_code == 200  # a later record: the first is "changed since"
    refused = revert(client, company, sign_in["id"])  # ... but it cannot be reverted at all, which is said first
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"
    key = body(client.post("/api/v1/api-keys", {"name": "K", "permissions": ["users:read:all"]}, token=owner))
    client.delete(f"/api/v1/api-keys/{key['id']}", token=owner)
    revocation = newest(client, company, "api_key", key["id"])
    assert revocation["revertable"] is False
    refused = revert(client, company, revocation["id"])
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"


def test_masked_values_are_not_revertable(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    ctx = system_context(company.tenant_id, actor_id=company.owner.user_id)
    team = body(client.post("/api/v1/teams", {"name": "Masked"}, token=owner))
    with bind(ctx):
        record = audit.chain_records(ctx, "team", team["id"])[0]
        record.changes = {"name": {"before": audit.MASK, "after": "x"}}
        record.save()
    assert newest(client, company, "team", team["id"])["revertable"] is False
    refused = revert(client, company, record.audit_id, force=True)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable"


def test_revert_needs_audit_rights_and_the_domain_rights(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Guarded"}, token=owner))
    creation = newest(client, company, "team", team["id"])
    manager = add_member(client, company, role="manager", name="nomanager")
    assert client.post(f"/api/v1/audit/{creation['id']}/revert", {}, token=manager.token).status_code == 403
    client.post("/api/v1/roles", {"key": "auditonly", "name": "Audit only",
                                  "permissions": ["audit:read:all", "audit:update:all"]}, token=owner)
    auditor = add_member(client, company, role="auditonly", name="auditonly")
    refused = client.post(f"/api/v1/audit/{creation['id']}/revert", {}, token=auditor.token)
    assert refused.status_code == 403
    assert body(client.get("/api/v1/teams", token=owner))["items"][0]["name"] == "Guarded"


def test_unknown_and_foreign_ids_answer_404(client: ApiClient, company: Company) -> None:
    other = signup(client, company="Foreign Revert")
    team = body(client.post("/api/v1/teams", {"name": "Theirs"}, token=other.owner.token))
    foreign = newest(client, other, "team", team["id"])
    assert revert(client, company, foreign["id"]).status_code == 404
    assert revert(client, company, "01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
    assert revert(client, company, "nope").status_code == 404
    assert body(client.get("/api/v1/teams", token=other.owner.token))["items"][0]["name"] == "Theirs"
