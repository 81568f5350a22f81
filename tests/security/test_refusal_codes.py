"""Refusals a person meets carry a code of their own, so the web app says what happened in any language.

Before, these answered with their class's general code (forbidden, not_found, service_unavailable): a Russian screen
read 'no permission' or 'not found' where the English message said what to do. The HTTP status, the English
message and what did not change stay as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.core import mail
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

NEW_ULID = "01JF0000000000000000000000"


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Refusals Inc")
    team = body(client.post("/api/v1/teams", {"name": "Sales"}, token=company.owner.token))
    owner = company.owner.token
    custom = {"deal_viewer": ["deals:read:all", "deals:update:own"], "own_trail": ["audit:read:own"],
              "exporter": ["contacts:read:all", "contacts:export:all"], "billing_admin": ["billing:update:all"]}
    for key, granted in custom.items():
        made = client.post("/api/v1/roles", {"key": key, "name": key.title(), "permissions": granted}, token=owner)
        assert made.status_code == 201, made.body
    for role in ("admin", "manager", "agent", "deal_viewer", "own_trail", "exporter"):
        add_member(client, company, role=role, name=role, team_id=team["id"])
    return company


def refused(response: Any, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.body
    error = body(response)["error"]
    assert (error["code"], error["message"]) == (code, message)


def user(client: ApiClient, company: Company, user_id: str) -> dict[str, Any]:
    return body(client.get(f"/api/v1/users/{user_id}", token=company.owner.token))


def test_who_may_not_be_deactivated_says_which(client: ApiClient, company: Company) -> None:
    admin = company.members["admin"]
    message = "The owner and you yourself cannot be deactivated."
    refused(client.post(f"/api/v1/users/{admin.user_id}/deactivate", {}, token=admin.token), 403,
            "self_deactivation", message)
    refused(client.post(f"/api/v1/users/{company.owner.user_id}/deactivate", {}, token=admin.token), 403,
            "owner_deactivation", message)
    assert user(client, company, admin.user_id)["status"] == "active"
    assert user(client, company, company.owner.user_id)["status"] == "active"


def test_role_changes_an_administrator_may_not_make_say_why(client: ApiClient, company: Company) -> None:
    admin, agent = company.members["admin"], company.members["agent"]

    def change_role(member_id: str, role: str) -> Any:
        version = user(client, company, member_id)["version"]
        return client.patch(f"/api/v1/users/{member_id}", {"version": version, "role": role}, token=admin.token)

    refused(change_role(admin.user_id, "manager"), 403, "own_role", "You cannot change your own role.")
    refused(change_role(agent.user_id, "owner"), 403, "owner_only", "Only the owner can make someone an owner.")
    refused(change_role(agent.user_id, "billing_admin"), 403, "role_above_yours",
            "You cannot give a role with more rights than yours.")
    assert user(client, company, agent.user_id)["role"] == "agent"
    assert user(client, company, admin.user_id)["role"] == "admin"
    payer = {"key": "payer", "name": "Payer", "permissions": ["billing:update:all"]}
    refused(client.post("/api/v1/roles", payer, token=admin.token), 403, "permission_not_held",
            "You cannot grant permissions you do not hold.")
    refused(client.patch("/api/v1/roles/agent", {"version": 1, "name": "Seller"}, token=company.owner.token), 404,
            "builtin_role", "No such role (built-in roles cannot be changed).")


def test_giving_a_record_outside_ones_scope_says_so(client: ApiClient, company: Company) -> None:
    agent, owner = company.members["agent"], company.owner
    refused(client.post("/api/v1/tasks", {"title": "Call back", "assignee_id": owner.user_id}, token=agent.token),
            403, "owner_outside_scope", "You may only create tasks for yourself.")
    refused(client.post("/api/v1/deals", {"title": "Website", "owner_id": owner.user_id}, token=agent.token),
            403, "owner_outside_scope", "You may only create deals you own.")
    refused(client.post("/api/v1/contacts", {"first_name": "Ivan", "owner_id": owner.user_id}, token=agent.token),
            403, "owner_outside_scope", "You may not give a record to someone outside your scope.")
    task = body(client.post("/api/v1/tasks", {"title": "Mine"}, token=agent.token))
    refused(client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"], "assignee_id": owner.user_id},
                         token=agent.token), 403, "owner_outside_scope",
            "You may not hand this task to someone outside your scope.")
    assert body(client.get(f"/api/v1/tasks/{task['id']}", token=agent.token))["assignee_id"] == agent.user_id


def test_a_record_one_reads_but_may_not_change_says_whose_it_is(client: ApiClient, company: Company) -> None:
    deal = body(client.post("/api/v1/deals", {"title": "The owner's deal"}, token=company.owner.token))
    viewer = company.members["deal_viewer"]
    refused(client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"], "title": "Mine now"},
                         token=viewer.token), 403, "outside_scope", "This deal belongs to someone outside your scope.")
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=viewer.token))["deal"]["title"] == "The owner's deal"


def test_a_note_of_someone_else_and_the_trash_say_who_may(client: ApiClient, company: Company) -> None:
    agent, manager = company.members["agent"], company.members["manager"]
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna"}, token=agent.token))
    subject = {"type": "contact", "id": contact["id"]}
    note = body(client.post("/api/v1/notes", {"subject": subject, "text": "Hello"}, token=agent.token))
    changed = {"version": note["version"], "text": "Changed"}
    refused(client.patch(f"/api/v1/notes/{note['id']}", changed, token=manager.token), 403, "note_author_only",
            "Only the author or an administrator may change this note.")
    assert body(client.get(f"/api/v1/notes/{note['id']}", token=agent.token))["text"] == "Hello"
    refused(client.delete(f"/api/v1/trash/deals/{NEW_ULID}", token=manager.token), 403, "purge_admin_only",
            "Only an administrator may purge the trash.")


def test_reads_a_role_may_not_make_say_which(client: ApiClient, company: Company) -> None:
    refused(client.get(f"/api/v1/audit?actor={company.owner.user_id}", token=company.members["own_trail"].token),
            403, "own_trail_only", "You may only read the trail of your own actions.")
    refused(client.post("/api/v1/exports", {"entity": "contact", "include_sensitive": True},
                        token=company.members["exporter"].token), 403, "sensitive_forbidden",
            "Your role may not export sensitive fields.")


def test_unlinking_a_contact_not_linked_says_so(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    firm = body(client.post("/api/v1/companies", {"name": "Lilia Salon"}, token=token))
    contact = body(client.post("/api/v1/contacts", {"first_name": "Olga"}, token=token))
    refused(client.delete(f"/api/v1/companies/{firm['id']}/contacts/{contact['id']}", token=token), 404,
            "not_linked", "This contact is not linked to this company.")


def test_an_invitation_not_mailed_says_the_mail_failed(client: ApiClient, company: Company,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    invited = body(client.post("/api/v1/users", {"email": "late@example.com", "name": "Late", "role": "agent"},
                               token=company.owner.token))

    class SesDown:
        def send_email(self, **_: Any) -> Any:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(mail.aws, "client", lambda name: SesDown())
    refused(client.post(f"/api/v1/users/{invited['id']}/resend-invitation", {}, token=company.owner.token), 503,
            "mail_unavailable", "E-mail could not be sent; try again shortly.")


def test_a_campaign_test_the_provider_could_not_take_says_so(client: ApiClient, company: Company,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.campaigns import delivery
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.segments import jobs

    token = company.owner.token
    segment = body(client.post("/api/v1/segments", {"name": "All news", "conditions": [
        {"type": "tag_has", "value": "news"}]}, token=token))
    with bind(TenantContext(tenant_id=company.tenant_id)):
        assert jobs.build(TenantContext(tenant_id=company.tenant_id), segment["id"])
    campaign = body(client.post("/api/v1/campaigns", {"name": "Spring", "channel": "email", "segment_id": segment["id"],
                                                      "subject": "Spring", "body": "Tulips are in."}, token=token))

    def busy(*_: Any) -> str:
        raise delivery.Unavailable("Throttling")

    monkeypatch.setattr(delivery, "send", busy)
    refused(client.post(f"/api/v1/campaigns/{campaign['id']}/test", {}, token=token), 503, "provider_unavailable",
            "The provider could not take the test now; try again.")
