"""Helpers of the telephony tests: make an integration of a provider, post to its hook, read calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalice.test import HTTPResponse

from tests.factories import Company
from tests.support import ApiClient, body

CREDENTIALS = {
    "zadarma": {"api_key": "zd-key-0001", "api_secret": "zd-secret-0001"},
    "mango": {"api_key": "mango-key-0001", "api_salt": "mango-salt-0001"},
    "twilio": {"account_sid": "AC" + "0" * 32, "auth_token": "twilio-token-0001"},
    "pbx": {},
}


def create_telephony(client: ApiClient, company: Company, provider: str, *, name: str | None = None,
                     **settings: Any) -> dict[str, Any]:
    """A telephony integration of the company with test credentials (its secret included)."""
    payload = {"type": provider, "name": name or f"{provider} line",
               "settings": {**CREDENTIALS[provider], **settings}}
    response = client.post("/api/v1/integrations", payload, token=company.owner.token)
    assert response.status_code == 201, response.body
    return dict(body(response))


def hook_path(integration: dict[str, Any]) -> str:
    """The path of an integration's webhook URL."""
    return urlsplit(integration["webhook_url"]).path


def post(client: ApiClient, path: str, raw: bytes, headers: dict[str, str]) -> HTTPResponse:
    """A provider's POST to a hook path."""
    return client.request("POST", path, body=raw, headers=headers)


def events(client: ApiClient, company: Company, integration: dict[str, Any]) -> list[Any]:
    """The integration's stored events, newest first."""
    response = client.get(f"/api/v1/integrations/{integration['id']}/events", token=company.owner.token)
    assert response.status_code == 200, response.body
    return list(body(response)["items"])
