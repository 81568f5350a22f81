"""Idempotency-Key on creating POSTs: a retry replays the first answer without a second write; the key is
bound to its request, its caller and its tenant."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import idempotency, openapi, tenancy
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Idempotent")


def create_contact(client: ApiClient, token: str, key: str, name: str = "Retry") -> Any:
    return client.post("/api/v1/contacts", {"first_name": name, "last_name": "Safe"}, token=token,
                       headers={"Idempotency-Key": key})


def named(client: ApiClient, token: str, name: str) -> list[str]:
    items = body(client.get("/api/v1/contacts?limit=200", token=token))["items"]
    return [item["id"] for item in items if item["first_name"] == name]


def test_a_replay_answers_the_first_response_and_writes_nothing(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    first = create_contact(client, token, "order-1", "Once")
    assert first.status_code == 201, first.body
    assert "Idempotent-Replayed" not in first.headers
    again = create_contact(client, token, "order-1", "Once")
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert body(again) == body(first)
    assert named(client, token, "Once") == [body(first)["id"]]


def test_the_same_key_with_another_body_is_422(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    assert create_contact(client, token, "order-2", "First").status_code == 201
    reused = create_contact(client, token, "order-2", "Second")
    assert reused.status_code == 422 and body(reused)["error"]["code"] == "idempotency_key_reused"
    assert named(client, token, "Second") == []


def test_another_tenant_with_the_same_key_is_independent(client: ApiClient, company: Company) -> None:
    other = signup(client, company="Other idempotent")
    mine = body(create_contact(client, company.owner.token, "shared-key", "Shared"))
    theirs = create_contact(client, other.owner.token, "shared-key", "Shared")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert body(theirs)["id"] != mine["id"]
    assert named(client, other.owner.token, "Shared") == [body(theirs)["id"]]


def test_a_request_still_running_answers_409(client: ApiClient, company: Company) -> None:
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user")
    payload = b'{"first_name": "Racing", "last_name": "Safe"}'
    print_ = idempotency.fingerprint("POST", "/api/v1/contacts []", payload)
    with tenancy.bind(ctx):
        assert idempotency._claim(ctx, "in-flight", print_) is None  # the first request holds the key
    racing = client.request("POST", "/api/v1/contacts", body=payload, token=company.owner.token,
                            headers={"Idempotency-Key": "in-flight", "Content-Type": "application/json"})
    assert racing.status_code == 409 and body(racing)["error"]["code"] == "idempotency_in_progress"
    assert named(client, company.owner.token, "Racing") == []


def test_a_failed_answer_is_not_kept_and_a_bad_key_is_400(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    create_contact(client, token, "dup-1", "Dup")
    phone = {"first_name": "Phone", "phones": [{"number": "+12025550111"}]}
    assert client.post("/api/v1/contacts", phone, token=token).status_code == 201
    duplicate = client.post("/api/v1/contacts", phone, token=token, headers={"Idempotency-Key": "dup-2"})
    assert duplicate.status_code == 409  # a conflict may clear up: a retry runs again, not replayed
    again = client.post("/api/v1/contacts", phone, token=token, headers={"Idempotency-Key": "dup-2"})
    assert again.status_code == 409 and "Idempotent-Replayed" not in again.headers
    bad = create_contact(client, token, "has#hash")
    assert bad.status_code == 400 and body(bad)["error"]["code"] == "invalid_idempotency_key"


def test_the_header_is_declared_on_creating_posts_only() -> None:
    paths = openapi.build_document()["paths"]
    names = [p["name"] for p in paths["/api/v1/contacts"]["post"]["parameters"]]
    assert "Idempotency-Key" in names
    assert "Idempotency-Key" not in [p["name"] for p in paths["/api/v1/contacts"]["get"]["parameters"]]
    assert "409" in paths["/api/v1/contacts"]["post"]["responses"]
