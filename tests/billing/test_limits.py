"""Each limit and feature gate of a plan, checked in one place on the write path; counters kept as writes happen."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.billing import helpers
from tests.factories import Company, add_member, link_token, signup, unique_email
from tests.messaging.kit import TELEGRAM, WHATSAPP
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS


@pytest.fixture
def free(client: ApiClient) -> Company:
    """A company whose trial ended: the free plan (2 users, 1,000 contacts, 1 pipeline, no paid features)."""
    company = signup(client, company="Free Ltd")
    helpers.end_trial(company)
    return company


def refusal(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 402, answer.body
    return dict(body(answer)["error"])


def test_counters_follow_the_writes(client: ApiClient) -> None:
    company = signup(client, company="Counting Ltd")
    owner = company.owner.token
    assert helpers.usage(client, company) == {"users": {"used": 1, "limit": 100},
                                              "contacts": {"used": 0, "limit": 250000},
                                              "pipelines": {"used": 1, "limit": 50},
                                              "automation_rules": {"used": 0, "limit": 50},
                                              "campaign_messages_per_month": {"used": 0, "limit": 50000},
                                              "storage_mb": {"used": 0, "limit": 51200}}
    ids = [body(client.post("/api/v1/contacts", {"first_name": f"C{n}"}, token=owner))["id"] for n in range(3)]
    assert client.delete(f"/api/v1/contacts/{ids[0]}", token=owner).status_code in (200, 204)
    assert helpers.usage(client, company)["contacts"]["used"] == 2
    assert client.post(f"/api/v1/contacts/{ids[0]}/restore", token=owner).status_code == 200
    assert helpers.usage(client, company)["contacts"]["used"] == 3
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Second"}, token=owner))
    member = add_member(client, company, role="agent")
    assert (helpers.usage(client, company)["pipelines"]["used"], helpers.usage(client, company)["users"]["used"]) \
        == (2, 2)
    client.delete(f"/api/v1/pipelines/{pipeline['id']}", token=owner)
    client.post(f"/api/v1/users/{member.user_id}/deactivate", token=owner)
    assert (helpers.usage(client, company)["pipelines"]["used"], helpers.usage(client, company)["users"]["used"]) \
        == (1, 1)


def test_contacts_beyond_the_plan_are_refused_with_what_to_buy(client: ApiClient, free: Company) -> None:
    helpers.set_usage(free, users=1, pipelines=1, contacts=999)
    owner = free.owner.token
    assert client.post("/api/v1/contacts", {"first_name": "Last"}, token=owner).status_code == 201
    error = refusal(client.post("/api/v1/contacts", {"first_name": "One too many"}, token=owner))
    assert error["code"] == "plan_limit_reached"
    assert error["details"] == [{"limit": "contacts", "allowed": 1000, "used": 1000, "plan": "free",
                                 "upgrade_to": "start"}]
    assert helpers.usage(client, free)["contacts"]["used"] == 1000
    listed = body(client.get("/api/v1/contacts", token=owner))["items"]
    assert [c["first_name"] for c in listed] == ["Last"]  # nothing of the refused one was written


def test_racing_creates_cannot_pass_the_limit_together(client: ApiClient, free: Company) -> None:
    helpers.set_usage(free, users=1, pipelines=1, contacts=995)
    answers: list[int] = []

    def create(n: int) -> None:
        answer = client.post("/api/v1/contacts", {"first_name": f"Racer {n}"}, token=free.owner.token)
        answers.append(answer.status_code)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] * 5 + [402] * 7
    assert helpers.usage(client, free)["contacts"]["used"] == 1000


def test_users_pipelines_and_restores_are_capped_too(client: ApiClient, free: Company) -> None:
    owner = free.owner.token
    assert client.post("/api/v1/users", {"email": unique_email("second"), "name": "Second", "role": "agent"},
                       token=owner).status_code == 201
    error = refusal(client.post("/api/v1/users", {"email": unique_email("third"), "name": "Third", "role": "agent"},
                                token=owner))
    assert error["details"][0]["limit"] == "users" and error["details"][0]["upgrade_to"] == "start"
    assert refusal(client.post("/api/v1/pipelines", {"name": "Another"}, token=owner))["details"][0]["limit"] \
        == "pipelines"
    contact = body(client.post("/api/v1/contacts", {"first_name": "Trashed"}, token=owner))
    client.delete(f"/api/v1/contacts/{contact['id']}", token=owner)
    helpers.set_usage(free, users=2, pipelines=1, contacts=1000)
    assert refusal(client.post(f"/api/v1/contacts/{contact['id']}/restore", token=owner))["code"] \
        == "plan_limit_reached"


def test_an_invitation_beyond_the_seats_is_refused_before_any_mail(client: ApiClient, free: Company) -> None:
    from tests.factories import outbox

    helpers.set_usage(free, users=2, pipelines=1)
    email = unique_email("late")
    refusal(client.post("/api/v1/users", {"email": email, "name": "Late", "role": "agent"}, token=free.owner.token))
    assert outbox(email) == []


@pytest.mark.parametrize(("path", "payload", "feature"), [
    ("/api/v1/api-keys", {"name": "ERP", "permissions": ["contacts:read:all"]}, "api_keys"),
    ("/api/v1/roles", {"key": "auditor", "name": "Auditor", "permissions": ["contacts:read:all"]}, "custom_roles"),
    ("/api/v1/integrations", {"type": "zadarma", "name": "Office line", "settings": CREDENTIALS["zadarma"]},
     "telephony"),
    ("/api/v1/integrations", {"type": "whatsapp", "name": "Chats", "settings": WHATSAPP}, "messengers"),
    ("/api/v1/integrations", {"type": "telegram", "name": "Bot", "settings": TELEGRAM}, "messengers"),
    ("/api/v1/automations", {"name": "Greet", "trigger": {"type": "record.created", "entity": "deal"},
                             "actions": [{"type": "notify", "users": ["owner"]}]}, "automations"),
    ("/api/v1/campaigns", {"name": "Spring offer", "channel": "email"}, "campaigns"),
])
def test_features_outside_the_plan_are_refused(client: ApiClient, free: Company, path: str, payload: dict[str, Any],
                                               feature: str) -> None:
    error = refusal(client.post(path, payload, token=free.owner.token))
    assert error["code"] == "feature_not_in_plan"
    assert error["details"][0]["feature"] == feature
    on_start = ("telephony", "messengers", "campaigns")
    assert error["details"][0]["upgrade_to"] == ("start" if feature in on_start else "pro")


def test_what_the_free_plan_keeps(client: ApiClient, free: Company) -> None:
    owner = free.owner.token
    assert client.post("/api/v1/integrations", {"type": "form", "name": "Site"}, token=owner).status_code == 201
    assert client.post("/api/v1/exports", {"entity": "contact", "format": "csv"}, token=owner).status_code == 202


def test_api_keys_made_in_the_trial_stop_on_free(client: ApiClient) -> None:
    company = signup(client, company="Keys Ltd")
    key = body(client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["users:read:all"]},
                           token=company.owner.token))
    assert client.get("/api/v1/users", token=key["secret"]).status_code == 200
    helpers.end_trial(company)
    error = refusal(client.get("/api/v1/users", token=key["secret"]))
    assert error["code"] == "feature_not_in_plan" and error["details"][0]["feature"] == "api_keys"


def test_a_trial_company_is_not_bothered_by_the_limits(client: ApiClient) -> None:
    company = signup(client, company="Busy Trial Ltd")
    for role in ("agent", "manager", "admin"):
        add_member(client, company, role=role)
    for n in range(3):
        assert client.post("/api/v1/pipelines", {"name": f"Funnel {n}"}, token=company.owner.token).status_code == 201
    assert link_token  # the members above accepted their e-mailed invitations
