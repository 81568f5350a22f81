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


def play(client: ApiClient, integration: dict[str, Any], requests: list[Any]) -> list[HTTPResponse]:
    """Send a simulator's requests through the test client (to the integration's hook path)."""
    answers = []
    for request in requests:
        split = urlsplit(request.url)
        path = split.path + (f"?{split.query}" if split.query else "")
        answers.append(client.request(request.method, path, body=request.body if request.method != "GET" else None,
                                      headers=request.headers))
    return answers


def calls(client: ApiClient, company: Company, query: str = "") -> list[Any]:
    """The calls the owner sees, newest first."""
    response = client.get(f"/api/v1/calls{query}", token=company.owner.token)
    assert response.status_code == 200, response.body
    return list(body(response)["items"])


def make_call(client: ApiClient, token: str, *, customer: str = "+79161230000") -> dict[str, Any]:
    """A missed inbound call of the token's company, reported by a new PBX integration (as the API reads it)."""
    import json
    import time

    from chalicelib.telephony.providers.pbx import sign

    made = client.post("/api/v1/integrations", {"type": "pbx", "name": "Sample PBX", "settings": {}}, token=token)
    assert made.status_code == 201, made.body
    integration = body(made)
    call_id = f"sample-{time.time_ns()}"
    for event in ({"event": "start", "direction": "inbound", "from": customer, "to": "+74950000000"},
                  {"event": "end", "direction": "inbound", "from": customer, "to": "+74950000000",
                   "disposition": "missed", "duration": 0}):
        raw = json.dumps({"call_id": call_id, **event}).encode()
        stamp = int(time.time())
        answer = post(client, hook_path(integration), raw, {"Content-Type": "application/json",
                                                            "X-CRM-Timestamp": str(stamp),
                                                            "X-CRM-Signature": sign(integration["secret"], raw, stamp)})
        assert answer.status_code == 200, answer.body
    listed = client.get("/api/v1/calls?status=missed", token=token)
    newest = body(listed)["items"][0]
    return dict(body(client.get(f"/api/v1/calls/{newest['id']}", token=token)))
