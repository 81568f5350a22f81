"""Sign-up, sign-in, refresh rotation, logout, password change and reset, through the API."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, add_member, link_token, login, set_cookies, signup, unique_email
from tests.support import ApiClient, body


def test_signup_creates_a_trial_tenant_and_its_owner(client: ApiClient) -> None:
    email = unique_email("Owner").upper()
    response = client.post("/api/v1/auth/signup", {"company_name": "Flowers & Co", "name": "Olga",
                                                   "email": email, "password": PASSWORD, "country": "RU",
                                                   "locale": "ru"})
    assert response.status_code == 201
    data = body(response)
    assert data["tenant"]["name"] == "Flowers & Co" and data["tenant"]["plan"] == "pro"  # a trial of pro
    assert data["tenant"]["currency"] == "RUB"
    assert data["user"]["role"] == "owner" and data["user"]["email"] == email.lower()
    assert "password_hash" not in data["user"] and "totp_secret" not in data["user"]
    cookies = set_cookies(response)
    assert all("HttpOnly" in cookie and "SameSite=Strict" in cookie for cookie in cookies) and len(cookies) == 2
    me = client.get("/api/v1/me", token=data["access_token"])
    assert me.status_code == 200 and body(me)["tenant"]["id"] == data["tenant"]["id"]


@pytest.mark.parametrize("bad", [
    {"password": "short"},
    {"password": "password123"},
    {"email": "not-an-email"},
    {"company_name": ""},
    {"country": "Russia"},
    {"tenant_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"},
])
def test_signup_rejects_bad_input_and_creates_nothing(client: ApiClient, bad: dict) -> None:
    email = unique_email()
    payload = {"company_name": "X", "name": "Y", "email": email, "password": PASSWORD, **bad}
    response = client.post("/api/v1/auth/signup", payload)
    assert response.status_code == 422
    assert login(client, email).status_code == 401


def test_signup_names_every_problem_at_once(client: ApiClient) -> None:
    # A walk's newcomer mended her e-mail, then heard her password was too short: one answer now names both.
    response = client.post("/api/v1/auth/signup", {"company_name": "X", "name": "Y", "email": "not-an-email",
                                                   "password": "short"})
    assert response.status_code == 422, response.body
    assert [(d["loc"], d["type"]) for d in body(response)["error"]["details"]] == [
        (["email"], "value_error"), (["password"], "password_policy")]
    guessable = client.post("/api/v1/auth/signup", {"company_name": "X", "name": "Y", "email": unique_email(),
                                                    "password": "password123"})
    assert body(guessable)["error"]["details"][0]["msg"] == "Needs not a common or guessable password"


def test_login_and_wrong_password(client: ApiClient) -> None:
    company = signup(client)
    ok = login(client, company.owner.email)
    assert ok.status_code == 200 and body(ok)["access_token"]
    wrong = login(client, company.owner.email, "not the password at all")
    assert wrong.status_code == 401 and body(wrong)["error"]["code"] == "invalid_credentials"
    unknown = login(client, unique_email())
    assert unknown.status_code == 401 and body(unknown)["error"]["code"] == "invalid_credentials"


def test_email_in_two_tenants_asks_which_one(client: ApiClient) -> None:
    email = unique_email("shared")
    first = signup(client, company="First", email=email)
    second = signup(client, company="Second", email=email)
    third = signup(client, company="Third", email=email, password="another long passphrase")
    response = login(client, email)
    assert response.status_code == 409
    error = body(response)["error"]
    assert error["code"] == "tenant_choice_required"
    offered = {choice["tenant_id"] for choice in error["details"]}
    assert offered == {first.tenant_id, second.tenant_id}  # not the tenant the password does not open
    chosen = login(client, email, tenant_id=second.tenant_id)
    assert chosen.status_code == 200 and body(chosen)["tenant"]["id"] == second.tenant_id
    assert third.tenant_id not in offered


def test_refresh_rotates_and_reuse_revokes_the_session(client: ApiClient) -> None:
    company = signup(client)
    first = company.owner.refresh_token
    rotated = client.post("/api/v1/auth/refresh", {"refresh_token": first})
    assert rotated.status_code == 200
    second = body(rotated)["refresh_token"]
    assert second != first
    reused = client.post("/api/v1/auth/refresh", {"refresh_token": first})
    assert reused.status_code == 401 and body(reused)["error"]["code"] == "refresh_token_reused"
    # the whole family is gone: the newest token and the session's access token too
    assert client.post("/api/v1/auth/refresh", {"refresh_token": second}).status_code == 401
    assert client.get("/api/v1/me", token=body(rotated)["access_token"]).status_code == 401


def test_refresh_from_the_cookie(client: ApiClient) -> None:
    company = signup(client)
    cookie = f"crm_refresh={company.owner.refresh_token}"
    response = client.post("/api/v1/auth/refresh", {}, headers={"Cookie": cookie})
    assert response.status_code == 200


def test_logout_revokes_at_once(client: ApiClient) -> None:
    company = signup(client)
    other_device = body(login(client, company.owner.email))
    assert client.post("/api/v1/auth/logout", {}, token=company.owner.token).status_code == 204
    assert client.get("/api/v1/me", token=company.owner.token).status_code == 401
    assert client.post("/api/v1/auth/refresh", {"refresh_token": company.owner.refresh_token}).status_code == 401
    assert client.get("/api/v1/me", token=other_device["access_token"]).status_code == 200
    client.post("/api/v1/auth/logout", {"everywhere": True}, token=other_device["access_token"])
    assert client.get("/api/v1/me", token=other_device["access_token"]).status_code == 401


def test_password_change_revokes_other_sessions(client: ApiClient) -> None:
    company = signup(client)
    other = body(login(client, company.owner.email))
    wrong = client.post("/api/v1/auth/password", {"current_password": "nope nope nope",
                                                  "new_password": "a brand new passphrase"}, token=company.owner.token)
    assert wrong.status_code == 403
    changed = client.post("/api/v1/auth/password", {"current_password": PASSWORD,
                                                    "new_password": "a brand new passphrase"},
                          token=company.owner.token)
    assert changed.status_code == 200
    assert client.get("/api/v1/me", token=other["access_token"]).status_code == 401
    assert client.get("/api/v1/me", token=body(changed)["access_token"]).status_code == 200
    assert login(client, company.owner.email).status_code == 401
    assert login(client, company.owner.email, "a brand new passphrase").status_code == 200


def test_password_reset_by_email_link_works_once(client: ApiClient) -> None:
    company = signup(client)
    assert client.post("/api/v1/auth/password-reset", {"email": company.owner.email}).status_code == 202
    assert client.post("/api/v1/auth/password-reset", {"email": unique_email()}).status_code == 202  # no leak
    token = link_token(company.owner.email, "reset")
    done = client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "reset passphrase 42"})
    assert done.status_code == 200
    assert client.get("/api/v1/me", token=company.owner.token).status_code == 401
    assert login(client, company.owner.email, "reset passphrase 42").status_code == 200
    again = client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "other passphrase 1"})
    assert again.status_code == 400 and body(again)["error"]["code"] == "invalid_token"


def test_invitation_then_login_and_duplicate(client: ApiClient) -> None:
    company = signup(client)
    agent = add_member(client, company, role="agent", name="anna")
    assert login(client, agent.email).status_code == 200
    again = client.post("/api/v1/users", {"email": agent.email, "name": "Anna", "role": "agent"},
                        token=company.owner.token)
    assert again.status_code == 409
    users = body(client.get("/api/v1/users", token=company.owner.token))["items"]
    assert {u["email"] for u in users} == {company.owner.email, agent.email}


def test_signing_up_and_joining_count_as_signing_in(client: ApiClient) -> None:
    # A walk's owner saw 'Last sign-in: never' beside herself and her courier while both were working in the app:
    # sign-up and accepting an invitation start a session without passing through the sign-in.
    company = signup(client)
    courier = add_member(client, company, role="agent", name="ivan")
    users = {u["id"]: u for u in body(client.get("/api/v1/users", token=company.owner.token))["items"]}
    assert users[company.owner.user_id]["last_login_at"] and users[courier.user_id]["last_login_at"]


def test_deactivated_users_live_token_is_refused(client: ApiClient) -> None:
    company = signup(client)
    agent = add_member(client, company, role="agent", name="boris")
    assert client.get("/api/v1/me", token=agent.token).status_code == 200
    done = client.post(f"/api/v1/users/{agent.user_id}/deactivate", {}, token=company.owner.token)
    assert done.status_code == 200 and body(done)["status"] == "deactivated"
    assert client.get("/api/v1/me", token=agent.token).status_code == 401
    assert client.post("/api/v1/auth/refresh", {"refresh_token": agent.refresh_token}).status_code == 401
    assert login(client, agent.email).status_code == 401


def test_logs_never_contain_passwords_or_tokens(client: ApiClient) -> None:
    import io

    from chalicelib.core.observability import logger

    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)
    try:
        company = signup(client, password="very secret passphrase 9")
        login(client, company.owner.email, "very secret passphrase 9")
        login(client, company.owner.email, "wrong secret passphrase 9")
    finally:
        logger.registered_handler.setStream(previous)
    text = buffer.getvalue()
    assert "request" in text
    for secret in ("very secret passphrase 9", "wrong secret passphrase 9", company.owner.token,
                   company.owner.refresh_token):
        assert secret not in text


def test_a_new_company_starts_with_the_default_sales_pipeline(client: ApiClient) -> None:
    from chalicelib.core.db import MainTable
    from chalicelib.core.tenancy import TenantContext, bind, tenant_key

    company = signup(client)
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):  # written by sign-up itself, before anyone opens the deals screen
        stored = [item.kind for item in MainTable.query(tenant_key(ctx, "PIPELINE"))]
    assert stored, "sign-up commits the default pipeline"
    pipelines = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"]
    assert [p["name"] for p in pipelines] == ["Sales"]
    kinds = [stage["kind"] for stage in pipelines[0]["stages"]]
    assert kinds.count("won") == 1 and kinds.count("lost") == 1
