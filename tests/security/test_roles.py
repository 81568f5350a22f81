"""The role matrix: what each built-in role may and may not do, enforced by the services."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Roles Inc")
    team = body(client.post("/api/v1/teams", {"name": "Sales"}, token=company.owner.token))
    company.members["team"] = team  # type: ignore[assignment]
    for role in ("admin", "manager", "agent", "read_only"):
        add_member(client, company, role=role, name=role, team_id=team["id"])
    return company


def token(company: Company, role: str) -> str:
    return company.owner.token if role == "owner" else company.members[role].token


WRITES = [
    ("POST", "/api/v1/teams", {"name": "New team"}),
    ("POST", "/api/v1/users", {"email": "someone@example.com", "name": "Someone", "role": "agent"}),
    ("POST", "/api/v1/roles", {"key": "support", "name": "Support", "permissions": ["contacts:read:own"]}),
    ("POST", "/api/v1/api-keys", {"name": "ERP", "permissions": ["contacts:read:all"]}),
]


@pytest.mark.parametrize("role", ["read_only", "agent"])
@pytest.mark.parametrize("method,path,payload", WRITES)
def test_read_only_and_agents_cannot_administer(client: ApiClient, company: Company, role: str, method: str,
                                                path: str, payload: dict) -> None:
    response = client.request(method, path, json_body=payload, token=token(company, role))
    assert response.status_code == 403, (role, path, response.body)
    assert body(response)["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ["read_only", "agent", "manager"])
def test_only_admins_change_roles(client: ApiClient, company: Company, role: str) -> None:
    target = company.members["agent"]
    version = body(client.get(f"/api/v1/users/{target.user_id}", token=company.owner.token))["version"]
    response = client.patch(f"/api/v1/users/{target.user_id}", {"role": "admin", "version": version},
                            token=token(company, role))
    assert response.status_code == 403


def test_admin_cannot_make_an_owner_or_grant_what_it_lacks(client: ApiClient, company: Company) -> None:
    admin = token(company, "admin")
    target = company.members["read_only"]
    version = body(client.get(f"/api/v1/users/{target.user_id}", token=admin))["version"]
    made_owner = client.patch(f"/api/v1/users/{target.user_id}", {"role": "owner", "version": version},
                              token=admin)
    assert made_owner.status_code == 403
    billing = client.post("/api/v1/roles", {"key": "cashier", "name": "Cashier",
                                            "permissions": ["billing:update:all"]}, token=admin)
    assert billing.status_code == 403


def test_nobody_changes_their_own_role(client: ApiClient, company: Company) -> None:
    admin = company.members["admin"]
    version = body(client.get(f"/api/v1/users/{admin.user_id}", token=admin.token))["version"]
    response = client.patch(f"/api/v1/users/{admin.user_id}", {"role": "read_only", "version": version},
                            token=admin.token)
    assert response.status_code == 403


def test_a_user_may_edit_their_own_name(client: ApiClient, company: Company) -> None:
    agent = company.members["agent"]
    version = body(client.get(f"/api/v1/users/{agent.user_id}", token=agent.token))["version"]
    response = client.patch(f"/api/v1/users/{agent.user_id}", {"name": "Agent Smith", "version": version},
                            token=agent.token)
    assert response.status_code == 200 and body(response)["name"] == "Agent Smith"


def test_sensitive_field_permission_by_role(client: ApiClient, company: Company) -> None:
    sees = {role: body(client.get("/api/v1/me", token=token(company, role)))["sees_sensitive"]
            for role in ("owner", "admin", "manager", "agent", "read_only")}
    assert sees == {"owner": True, "admin": True, "manager": True, "agent": False, "read_only": False}


def test_custom_role_takes_effect_on_the_next_request(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    created = client.post("/api/v1/roles", {"key": "auditor", "name": "Auditor",
                                            "permissions": ["users:read:all"]}, token=owner)
    assert created.status_code == 201
    member = add_member(client, company, role="auditor", name="auditor")
    assert client.get("/api/v1/users", token=member.token).status_code == 200
    assert client.get("/api/v1/api-keys", token=member.token).status_code == 403
    role = body(created)
    client.patch("/api/v1/roles/auditor", {"permissions": ["users:read:all", "api_keys:read:all"],
                                           "version": role["version"]}, token=owner)
    assert client.get("/api/v1/api-keys", token=member.token).status_code == 200
    in_use = client.delete("/api/v1/roles/auditor", token=owner)
    assert in_use.status_code == 409


def test_a_role_that_reads_deals_reads_their_pipelines(client: ApiClient, company: Company) -> None:
    """A car-repair shop's mechanic role ticked Deals: Read alone and met 'Your role may not read pipelines' on the
    deals screen, while the contact card showed him the same deal at its stage: reading deals reads the pipelines'
    names and stages with them (nothing more: no pipeline is changed)."""
    owner = company.owner.token
    made = client.post("/api/v1/roles", {"key": "mechanic", "name": "Mechanic",
                                         "permissions": ["contacts:read:all", "deals:read:all"]}, token=owner)
    assert made.status_code == 201, made.body
    client.post("/api/v1/roles", {"key": "desk", "name": "Desk", "permissions": ["contacts:read:all"]}, token=owner)
    mechanic = add_member(client, company, role="mechanic", name="mechanic")
    desk = add_member(client, company, role="desk", name="desk")
    deal = body(client.post("/api/v1/deals", {"title": "Volvo bodywork"}, token=owner))
    pipelines = client.get("/api/v1/pipelines", token=mechanic.token)
    assert pipelines.status_code == 200, pipelines.body
    listed = client.get(f"/api/v1/deals?pipeline_id={deal['pipeline_id']}", token=mechanic.token)
    assert listed.status_code == 200, listed.body
    assert "Volvo bodywork" in [item["title"] for item in body(listed)["items"]]
    board = client.get(f"/api/v1/pipelines/{deal['pipeline_id']}/board", token=mechanic.token)
    assert board.status_code == 200, board.body
    assert client.post("/api/v1/pipelines", {"name": "Mine"}, token=mechanic.token).status_code == 403
    assert client.get("/api/v1/pipelines", token=desk.token).status_code == 403


def test_api_key_is_scoped_and_revocable(client: ApiClient, company: Company) -> None:
    created = client.post("/api/v1/api-keys", {"name": "1C", "permissions": ["users:read:all"]},
                          token=company.owner.token)
    assert created.status_code == 201
    key = body(created)
    assert key["secret"].startswith("crm_") and key["prefix"] in key["secret"]
    listed = body(client.get("/api/v1/api-keys", token=company.owner.token))["items"]
    assert all("secret" not in item for item in listed)
    assert client.get("/api/v1/users", token=key["secret"]).status_code == 200
    assert client.post("/api/v1/teams", {"name": "x"}, token=key["secret"]).status_code == 403
    used = [i for i in body(client.get("/api/v1/api-keys", token=company.owner.token))["items"] if i["id"] == key["id"]]
    assert used[0]["last_used_at"] is not None
    assert client.delete(f"/api/v1/api-keys/{key['id']}", token=company.owner.token).status_code == 200
    assert client.get("/api/v1/users", token=key["secret"]).status_code == 401
    tampered = key["secret"][:-2] + ("AA" if not key["secret"].endswith("AA") else "BB")
    assert client.get("/api/v1/users", token=tampered).status_code == 401


def test_api_key_cannot_exceed_its_creator(client: ApiClient, company: Company) -> None:
    manager = token(company, "manager")
    response = client.post("/api/v1/api-keys", {"name": "x", "permissions": ["users:delete:all"]}, token=manager)
    assert response.status_code == 403


def test_changes_are_audited(client: ApiClient, company: Company) -> None:
    from chalicelib.core import audit
    from chalicelib.core.tenancy import TenantContext, bind

    agent = company.members["agent"]
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        records = list(audit.AuditRecord.query(audit.entity_key(ctx, "user", agent.user_id)))
    actions = [r.action for r in records]
    assert actions[:2] == ["invite", "accept_invitation"]
    assert audit.verify_chain(records) is None
    assert all("password_hash" not in r.changes for r in records)


def test_api_key_of_a_suspended_company_is_refused(client: ApiClient) -> None:
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.identity import service

    company = signup(client, company="Suspended Ltd")
    key = body(client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["users:read:all"]},
                           token=company.owner.token))["secret"]
    assert client.get("/api/v1/users", token=key).status_code == 200
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        tenant = service.get_tenant_or_raise(ctx)
        tenant.status = "suspended"
        tenant.save()
    refused = client.get("/api/v1/users", token=key)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "tenant_suspended"
