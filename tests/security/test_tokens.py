"""Attacks on access tokens, lockout, and the second factor."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pyotp
import pytest

from chalicelib.core import secrets
from tests.factories import PASSWORD, login, signup, unique_email
from tests.support import ApiClient, body


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def our_key() -> dict[str, str]:
    return secrets.jwt_keys()[0]


def sign(claims: dict[str, Any], *, kid: str | None = None, key: dict[str, str] | None = None) -> str:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = key or our_key()
    private = load_pem_private_key(key["private_pem"].encode(), password=None)
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid or key["kid"]})


@pytest.fixture
def owner(client: ApiClient) -> Any:
    return signup(client).owner


def refused(client: ApiClient, token: str) -> bool:
    response = client.get("/api/v1/me", token=token)
    return response.status_code == 401 and body(response)["error"]["code"] in {
        "unauthenticated", "token_expired", "token_revoked", "token_stale"}


def test_valid_token_is_accepted(client: ApiClient, owner: Any) -> None:
    assert client.get("/api/v1/me", token=owner.token).status_code == 200


def test_alg_none_is_refused(client: ApiClient, owner: Any) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": our_key()["kid"]}
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims_of(owner.token)).encode())}."
    assert refused(client, token)


def test_hs256_signed_with_the_public_key_is_refused(client: ApiClient, owner: Any) -> None:
    header = {"alg": "HS256", "typ": "JWT", "kid": our_key()["kid"]}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims_of(owner.token)).encode())}"
    mac = hmac.new(our_key()["public_pem"].encode(), signing_input.encode(), hashlib.sha256).digest()
    assert refused(client, f"{signing_input}.{b64(mac)}")


def test_expired_and_not_yet_valid_are_refused(client: ApiClient, owner: Any) -> None:
    claims = claims_of(owner.token)
    past = int(time.time()) - 3600
    assert refused(client, sign({**claims, "iat": past, "nbf": past, "exp": past + 900}))
    future = int(time.time()) + 3600
    assert refused(client, sign({**claims, "iat": future, "nbf": future, "exp": future + 900}))


@pytest.mark.parametrize("claim,value", [("iss", "https://evil"), ("aud", "someone-else")])
def test_wrong_issuer_or_audience_is_refused(client: ApiClient, owner: Any, claim: str, value: str) -> None:
    assert refused(client, sign({**claims_of(owner.token), claim: value}))


@pytest.mark.parametrize("claim", ["tid", "role", "sub", "tv"])
def test_tampered_claims_are_refused(client: ApiClient, owner: Any, claim: str) -> None:
    other = signup(client)
    header, _, signature = owner.token.split(".")
    claims = claims_of(owner.token)
    claims[claim] = {"tid": other.tenant_id, "role": "owner" if claims["role"] != "owner" else "admin",
                     "sub": other.owner.user_id, "tv": 99}[claim]
    forged = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    assert refused(client, forged)


def test_unknown_kid_and_foreign_key_are_refused(client: ApiClient, owner: Any) -> None:
    from tenants.secrets import new_signing_key

    stranger = new_signing_key()
    assert refused(client, sign(claims_of(owner.token), key=stranger))
    assert refused(client, sign(claims_of(owner.token), kid=stranger["kid"]))


def test_garbage_tokens_are_refused(client: ApiClient) -> None:
    for token in ("garbage", "a.b.c", "crm_nothing", "crm_01HZZZZZZZZZZZZZZZZZZZZZZZ_x", "Bearer"):
        assert client.get("/api/v1/me", token=token).status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_token_with_a_stale_role_is_refused_after_a_role_change(client: ApiClient) -> None:
    from tests.factories import add_member

    company = signup(client)
    agent = add_member(client, company, role="agent", name="agent")
    version = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))["version"]
    changed = client.patch(f"/api/v1/users/{agent.user_id}", {"role": "read_only", "version": version},
                           token=company.owner.token)
    assert changed.status_code == 200
    assert client.get("/api/v1/me", token=agent.token).status_code == 401
    renewed = body(client.post("/api/v1/auth/refresh", {"refresh_token": agent.refresh_token}))
    assert body(client.get("/api/v1/me", token=renewed["access_token"]))["user"]["role"] == "read_only"


def test_rotated_signing_key_keeps_old_tokens_valid(client: ApiClient, owner: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tenants.secrets import new_signing_key

    rotated = [new_signing_key(), *secrets.jwt_keys()]
    monkeypatch.setattr(secrets, "jwt_keys", lambda **_: rotated)
    assert client.get("/api/v1/me", token=owner.token).status_code == 200  # old kid still verifies
    fresh = body(login(client, owner.email))["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == rotated[0]["kid"]
    assert client.get("/api/v1/me", token=fresh).status_code == 200


def test_key_rotated_in_secrets_manager_is_picked_up_at_once(client: ApiClient, owner: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from chalicelib.core import auth
    from chalicelib.core.config import settings
    from tenants.secrets import rotate_jwt_key

    manager = boto3.client("secretsmanager", region_name=settings.region)
    current = json.loads(manager.get_secret_value(SecretId=settings.app_secret_id)["SecretString"])
    rotated = rotate_jwt_key(current)
    manager.put_secret_value(SecretId=settings.app_secret_id, SecretString=json.dumps(rotated))
    monkeypatch.setattr(auth, "_last_refetch", [0.0])
    try:
        token = sign(claims_of(owner.token), key=rotated["jwt_keys"][0])  # signed by "another Lambda"
        assert client.get("/api/v1/me", token=token).status_code == 200
    finally:
        manager.put_secret_value(SecretId=settings.app_secret_id, SecretString=json.dumps(current))
        secrets.app_secret(fresh=True)


def test_a_remembered_token_is_refused_once_its_key_is_retired(client: ApiClient, owner: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A Lambda remembers tokens it verified (bench.cpu); retiring the signing key still ends them at once."""
    from chalicelib.core import auth
    from tenants.secrets import new_signing_key

    assert client.get("/api/v1/me", token=owner.token).status_code == 200
    assert owner.token in auth._VERIFIED  # verified once, remembered
    monkeypatch.setattr(secrets, "jwt_keys", lambda **_: [new_signing_key()])
    monkeypatch.setattr(auth, "_last_refetch", [time.monotonic()])  # no fresh fetch brings the old key back
    assert refused(client, owner.token)
    assert owner.token not in auth._VERIFIED


