"""Sign-up confirms the owner's e-mail address; a company left unconfirmed for 7 days is read-only (#21 item 7).

Before, anyone could create a company under someone else's address. Sign-up still signs the owner in at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db
from chalicelib.identity import confirmation
from tests.factories import Company, add_member, link_token, outbox, signup
from tests.support import ApiClient, body


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Move the clock on by some days (tokens are checked against the real clock, the 7 days against this one)."""
    real = db.utcnow

    def move(days: float) -> None:
        monkeypatch.setattr(db, "utcnow", lambda: real() + timedelta(days=days))

    yield move
    monkeypatch.setattr(db, "utcnow", real)


def confirm_token(company: Company) -> str:
    return link_token(company.owner.email, "confirm-email")


def writes(client: ApiClient, token: str) -> int:
    return client.post("/api/v1/contacts", {"first_name": "Ann"}, token=token).status_code


def test_sign_up_signs_in_at_once_and_e_mails_a_link(client: ApiClient) -> None:
    company = signup(client, company="Fresh Ltd", confirm=False)
    [message] = outbox(company.owner.email)
    assert "Confirm your e-mail address for Fresh Ltd" in message.subject and "/#/confirm-email?token=" in message.body
    me = body(client.get("/api/v1/me", token=company.owner.token))
    assert me["tenant"]["email_confirm_by"]  # the web app's banner asks for it
    assert writes(client, company.owner.token) == 201


def test_seven_days_unconfirmed_make_the_company_read_only(client: ApiClient, later: Any) -> None:
    company = signup(client, company="Squatter Ltd", confirm=False)
    agent = add_member(client, company, role="agent", name="anna")
    key = body(client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["contacts:create:all",
                                                                                "contacts:read:all"]},
                           token=company.owner.token))["secret"]
    later(6.9)
    assert writes(client, company.owner.token) == 201
    later(7.1)
    for token in (company.owner.token, agent.token, key):
        refused = client.post("/api/v1/contacts", {"first_name": "Ann"}, token=token)
        assert refused.status_code == 403 and body(refused)["error"]["code"] == "email_unconfirmed", refused.body
        assert client.get("/api/v1/contacts", token=token).status_code == 200  # reading goes on
    # What a read-only company may still do: sign out, ask for the link again, export, pay.
    assert client.post("/api/v1/auth/confirm-email/resend", {}, token=company.owner.token).status_code == 202
    assert client.post("/api/v1/auth/logout", {}, token=agent.token).status_code == 204


def test_the_link_makes_the_company_writable_and_works_once(client: ApiClient, later: Any) -> None:
    company = signup(client, company="Real Owner Ltd", confirm=False)
    token = confirm_token(company)
    later(10)
    assert writes(client, company.owner.token) == 403
    confirmed = client.post("/api/v1/auth/confirm-email", {"token": token})  # no session needed: the link is proof
    assert confirmed.status_code == 200 and body(confirmed) == {"status": "confirmed"}
    assert writes(client, company.owner.token) == 201
    assert body(client.get("/api/v1/me", token=company.owner.token))["tenant"]["email_confirm_by"] is None
    again = client.post("/api/v1/auth/confirm-email", {"token": token})
    assert again.status_code == 400 and body(again)["error"]["code"] == "invalid_token"
    trail = body(client.get("/api/v1/audit?entity=tenant", token=company.owner.token))["items"]
    assert any(record["action"] == "confirm_email" for record in trail)


def test_only_the_owner_asks_for_the_link_again_until_confirmed(client: ApiClient) -> None:
    company = signup(client, company="Resend Ltd", confirm=False)
    admin = add_member(client, company, role="admin", name="adam")
    refused = client.post("/api/v1/auth/confirm-email/resend", {}, token=admin.token)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "owner_only"
    assert client.post("/api/v1/auth/confirm-email/resend", {}, token=company.owner.token).status_code == 202
    assert len(outbox(company.owner.email)) == 2
    assert client.post("/api/v1/auth/confirm-email", {"token": confirm_token(company)}).status_code == 200
    done = client.post("/api/v1/auth/confirm-email/resend", {}, token=company.owner.token)
    assert done.status_code == 409 and body(done)["error"]["code"] == "already_confirmed"


def test_companies_without_a_date_are_not_asked(client: ApiClient, later: Any) -> None:
    """Companies made before confirmation existed, by an operator or as the demo carry no date."""
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.identity import service

    company = signup(client, company="Old Ltd", confirm=False)
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        tenant = service.get_tenant_or_raise(ctx)
        tenant.email_confirm_by = None
        db.put(ctx, tenant)
    later(400)
    assert writes(client, company.owner.token) == 201
    assert not confirmation.due(tenant)


def test_a_bad_token_is_400(client: ApiClient) -> None:
    response = client.post("/api/v1/auth/confirm-email", {"token": "cfm_not-a-real-token"})
    assert response.status_code == 400 and body(response)["error"]["code"] == "invalid_token"
