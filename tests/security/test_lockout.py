"""Failed sign-ins back off per source and per account, and a stranger cannot lock the owner out (#21 item 8).

Before, five failed sign-ins locked any account whose e-mail was known, for everyone: a stranger could keep
the owner out of their own company.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.identity import lockout
from tests.factories import PASSWORD, Company, cookie_value, signup
from tests.support import ApiClient, body

WRONG = "not the password at all"


def sign_in(app: Any, email: str, password: str, *, ip: str, device: str | None = None) -> Any:
    headers = {"Cookie": f"{lockout.DEVICE_COOKIE}={device}"} if device else None
    return ApiClient(app, source_ip=ip).post("/api/v1/auth/login", {"email": email, "password": password},
                                             headers=headers)


def locked(response: Any) -> bool:
    return response.status_code == 429 and body(response)["error"]["code"] == "account_locked"


@pytest.fixture
def company(app: Any) -> Company:
    return signup(ApiClient(app, source_ip="192.0.2.1"), company="Lockout Ltd")


def test_a_stranger_locks_only_themselves_out(app: Any, company: Company) -> None:
    email = company.owner.email
    for _ in range(10):
        answer = sign_in(app, email, WRONG, ip="203.0.113.50")
        assert answer.status_code == 401 or locked(answer)
    assert locked(sign_in(app, email, PASSWORD, ip="203.0.113.50"))  # even the right password, from there
    assert sign_in(app, email, PASSWORD, ip="192.0.2.1").status_code == 200  # the owner, from their office


def test_a_guess_spread_over_many_addresses_locks_the_account_but_not_the_owners_browser(
        app: Any, company: Company) -> None:
    email = company.owner.email
    device = cookie_value(sign_in(app, email, PASSWORD, ip="192.0.2.1"), lockout.DEVICE_COOKIE)
    for n in range(lockout.ACCOUNT_MAX_FAILURES):
        assert sign_in(app, email, WRONG, ip=f"198.51.100.{n + 1}").status_code == 401
    assert locked(sign_in(app, email, PASSWORD, ip="198.51.100.200"))  # an address never seen: locked
    # The browser the owner signed in from before gets in, from any address.
    assert sign_in(app, email, PASSWORD, ip="192.0.2.99", device=device).status_code == 200


def test_the_owners_browser_is_held_to_its_own_five(app: Any, company: Company) -> None:
    email = company.owner.email
    device = cookie_value(sign_in(app, email, PASSWORD, ip="192.0.2.1"), lockout.DEVICE_COOKIE)
    for n in range(lockout.SOURCE_MAX_FAILURES):  # a stolen cookie replayed from many addresses is one source
        assert sign_in(app, email, WRONG, ip=f"203.0.113.{60 + n}", device=device).status_code == 401
    assert locked(sign_in(app, email, PASSWORD, ip="203.0.113.70", device=device))
    assert sign_in(app, email, PASSWORD, ip="192.0.2.1").status_code == 200  # the office address is its own source


def test_only_a_cookie_this_users_sign_in_set_is_trusted(app: Any, company: Company) -> None:
    other = signup(ApiClient(app, source_ip="192.0.2.2"), company="Other Ltd")
    others_device = cookie_value(sign_in(app, other.owner.email, PASSWORD, ip="192.0.2.2"), lockout.DEVICE_COOKIE)
    user_id = company.owner.user_id
    forged = f"dv1.{user_id}.{others_device.split('.')[2]}.{others_device.split('.')[3]}"
    assert lockout.trusted_device(others_device, user_id) is None
    assert lockout.trusted_device(forged, user_id) is None
    assert lockout.trusted_device("garbage", user_id) is None
    assert lockout.trusted_device(lockout.device_token(user_id), user_id) is not None


def test_the_device_cookie_is_httponly_and_sent_only_to_sign_in(app: Any, company: Company) -> None:
    from tests.factories import set_cookies

    answer = sign_in(app, company.owner.email, PASSWORD, ip="192.0.2.1")
    cookie = next(header for header in set_cookies(answer) if header.startswith(lockout.DEVICE_COOKIE + "="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/v1/auth/login;" in cookie
    assert cookie_value(answer, lockout.DEVICE_COOKIE).encode() not in answer.body
