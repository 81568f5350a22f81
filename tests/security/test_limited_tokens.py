"""A token limited to securing the account (the company requires a second factor not enrolled yet, or the password
is past the company's age) reaches the caller's profile and the sign-in routes, and nothing else: someone holding
only the password cannot change the company's data before the second factor is set up."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, login, signup
from tests.registry_walk import app_routes, fill_path, route_name
from tests.support import ApiClient, body

SOME_ID = "01J0000000000000000000000Z"
ALLOWED = {("/api/v1/me", "GET")}


@pytest.fixture
def enrolling(client: ApiClient) -> tuple[Company, str]:
    company = signup(client, company="Second Factor Ltd")
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    assert client.patch("/api/v1/tenant", {"require_totp": True, "version": tenant["version"]},
                        token=company.owner.token).status_code == 200
    signed = body(login(client, company.owner.email))
    assert signed["must_enroll_totp"] is True
    return company, signed["access_token"]


def _merge(client: ApiClient, token: str) -> tuple[dict[str, Any], str]:
    kept = body(client.post("/api/v1/contacts", {"first_name": "Anna", "phones": [{"number": "+79161230001"}]},
                            token=token))
    gone = body(client.post("/api/v1/contacts", {"first_name": "Anna K"}, token=token))
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": gone["id"], "version": kept["version"],
                                                                  "other_version": gone["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    return gone, str(body(merged)["merge_id"])


def test_a_limited_token_cannot_undo_a_merge(client: ApiClient) -> None:
    company = signup(client, company="Merges Ltd")
    gone, merge_id = _merge(client, company.owner.token)
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    client.patch("/api/v1/tenant", {"require_totp": True, "version": tenant["version"]}, token=company.owner.token)
    limited = body(login(client, company.owner.email))["access_token"]
    refused = client.post(f"/api/v1/merges/{merge_id}/undo", token=limited)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "totp_enrollment_required", refused.body
    assert client.get(f"/api/v1/contacts/{gone['id']}", token=limited).status_code == 403
    assert body(client.get("/api/v1/me", token=limited))["user"]["id"] == company.owner.user_id


def test_every_route_but_the_profile_and_sign_in_refuses_a_limited_token(client: ApiClient,
                                                                         enrolling: tuple[Company, str]) -> None:
    _, limited = enrolling
    let_through = []
    for spec in app_routes():
        if spec.public or (spec.path, spec.method) in ALLOWED or spec.path.startswith("/api/v1/auth/"):
            continue
        path = fill_path(spec, dict.fromkeys(spec.path_params, SOME_ID))
        answer = client.request(spec.method, path, body=b"{}" if spec.method != "GET" else None,
                                headers={"Authorization": f"Bearer {limited}", "Content-Type": "application/json"})
        if answer.status_code != 403 or body(answer)["error"]["code"] != "totp_enrollment_required":
            let_through.append((route_name(spec), answer.status_code))
    assert let_through == []
