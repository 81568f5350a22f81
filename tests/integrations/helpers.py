"""Helpers for integration, inbox and form tests: make a form, post to it, read its events."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from chalice.test import HTTPResponse

from tests.factories import Company
from tests.support import ApiClient, body

BROWSER = {"Accept": "text/html,application/xhtml+xml", "Content-Type": "application/x-www-form-urlencoded"}
FETCH = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}


def create_form(client: ApiClient, company: Company, *, name: str = "Site form", **settings: Any) -> dict[str, Any]:
    """A form integration of the company (its secret included, as creation answers it)."""
    response = client.post("/api/v1/integrations", {"type": "form", "name": name, "settings": settings},
                           token=company.owner.token)
    assert response.status_code == 201, response.body
    return dict(body(response))


def hook_path(form: dict[str, Any]) -> str:
    """The path of a form's webhook URL."""
    return "/hooks/forms/" + form["webhook_url"].rsplit("/", 1)[1]


def post_form(client: ApiClient, form: dict[str, Any], fields: dict[str, str], *,
              headers: dict[str, str] | None = None) -> HTTPResponse:
    """A urlencoded post as fetch would send it (JSON answer)."""
    return client.request("POST", hook_path(form), body=urlencode(fields), headers=headers or FETCH)


def post_json(client: ApiClient, form: dict[str, Any], fields: dict[str, Any]) -> HTTPResponse:
    """A JSON post from a server."""
    return client.request("POST", hook_path(form), body=json.dumps(fields),
                          headers={"Content-Type": "application/json"})


def multipart(fields: dict[str, str], boundary: str = "----crmtestboundary") -> tuple[bytes, str]:
    """A multipart/form-data body as a browser builds it, and its content type."""
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [f"--{boundary}".encode(), f'Content-Disposition: form-data; name="{name}"'.encode(), b"",
                  value.encode()]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"


def events(client: ApiClient, company: Company, form: dict[str, Any], status: str | None = None) -> list[Any]:
    """The form's events, newest first."""
    query = f"?status={status}" if status else ""
    response = client.get(f"/api/v1/integrations/{form['id']}/events{query}", token=company.owner.token)
    assert response.status_code == 200, response.body
    return list(body(response)["items"])
