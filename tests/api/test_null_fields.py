"""A change may leave a required field out (unchanged) but never set it to null: 422, and nothing changes.

The fuzz suite found these answering 500 (PynamoDB refused the null, or .strip() met None).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Null Checks")
    company.extra["agent"] = add_member(client, company, role="agent", name="nullagent")
    return company


def _record(client: ApiClient, company: Company, kind: str) -> str:
    token = company.owner.token
    if kind == "tenant":
        return "/api/v1/tenant"
    if kind == "user":
        return f"/api/v1/users/{company.extra['agent'].user_id}"
    if kind == "company":
        return f"/api/v1/companies/{body(client.post('/api/v1/companies', {'name': 'Nulls'}, token=token))['id']}"
    field = client.post("/api/v1/custom-fields", {"entity": "contact", "key": f"k{len(company.extra)}",
                                                  "label": "Size", "type": "select",
                                                  "options": [{"value": "s", "label": "S"}]}, token=token)
    assert field.status_code == 201, field.body
    company.extra[f"field{len(company.extra)}"] = True
    return f"/api/v1/custom-fields/{body(field)['id']}"


@pytest.mark.parametrize("kind,name", [
    ("tenant", "name"), ("tenant", "timezone"), ("tenant", "currency"), ("tenant", "require_totp"),
    ("user", "role"), ("user", "name"), ("company", "name"),
    ("custom_field", "label"), ("custom_field", "options"), ("custom_field", "required"),
])
def test_null_for_a_required_field_is_422_and_changes_nothing(client: ApiClient, company: Company, kind: str,
                                                               name: str) -> None:
    token = company.owner.token
    path = _record(client, company, kind)
    before = body(client.get(path, token=token))
    answer = client.patch(path, {"version": before["version"], name: None}, token=token)
    assert answer.status_code == 422, answer.body
    assert name in body(answer)["error"]["details"][0]["msg"]
    assert body(client.get(path, token=token)) == before


def test_null_still_clears_what_may_be_empty(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Nullers"}, token=token))
    path = f"/api/v1/users/{company.extra['agent'].user_id}"
    user = body(client.patch(path, {"version": body(client.get(path, token=token))["version"], "team_id": team["id"]},
                             token=token))
    cleared = client.patch(path, {"version": user["version"], "team_id": None}, token=token)
    assert cleared.status_code == 200, cleared.body
    assert body(cleared)["team_id"] is None