def test_a_remembered_token_is_not_remembered_past_its_expiry(client: ApiClient, owner: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its expiry a remembered token goes back to full verification (which refuses an expired token:
    test_expired_and_not_yet_valid_are_refused); remembering never lengthens a token's life."""
    from chalicelib.core import auth

    assert client.get("/api/v1/me", token=owner.token).status_code == 200
    assert auth._remembered(owner.token) is not None
    later = claims_of(owner.token)["exp"] + auth.LEEWAY_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert auth._remembered(owner.token) is None
    assert owner.token not in auth._VERIFIED


# -- lockout --------------------------------------------------------------------------------


def test_lockout_after_failures_and_its_end(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import db

    company = signup(client)
    for _ in range(5):
        assert login(client, company.owner.email, "wrong password here").status_code == 401
    locked = login(client, company.owner.email)  # even the right password
    assert locked.status_code == 429 and body(locked)["error"]["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 0
    real_now = db.utcnow
    monkeypatch.setattr(db, "utcnow", lambda: real_now() + timedelta(minutes=2))
    assert login(client, company.owner.email).status_code == 200
    monkeypatch.setattr(db, "utcnow", real_now)
    # the count starts again after a success
    assert login(client, company.owner.email, "wrong password here").status_code == 401
    assert login(client, company.owner.email).status_code == 200


def test_lockout_backs_off() -> None:
    from chalicelib.identity.lockout import ACCOUNT_MAX_FAILURES, lock_seconds

    assert lock_seconds(4) == 0
    assert lock_seconds(5) == 30 and lock_seconds(6) == 60 and lock_seconds(7) == 120
    assert lock_seconds(50) == 3600
    assert lock_seconds(ACCOUNT_MAX_FAILURES - 1, ACCOUNT_MAX_FAILURES) == 0
    assert lock_seconds(ACCOUNT_MAX_FAILURES, ACCOUNT_MAX_FAILURES) == 30


def test_source_address_is_throttled(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from chalicelib.identity import sessions

    # The failures count in 15-minute windows of the clock: the 31 attempts stay in one window, wherever they fall.
    start = int(time.time()) // sessions.ADDRESS_WINDOW_SECONDS * sessions.ADDRESS_WINDOW_SECONDS + 1
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: start))
    address = f"203.0.113.{int(time.time()) % 250 + 1}"
    attacker = ApiClient(app, source_ip=address)
    for _ in range(30):
        attacker.post("/api/v1/auth/login", {"email": unique_email(), "password": "guess guess guess"})
    blocked = attacker.post("/api/v1/auth/login", {"email": unique_email(), "password": "guess guess guess"})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    company = signup(ApiClient(app, source_ip="198.51.100.7"))
    assert ApiClient(app, source_ip="198.51.100.7").post(
        "/api/v1/auth/login", {"email": company.owner.email, "password": PASSWORD}).status_code == 200


# -- second factor --------------------------------------------------------------------------


def next_code(secret: str) -> str:
    """The code of the next 30-second step: taken now (one step of drift) where this step's was taken already."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def enroll(client: ApiClient, token: str) -> tuple[str, str]:
    setup = client.post("/api/v1/auth/totp/setup", {}, token=token)
    assert setup.status_code == 200
    secret = body(setup)["secret"]
    enabled = client.post("/api/v1/auth/totp/enable", {"code": pyotp.TOTP(secret).now()}, token=token)
    assert enabled.status_code == 200
    return secret, body(enabled)["access_token"]


def test_totp_required_and_wrong(client: ApiClient) -> None:
    company = signup(client)
    secret, _ = enroll(client, company.owner.token)
    missing = login(client, company.owner.email)
    assert missing.status_code == 401 and body(missing)["error"]["code"] == "otp_required"
    wrong_code = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    wrong = login(client, company.owner.email, otp=wrong_code)
    assert wrong.status_code == 401 and body(wrong)["error"]["code"] == "otp_invalid"
    ok = login(client, company.owner.email, otp=next_code(secret))  # enabling took this step's code
    assert ok.status_code == 200


def test_a_code_typed_as_the_app_shows_it_is_taken(client: ApiClient) -> None:
    # A walk's owner typed '123 456' as her authenticator app shows it and was told 'wrong format'.
    company = signup(client)
    setup = client.post("/api/v1/auth/totp/setup", {}, token=company.owner.token)
    secret = body(setup)["secret"]
    code = pyotp.TOTP(secret).now()
    enabled = client.post("/api/v1/auth/totp/enable", {"code": f" {code[:3]} {code[3:]} "}, token=company.owner.token)
    assert enabled.status_code == 200, enabled.body
    code = next_code(secret)
    assert login(client, company.owner.email, otp=f"{code[:3]}-{code[3:]}").status_code == 200
    for bad in ("12 34 5", "abc def", "1234567"):
        refused = login(client, company.owner.email, otp=bad)
        assert refused.status_code == 422 and body(refused)["error"]["code"] == "validation_error", refused.body


def test_a_code_is_taken_once(client: ApiClient) -> None:
    """RFC 6238 5.2: a code seen over a shoulder, in a screenshot or a log opens nothing once its owner used it."""
    company = signup(client)
    secret, _ = enroll(client, company.owner.token)  # takes this step's code
    assert body(login(client, company.owner.email, otp=pyotp.TOTP(secret).now()))["error"]["code"] == "otp_invalid"
    code = next_code(secret)
    assert login(client, company.owner.email, otp=code).status_code == 200
    again = login(client, company.owner.email, otp=code)
    assert again.status_code == 401 and body(again)["error"]["code"] == "otp_invalid"
    earlier = pyotp.TOTP(secret).at(int(time.time()) - 30)  # an older code, within the drift, after a newer one
    assert login(client, company.owner.email, otp=earlier).status_code == 401


def test_totp_secret_is_encrypted_at_rest(client: ApiClient) -> None:
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.identity import service

    company = signup(client)
    secret, _ = enroll(client, company.owner.token)
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        stored = service.get_user_or_raise(ctx, company.owner.user_id).totp_secret
    assert stored and secret not in stored


def test_tenant_can_enforce_the_second_factor(client: ApiClient) -> None:
    company = signup(client)
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    updated = client.patch("/api/v1/tenant", {"require_totp": True, "version": tenant["version"]},
                           token=company.owner.token)
    assert updated.status_code == 200
    signed = body(login(client, company.owner.email))
    assert signed["must_enroll_totp"] is True
    blocked = client.get("/api/v1/users", token=signed["access_token"])
    assert blocked.status_code == 403 and body(blocked)["error"]["code"] == "totp_enrollment_required"
    _, full_token = enroll(client, signed["access_token"])
    assert client.get("/api/v1/users", token=full_token).status_code == 200


def test_password_max_age_forces_a_change(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import db

    company = signup(client)
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    client.patch("/api/v1/tenant", {"password_max_age_days": 90, "version": tenant["version"]},
                 token=company.owner.token)
    real_now = db.utcnow
    monkeypatch.setattr(db, "utcnow", lambda: real_now() + timedelta(days=91))
    signed = body(login(client, company.owner.email))
    monkeypatch.setattr(db, "utcnow", real_now)
    assert signed["must_change_password"] is True
    assert client.get("/api/v1/users", token=signed["access_token"]).status_code == 403
    changed = client.post("/api/v1/auth/password", {"current_password": PASSWORD,
                                                    "new_password": "a fresh passphrase 2026"},
                          token=signed["access_token"])
    assert changed.status_code == 200
    assert client.get("/api/v1/users", token=body(changed)["access_token"]).status_code == 200



# -- where the refresh token travels (#21 item 4) -------------------------------------------


def cookie_token(response: Any) -> str:
    from tests.factories import refresh_cookie

    return refresh_cookie(response)


def test_browser_answers_carry_the_refresh_token_only_in_the_httponly_cookie(client: ApiClient) -> None:
    """Sign-up, sign-in, refresh by cookie, accepting an invitation and a password change: never in the body."""
    from tests.factories import link_token

    email = unique_email("owner")
    signed_up = client.post("/api/v1/auth/signup", {"company_name": "Cookie Co", "name": "Olga", "email": email,
                                                    "password": PASSWORD})
    signed_in = login(client, email)
    refreshed = client.post("/api/v1/auth/refresh", {}, headers={"Cookie": f"crm_refresh={cookie_token(signed_in)}"})
    token = body(signed_in)["access_token"]
    invited = unique_email("agent")
    client.post("/api/v1/users", {"email": invited, "name": "Anton", "role": "agent"}, token=token)
    accepted = client.post("/api/v1/auth/accept-invitation", {"token": link_token(invited, "accept"),
                                                              "password": PASSWORD})
    changed = client.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": PASSWORD + "!"},
                          token=body(refreshed)["access_token"])
    for response in (signed_up, signed_in, refreshed, accepted, changed):
        assert response.status_code in (200, 201), response.body
        answer = body(response)
        assert answer["refresh_token"] is None and answer["access_token"]
        from tests.factories import set_cookies

        cookie = next(header for header in set_cookies(response) if header.startswith("crm_refresh="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
        assert cookie_token(response).startswith("rt_")
        assert cookie_token(response).encode() not in response.body


def test_a_script_on_the_page_cannot_lift_the_cookie_token_through_refresh(client: ApiClient) -> None:
    """A refresh through the cookie answers the new token in the cookie only, whatever the request asks."""
    company = signup(client)
    cookie = {"Cookie": f"crm_refresh={company.owner.refresh_token}"}
    asked = client.post("/api/v1/auth/refresh", {"refresh_token_in_body": True}, headers=cookie)
    assert asked.status_code == 422  # no such option on refresh
    plain = client.post("/api/v1/auth/refresh", {}, headers=cookie)
    assert plain.status_code == 200 and body(plain)["refresh_token"] is None


def test_api_clients_ask_for_the_refresh_token_in_the_body(client: ApiClient) -> None:
    email = unique_email("integrator")
    signed_up = client.post("/api/v1/auth/signup", {"company_name": "Api Co", "name": "Ivan", "email": email,
                                                    "password": PASSWORD, "refresh_token_in_body": True})
    assert body(signed_up)["refresh_token"] == cookie_token(signed_up)
    signed_in = login(client, email, refresh_token_in_body=True)
    first = body(signed_in)["refresh_token"]
    assert first == cookie_token(signed_in)
    # Refreshing with the token in the body keeps it there: the client stores the next one itself.
    rotated = client.post("/api/v1/auth/refresh", {"refresh_token": first})
    assert rotated.status_code == 200 and body(rotated)["refresh_token"] not in (None, first)
    assert client.post("/api/v1/auth/refresh", {"refresh_token": body(rotated)["refresh_token"]}).status_code == 200
