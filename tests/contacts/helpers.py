"""Helpers of the contacts and companies tests: contexts for service calls, quick record builders."""

from __future__ import annotations

from typing import Any

from chalicelib.core import permissions
from chalicelib.core.tenancy import TenantContext
from tests.factories import Company, Member
from tests.support import ApiClient, body


def context(company: Company, member: Member | None = None, *, team_id: str | None = None) -> TenantContext:
    """The TenantContext a member (default: the owner) acts with, for service-level calls."""
    member = member or company.owner
    return TenantContext(tenant_id=company.tenant_id, actor_id=member.user_id, actor_kind="user", role=member.role,
                         team_id=team_id, permissions=permissions.BUILTIN_ROLES[member.role].permissions)


def new_contact(client: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
    """Create a contact through the API and return its body (asserts 201)."""
    fields.setdefault("first_name", "Anna")
    response = client.post("/api/v1/contacts", fields, token=token)
    assert response.status_code == 201, response.body
    return body(response)


def new_company(client: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
    """Create a company through the API and return its body (asserts 201)."""
    fields.setdefault("name", "Horns & Hooves")
    response = client.post("/api/v1/companies", fields, token=token)
    assert response.status_code == 201, response.body
    return body(response)


def listed(client: ApiClient, token: str, query: str = "") -> list[str]:
    """Ids of the contacts a list or search answers (asserts 200)."""
    response = client.get(f"/api/v1/contacts{query}", token=token)
    assert response.status_code == 200, response.body
    return [item["id"] for item in body(response)["items"]]


def card(client: ApiClient, token: str, contact_id: str) -> dict[str, Any]:
    """The contact card (asserts 200)."""
    response = client.get(f"/api/v1/contacts/{contact_id}", token=token)
    assert response.status_code == 200, response.body
    return body(response)


def timeline(client: ApiClient, token: str, contact_id: str) -> list[dict[str, Any]]:
    """Every timeline entry of a contact, following cursors."""
    entries: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = client.get(f"/api/v1/contacts/{contact_id}/timeline?limit=40{cursor}", token=token)
        assert response.status_code == 200, response.body
        page = body(response)
        entries += page["items"]
        if not page["next_cursor"]:
            return entries
        cursor = f"&cursor={page['next_cursor']}"
