"""The password asked again (changing it, turning the second factor off, deleting the company) is guessed no faster
than at sign-in: whoever holds a session (a laptop left open, a token lifted) cannot try passwords behind it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import PASSWORD, login, signup
from tests.support import ApiClient, body

Asked = Callable[[ApiClient, str, str], Any]


def _change(client: ApiClient, token: str, guess: str) -> Any:
    return client.post("/api/v1/auth/password", {"current_password": guess, "new_password": "a new passphrase 99"},
                       token=token)


def _totp_off(client: ApiClient, token: str, guess: str) -> Any:
    return client.post("/api/v1/auth/totp/disable", {"password": guess, "code": "123456"}, token=token)


def _delete(client: ApiClient, token: str, guess: str) -> Any:
    return client.post("/api/v1/tenant/deletion", {"password": guess}, token=token)


@pytest.mark.parametrize("ask", [_change, _totp_off, _delete], ids=["change", "totp_off", "delete"])
def test_guessing_the_password_behind_a_session_locks_like_sign_in(app: Any, ask: Asked) -> None:
    client = ApiClient(app, source_ip="203.0.113.77")
    company = signup(client)
    token = company.owner.token
    for n in range(5):
        wrong = ask(client, token, f"guess number {n} here")
        assert wrong.status_code == 403, wrong.body
    locked = ask(client, token, PASSWORD)  # even the right one, for a while
    assert locked.status_code == 429 and body(locked)["error"]["code"] == "account_locked", locked.body
    assert int(locked.headers["Retry-After"]) > 0
    assert login(client, company.owner.email).status_code == 429  # the same source, at sign-in too
    elsewhere = ApiClient(app, source_ip="198.51.100.23")  # the owner's own place is not locked out
    assert login(elsewhere, company.owner.email).status_code == 200
