"""Fuzzing the role API with field rules (#21 item 10): any list of permission strings, well-formed or not, answers
201/200 or a clear 4xx (never a 500), a role stores exactly what it was given, and no rule grants anything."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Company, signup
from tests.support import ApiClient, body

ENTITIES = ["contacts", "companies", "deals", "products", "calls", "tasks", "pipelines", "nope"]
FIELDS = ["phones", "emails", "first_name", "amount", "title", "website", "sku", "price", "from_number",
          "custom.vip", "custom.missing", "phone", "custom.", "custom.VIP", "", "x" * 41]
ACCESS = ["readonly", "hidden", "read", "edit", "invisible", "read:all", ""]
rule = st.builds(lambda e, f, a: f"{e}.{f}:{a}", st.sampled_from(ENTITIES), st.sampled_from(FIELDS),
                 st.sampled_from(ACCESS))
grant = st.builds(lambda e, a, s: f"{e}:{a}:{s}", st.sampled_from(ENTITIES), st.sampled_from(["read", "update"]),
                  st.sampled_from(["own", "all", "any"]))
noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
permission_lists = st.lists(st.one_of(rule, grant, noise, st.just("sensitive:read:all")), max_size=12)


@pytest.fixture(scope="module")
def company(app: Any, embedded_aws: None) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Fuzzed Roles")
    made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "vip", "label": "VIP", "type": "text"},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return company


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(permissions=permission_lists)
def test_any_permission_list_answers_a_role_or_a_clear_refusal(app: Any, company: Company,
                                                              permissions: list[str]) -> None:
    client = ApiClient(app)
    key = f"f{abs(hash(tuple(permissions))) % 10**12}"
    answer = client.post("/api/v1/roles", {"key": key, "name": "Fuzzed", "permissions": permissions},
                         token=company.owner.token)
    assert answer.status_code in (201, 409, 422), answer.body
    if answer.status_code != 201:
        assert answer.json_body["error"]["code"] in ("validation_error", "duplicate_role"), answer.body
        return
    stored = body(answer)
    assert sorted(stored["permissions"]) == sorted(set(permissions))
    changed = client.patch(f"/api/v1/roles/{key}", {"version": stored["version"], "permissions": [*permissions,
                                                                                                 "deals.nope:hidden"]},
                           token=company.owner.token)
    assert changed.status_code == 422, changed.body  # the unknown field is named, nothing changes
    again = next(r for r in body(client.get("/api/v1/roles", token=company.owner.token))["items"] if r["key"] == key)
    assert again["version"] == stored["version"]
    assert client.delete(f"/api/v1/roles/{key}", token=company.owner.token).status_code == 204
