"""The company's minimum password length (Settings -> Company) holds wherever a password is chosen.

README: "a password policy (at least 10 characters, or the company's minimum, and nothing common or guessable ...:
Settings -> Company)". Sign-up's default and the expiry are tested in test_auth.py and security/test_tokens.py; this
is the company's own minimum, which nothing else checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD, Company, link_token, login, signup, unique_email
from tests.support import ApiClient, body

SHORT = "river stone 42"  # 14 characters: past the default 10, short of the company's 20
LONG = "river stone forty-two again"  # 27 characters


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Long passwords")
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    raised = client.patch("/api/v1/tenant", {"password_min_length": 20, "version": tenant["version"]},
                          token=company.owner.token)
    assert raised.status_code == 200 and body(raised)["password_min_length"] == 20, raised.body
    return company


def refused_for_length(response: Any) -> None:
    assert response.status_code == 422, response.body
    detail = body(response)["error"]["details"][0]
    assert detail["type"] == "password_policy" and detail["msg"] == "Needs at least 20 characters", detail


def test_a_minimum_below_8_is_refused_and_changes_nothing(client: ApiClient, company: Company) -> None:
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    low = client.patch("/api/v1/tenant", {"password_min_length": 7, "version": tenant["version"]},
                       token=company.owner.token)
    assert low.status_code == 422
    assert body(client.get("/api/v1/tenant", token=company.owner.token))["password_min_length"] == 20


def test_a_colleague_joining_chooses_a_password_of_the_company_minimum(client: ApiClient, company: Company) -> None:
    email = unique_email("joiner")
    invited = client.post("/api/v1/users", {"email": email, "name": "Jo Joiner", "role": "agent"},
                          token=company.owner.token)
    assert invited.status_code == 201, invited.body
    token = link_token(email, "accept")
    refused_for_length(client.post("/api/v1/auth/accept-invitation", {"token": token, "password": SHORT}))
    joined = client.post("/api/v1/auth/accept-invitation", {"token": token, "password": LONG})
    assert joined.status_code == 200, joined.body  # the refusal used nothing up: the same link still works


def test_a_changed_or_reset_password_meets_the_company_minimum(client: ApiClient, company: Company) -> None:
    owner = company.owner
    refused_for_length(client.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": SHORT},
                                   token=owner.token))
    assert login(client, owner.email, PASSWORD).status_code == 200  # the old password still signs in

    assert client.post("/api/v1/auth/password-reset", {"email": owner.email}).status_code in (200, 202, 204)
    token = link_token(owner.email, "reset")
    refused_for_length(client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": SHORT}))
    assert login(client, owner.email, PASSWORD).status_code == 200
    reset = client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": LONG})
    assert reset.status_code in (200, 204), reset.body
    assert login(client, owner.email, LONG).status_code == 200
    assert login(client, owner.email, PASSWORD).status_code == 401
