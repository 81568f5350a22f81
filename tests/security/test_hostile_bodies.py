"""Hostile request bodies answer a 4xx in the error shape and change nothing (#21 items 3 and 9): deep
nesting, money and ids of the wrong JSON type, a body without a Content-Type, control characters."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.core.http import MAX_JSON_DEPTH, too_deep
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, hook_path
from tests.support import ApiClient, body

JSON = {"Content-Type": "application/json"}
CONTROL = re.compile(r"\\u00[01][0-9a-f]|\\u007f|\\u00[89][0-9a-f]")  # as json.dumps escapes them


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


# -- strict types, media type and control characters (#21 item 9) ---------------------------------


def owner_headers(company: Company) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {company.owner.token}"}


def contacts(client: ApiClient, company: Company) -> int:
    response = client.get("/api/v1/contacts?limit=200", token=company.owner.token)
    return len(body(response)["items"])


@pytest.mark.parametrize("minor", ["100", True, 100.0, 1.5, None, [100], {"minor": 1}])
def test_money_takes_an_integer_only(client: ApiClient, company: Company, minor: Any) -> None:
    for path, payload in (("/api/v1/deals", {"title": "Roses", "amount": {"minor": minor, "currency": "EUR"}}),
                          ("/api/v1/products", {"name": "Rose", "price": {"minor": minor, "currency": "EUR"}})):
        response = client.post(path, payload, token=company.owner.token)
        assert response.status_code == 422, (path, minor, response.body)
        assert any(detail["loc"][-1] == "minor" for detail in body(response)["error"]["details"]), response.body
    assert client.post("/api/v1/deals", {"title": "Roses", "amount": {"minor": 100, "currency": "EUR"}},
                       token=company.owner.token).status_code == 201


@pytest.mark.parametrize("contact_id", [123, True, 1.0, ["01J00000000000000000000000"]])
def test_ids_take_a_string_only(client: ApiClient, company: Company, contact_id: Any) -> None:
    response = client.post("/api/v1/deals", {"title": "Tulips", "contact_ids": [contact_id]}, token=company.owner.token)
    assert response.status_code == 422, response.body
    response = client.post("/api/v1/tasks", {"title": "Call", "related": {"type": "contact", "id": contact_id}},
                           token=company.owner.token)
    assert response.status_code == 422, response.body


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/contacts"])
def test_a_body_without_content_type_is_415(client: ApiClient, company: Company, path: str) -> None:
    before = contacts(client, company)
    headers = {"Authorization": f"Bearer {company.owner.token}"} if path == "/api/v1/contacts" else {}
    response = client.request("POST", path, body='{"first_name": "Nobody", "email": "a@b.cd", "password": "x"}',
                              headers=headers)
    assert response.status_code == 415, response.body
    assert body(response)["error"]["code"] == "unsupported_media_type"
    assert contacts(client, company) == before


def test_a_route_without_a_body_still_takes_none_without_content_type(client: ApiClient, company: Company) -> None:
    assert client.request("POST", "/api/v1/auth/refresh", headers={"Cookie": "crm_refresh=rt_x"}).status_code == 401


@pytest.mark.parametrize("text", ["Ann\x00", "An\x00n", "Ann\x07", "Ann\x1b[31m", "Ann\x7f", "An\x85n", "An\x9bn"])
def test_control_characters_are_refused_in_any_text(client: ApiClient, company: Company, text: str) -> None:
    before = contacts(client, company)
    for payload in ({"first_name": text}, {"first_name": "Ann", "source": text},
                    {"first_name": "Ann", "tags": [text]}, {"first_name": "Ann", "custom": {"colour": text}},
                    {"first_name": "Ann", "custom": {text: "red"}}):
        response = client.post("/api/v1/contacts", payload, token=company.owner.token)
        if response.status_code == 201:  # only a tag may be taken: its words are re-spaced (NEL is a space)
            assert "tags" in payload and not CONTROL.search(json.dumps(body(response)["tags"])), response.body
            before += 1
            continue
        assert response.status_code == 422, (payload, response.body)
        assert body(response)["error"]["details"][0]["type"] == "control_character", response.body
    assert contacts(client, company) == before


def test_nul_is_refused_everywhere_even_in_long_text_and_passwords(client: ApiClient, company: Company) -> None:
    login = client.post("/api/v1/auth/login", {"email": company.owner.email, "password": "pass\x00word"})
    assert login.status_code == 422 and body(login)["error"]["details"][0]["type"] == "control_character"
    contact = body(client.post("/api/v1/contacts", {"first_name": "Ann"}, token=company.owner.token))
    note = client.post("/api/v1/notes", {"text": "line one\x00", "subject": {"type": "contact", "id": contact["id"]}},
                       token=company.owner.token)
    assert note.status_code == 422, note.body
    search = client.get("/api/v1/contacts?q=An%00n", token=company.owner.token)
    assert search.status_code == 422, search.body


@pytest.mark.parametrize("name", ["Ann\nSmith", "Ann\tSmith", "Ann\rSmith", "Ann\u2028Smith"])
def test_names_are_one_line_but_long_text_keeps_its_lines(client: ApiClient, company: Company, name: str) -> None:
    for path, payload in (("/api/v1/contacts", {"first_name": name}), ("/api/v1/companies", {"name": name}),
                          ("/api/v1/deals", {"title": name}), ("/api/v1/teams", {"name": name})):
        response = client.post(path, payload, token=company.owner.token)
        assert response.status_code == 422, (path, response.body)
        assert body(response)["error"]["details"][0]["type"] == "control_character"
    contact = body(client.post("/api/v1/contacts", {"first_name": "Ann"}, token=company.owner.token))
    note = client.post("/api/v1/notes", {"text": "line one\nline two\tand a tab",
                                         "subject": {"type": "contact", "id": contact["id"]}},
                       token=company.owner.token)
    assert note.status_code == 201, note.body


def test_a_form_post_with_nul_is_refused_and_line_breaks_leave_names(client: ApiClient, company: Company,
                                                                   form: dict[str, Any]) -> None:
    path = hook_path(form)
    refused = client.request("POST", path, body="name=Ann%00&phone=%2B79161234599", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "control_character", refused.body
    taken = client.request("POST", path, body="name=Ann%0D%0ASmith%07&phone=%2B79161234598", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert taken.status_code == 200, taken.body
    found = body(client.get("/api/v1/contacts?q=%2B79161234598", token=company.owner.token))["items"]
    assert [(item["first_name"], item["last_name"]) for item in found] == [("Ann", "Smith")]  # one line, two names
