"""A password-reset link is a key to the account for an hour: it opens once, and no longer once the password has
changed after it was mailed. Someone who saw the e-mail (a shared mailbox, a forwarded message, a glance at the
owner's screen) cannot take the account back after its owner has set a new password."""

from __future__ import annotations

from tests.factories import PASSWORD, link_token, login, signup
from tests.support import ApiClient, body


def _confirm(client: ApiClient, token: str, password: str) -> tuple[int, str]:
    answer = client.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": password})
    return answer.status_code, body(answer)["error"]["code"] if answer.status_code >= 400 else ""


def _reset_link(client: ApiClient, email: str) -> str:
    assert client.post("/api/v1/auth/password-reset", {"email": email}).status_code == 202
    return link_token(email, "reset")


def test_an_older_reset_link_is_dead_once_a_newer_one_set_the_password(client: ApiClient) -> None:
    company = signup(client)
    email = company.owner.email
    older, newer = _reset_link(client, email), _reset_link(client, email)
    assert older != newer
    assert _confirm(client, newer, "owners new passphrase 1") == (200, "")
    assert _confirm(client, older, "someone elses passphrase 2") == (400, "invalid_token")
    assert login(client, email, "owners new passphrase 1").status_code == 200
    assert login(client, email, "someone elses passphrase 2").status_code == 401


def test_a_reset_link_is_dead_once_its_owner_changed_the_password_in_the_app(client: ApiClient) -> None:
    company = signup(client)
    email = company.owner.email
    mailed = _reset_link(client, email)
    changed = client.post("/api/v1/auth/password", {"current_password": PASSWORD,
                                                    "new_password": "owners new passphrase 3"},
                          token=company.owner.token)
    assert changed.status_code == 200
    assert _confirm(client, mailed, "someone elses passphrase 4") == (400, "invalid_token")
    assert login(client, email, "owners new passphrase 3").status_code == 200


def test_a_link_asked_for_after_the_change_still_works(client: ApiClient) -> None:
    company = signup(client)
    email = company.owner.email
    client.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "owners new passphrase 5"},
                token=company.owner.token)
    assert _confirm(client, _reset_link(client, email), "forgot it again passphrase 6") == (200, "")
    assert login(client, email, "forgot it again passphrase 6").status_code == 200
