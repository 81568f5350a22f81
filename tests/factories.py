"""Builders of realistic tenants, users and tokens through the public API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ulid import ULID

from tests.support import ApiClient, body

PASSWORD = "correct horse battery staple"


def unique_email(name: str = "user") -> str:
    return f"{name}.{str(ULID()).lower()}@example.com"


def set_cookies(response: Any) -> list[str]:
    """The Set-Cookie headers of an answer (one, or several as a list)."""
    found = response.headers.get("Set-Cookie") or []
    return [found] if isinstance(found, str) else list(found)


def cookie_value(response: Any, name: str) -> str:
    """The value an answer set for a cookie."""
    for header in set_cookies(response):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0][len(name) + 1:]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def refresh_cookie(response: Any) -> str:
    """The refresh token a session answer set in its HttpOnly cookie (where a browser keeps it)."""
    return cookie_value(response, "crm_refresh")


def outbox(to: str | None = None) -> list[Any]:
    """Messages the embedded SES accepted (newest last)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    messages = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    def recipients(message: Any) -> list[str]:  # a raw message's destinations are a list, a simple one's a dict
        found = message.destinations
        return list(found.get("ToAddresses", [])) if isinstance(found, dict) else list(found or [])

    return [m for m in messages if to is None or to in recipients(m)]


def link_token(to: str, kind: str) -> str:
    """The token of the newest e-mailed link of a kind (accept, reset) sent to an address (of a message with a
    link per company: the last, the newest company's)."""
    for message in reversed(outbox(to)):
        found = re.findall(rf"/#/{kind}\?token=(\S+)", message.body)
        if found:
            return str(found[-1])
    raise AssertionError(f"no {kind} link was e-mailed to {to}")


@dataclass
class Member:
    """A signed-in user of a tenant."""

    user_id: str
    email: str
    token: str
    refresh_token: str
    role: str
    password: str = PASSWORD


@dataclass
class Company:
    """A tenant with its owner and the members added to it."""

    tenant_id: str
    owner: Member
    members: dict[str, Member] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# A Russian company on Moscow time, signed up in Russian: signup(client, company="СтройОпт", **IN_MOSCOW)
IN_MOSCOW: dict[str, str] = {"country": "RU", "locale": "ru", "timezone": "Europe/Moscow"}


def signup(client: ApiClient, *, company: str = "Acme", email: str | None = None,
           password: str = PASSWORD, confirm: bool = True, **extra: Any) -> Company:
    """A company signed up through the API; its owner follows the e-mailed confirmation link unless confirm is
    False (a company unconfirmed for 7 days is read-only, and many tests move the clock on by weeks)."""
    email = email or unique_email("owner")
    response = client.post("/api/v1/auth/signup", {"company_name": company, "name": "Olga Owner", "email": email,
                                                   "password": password, **extra})
    assert response.status_code == 201, response.body
    if confirm:
        confirmed = client.post("/api/v1/auth/confirm-email", {"token": link_token(email, "confirm-email")})
        assert confirmed.status_code == 200, confirmed.body
    data = body(response)
    owner = Member(user_id=data["user"]["id"], email=email, token=data["access_token"],
                   refresh_token=refresh_cookie(response), role="owner", password=password)
    return Company(tenant_id=data["tenant"]["id"], owner=owner)


def add_member(client: ApiClient, company: Company, *, role: str, name: str = "member",
               team_id: str | None = None, password: str = PASSWORD) -> Member:
    email = unique_email(name)
    invited = client.post("/api/v1/users", {"email": email, "name": name.title(), "role": role,
                                            "team_id": team_id}, token=company.owner.token)
    assert invited.status_code == 201, invited.body
    accepted = client.post("/api/v1/auth/accept-invitation",
                           {"token": link_token(email, "accept"), "password": password})
    assert accepted.status_code == 200, accepted.body
    data = body(accepted)
    member = Member(user_id=data["user"]["id"], email=email, token=data["access_token"],
                    refresh_token=refresh_cookie(accepted), role=role, password=password)
    company.members[name] = member
    return member


def login(client: ApiClient, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/api/v1/auth/login", {"email": email, "password": password, **extra})
