"""An invitation e-mailed again is for a lost e-mail, not a way to mail anyone a company's name (any text a free
sign-up chooses, a phone number to call included) as fast as one can click: after the first resend, each waits,
a minute doubling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import link_token, outbox, signup
from tests.support import ApiClient, body

PASSWORD = "a good passphrase 2026"


def test_resending_an_invitation_waits_doubling_and_the_last_link_works(client: ApiClient,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import db

    company = signup(client, company="Call +1 555 0100 to claim your prize")
    email = "invited-once@example.com"
    made = body(client.post("/api/v1/users", {"email": email, "name": "Vera", "role": "agent"},
                            token=company.owner.token))
    path = f"/api/v1/users/{made['id']}/resend-invitation"
    assert client.post(path, {}, token=company.owner.token).status_code == 202  # a lost e-mail: sent again at once
    answers = [client.post(path, {}, token=company.owner.token) for _ in range(20)]
    assert [a.status_code for a in answers] == [429] * 20
    assert body(answers[0])["error"]["code"] == "invitation_recently_sent"
    assert 0 < int(answers[0].headers["Retry-After"]) <= 61
    assert len(outbox(email)) == 2  # the invitation and the one resend, nothing more

    real_now, later = db.utcnow, 0
    for wait in (61, 121, 241):  # a minute after the first, then two, then four
        later += wait
        monkeypatch.setattr(db, "utcnow", lambda shift=later: real_now() + timedelta(seconds=shift))
        assert client.post(path, {}, token=company.owner.token).status_code == 202
        assert client.post(path, {}, token=company.owner.token).status_code == 429
    assert len(outbox(email)) == 5
    monkeypatch.setattr(db, "utcnow", real_now)
    joined = client.post("/api/v1/auth/accept-invitation", {"token": link_token(email, "accept"),
                                                            "password": PASSWORD})
    assert joined.status_code == 200, joined.body


def test_a_sign_ups_confirmation_link_is_mailed_again_no_faster(client: ApiClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A sign-up may give any address (a stranger's) and any company name: its "send the link again" waits too."""
    from chalicelib.core import db

    email = "stranger-confirm@example.com"
    company = signup(client, company="Call +1 555 0100 to claim your prize", email=email, confirm=False)
    path = "/api/v1/auth/confirm-email/resend"
    assert client.post(path, {}, token=company.owner.token).status_code == 202
    answers = [client.post(path, {}, token=company.owner.token) for _ in range(10)]
    assert [a.status_code for a in answers] == [429] * 10
    assert body(answers[0])["error"]["code"] == "confirmation_recently_sent"
    assert len(outbox(email)) == 2  # the sign-up's and the one resend
    real_now = db.utcnow
    monkeypatch.setattr(db, "utcnow", lambda: real_now() + timedelta(seconds=61))
    assert client.post(path, {}, token=company.owner.token).status_code == 202
    monkeypatch.setattr(db, "utcnow", real_now)
    confirmed = client.post("/api/v1/auth/confirm-email", {"token": link_token(email, "confirm-email")})
    assert confirmed.status_code == 200, confirmed.body


def test_a_company_mails_at_most_its_daily_invitations_and_a_refused_one_writes_nothing(
        client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inviting, resending or inviting anew: a sign-up cannot make our mail its channel past a day's number."""
    from chalicelib.core import db
    from chalicelib.identity import service

    monkeypatch.setattr(service, "INVITATIONS_PER_DAY", 3)
    company, neighbour = signup(client, company="Win a prize: call now"), signup(client, company="Bakery next door")
    owner = company.owner.token

    def invite(email: str, token: str = owner) -> object:
        return client.post("/api/v1/users", {"email": email, "name": "Vera", "role": "agent"}, token=token)

    first = body(invite("daily-1@example.com"))
    assert client.post(f"/api/v1/users/{first['id']}/resend-invitation", {}, token=owner).status_code == 202
    assert invite("daily-2@example.com").status_code == 201  # three e-mails (the resend counts): the day's number
    refused = invite("daily-3@example.com")
    assert refused.status_code == 429 and body(refused)["error"]["code"] == "invitations_daily_limit", refused.body
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert outbox("daily-3@example.com") == []
    listed = body(client.get("/api/v1/users", token=owner))["items"]
    assert "daily-3@example.com" not in {user["email"] for user in listed}  # nothing written: no seat taken
    real_now = db.utcnow
    assert invite("neighbours-1@example.com", neighbour.owner.token).status_code == 201  # another company's own day
    monkeypatch.setattr(db, "utcnow", lambda: real_now() + timedelta(days=1))
    assert invite("daily-3@example.com").status_code == 201  # a new day
