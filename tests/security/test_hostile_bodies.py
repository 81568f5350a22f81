"""Hostile request bodies answer a 4xx in the error shape and change nothing: deep nesting (#21 item 3)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.http import MAX_JSON_DEPTH, too_deep
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, hook_path
from tests.support import ApiClient, body

JSON = {"Content-Type": "application/json"}


def nested(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


def nested_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Deep Ltd")


@pytest.fixture(scope="module")
def form(app: Any, company: Company) -> dict[str, Any]:
    return create_form(ApiClient(app), company)


def routes(company: Company, form: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    owner = {**JSON, "Authorization": f"Bearer {company.owner.token}"}
    return [("/api/v1/auth/login", JSON), ("/api/v1/auth/signup", JSON), ("/api/v1/auth/refresh", JSON),
            (hook_path(form), JSON), ("/api/v1/contacts", owner)]


@pytest.mark.parametrize("levels", [1000, 100_000])
@pytest.mark.parametrize("shape", ["array", "object", "inside a field"])
def test_deep_nesting_is_400_malformed_body_on_every_route_named(client: ApiClient, company: Company,
                                                                 form: dict[str, Any], levels: int,
                                                                 shape: str) -> None:
    text = {"array": nested(levels), "object": nested_object(levels),
            "inside a field": '{"first_name": "Ann", "custom": {"x": ' + nested(levels) + "}}"}[shape]
    for path, headers in routes(company, form):
        response = client.request("POST", path, body=text, headers=headers)
        assert response.status_code == 400, (path, response.status_code, response.body[:200])
        assert body(response)["error"]["code"] == "malformed_body", path


def test_nesting_within_the_bound_is_read_as_usual(client: ApiClient, company: Company) -> None:
    """Depth is only a bound: a body at the limit is parsed and validated (a 422 for a wrong shape)."""
    text = '{"first_name": "Ann", "custom": {"x": ' + nested(MAX_JSON_DEPTH - 2) + "}}"
    response = client.request("POST", "/api/v1/contacts", body=text,
                              headers={**JSON, "Authorization": f"Bearer {company.owner.token}"})
    assert response.status_code == 422, response.body


def test_brackets_inside_strings_do_not_count() -> None:
    assert not too_deep(('{"note": "' + "[" * 5000 + '"}').encode())
    assert not too_deep(('{"note": "\\"' + "{" * 5000 + '"}').encode())  # an escaped quote keeps the string open
    assert too_deep(nested(MAX_JSON_DEPTH + 1).encode())
    assert not too_deep(nested(MAX_JSON_DEPTH).encode())
