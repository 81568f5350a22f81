"""A colleague deactivated and reactivated in Settings -> Users (README: "colleagues deactivated, every session ended
at once and their seat freed, and reactivated"). That a deactivated colleague's tokens die is test_auth.py's; this
is the way back, and who cannot be deactivated."""

from __future__ import annotations

from typing import Any

from tests.factories import add_member, login, signup
from tests.support import ApiClient, body


def users_used(client: ApiClient, token: str) -> Any:
    return body(client.get("/api/v1/billing", token=token))["usage"]["users"]["used"]


def test_a_reactivated_colleague_signs_in_again_and_takes_a_seat_again(client: ApiClient) -> None:
    company = signup(client, company="Back again")
    owner = company.owner.token
    agent = add_member(client, company, role="agent", name="boris")
    assert users_used(client, owner) == 2
    assert client.post(f"/api/v1/users/{agent.user_id}/deactivate", {}, token=owner).status_code == 200
    assert (login(client, agent.email).status_code, users_used(client, owner)) == (401, 1)

    back = client.post(f"/api/v1/users/{agent.user_id}/reactivate", {}, token=owner)
    assert back.status_code == 200 and body(back)["status"] == "active", back.body
    signed = login(client, agent.email)
    assert signed.status_code == 200, signed.body  # the same password, nothing to set up again
    assert client.get("/api/v1/me", token=body(signed)["access_token"]).status_code == 200
    assert users_used(client, owner) == 2


def test_the_owner_and_oneself_cannot_be_deactivated(client: ApiClient) -> None:
    company = signup(client, company="Stay on")
    admin = add_member(client, company, role="admin", name="ada")
    refused = client.post(f"/api/v1/users/{company.owner.user_id}/deactivate", {}, token=admin.token)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "owner_deactivation"
    itself = client.post(f"/api/v1/users/{admin.user_id}/deactivate", {}, token=admin.token)
    assert itself.status_code == 403 and body(itself)["error"]["code"] == "self_deactivation"
    assert login(client, company.owner.email).status_code == 200
    assert login(client, admin.email).status_code == 200
