"""An API key acts with at most its creator's current rights, and stops when the creator is deactivated (#21 item 2).

A key made by an admin kept ``sensitive:read`` and ``audit:read`` after the admin was demoted to agent or
deactivated: whoever held the secret kept the admin's reach.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body

GRANTS = ["contacts:read:all", "contacts:create:all", "audit:read:all", "sensitive:read:all"]


@pytest.fixture
def office(client: ApiClient) -> tuple[Company, Member, str, str]:
    """A company, its admin, a contact with a passport number, and a key the admin made."""
    company = signup(client, company="Keys Ltd")
    admin = add_member(client, company, role="admin", name="adam")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Ivan", "passport_number": "AB1234567"},
                               token=company.owner.token))["id"]
    created = client.post("/api/v1/api-keys", {"name": "ERP", "permissions": GRANTS}, token=admin.token)
    assert created.status_code == 201, created.body
    return company, admin, contact, body(created)["secret"]


def reach(client: ApiClient, key: str, contact: str) -> dict[str, int]:
    """What the key may do: read the audit trail, read contacts, reveal a passport number."""
    return {"audit": client.get("/api/v1/audit", token=key).status_code,
            "contacts": client.get("/api/v1/contacts", token=key).status_code,
            "reveal": client.get(f"/api/v1/contacts/{contact}?reveal=passport_number", token=key).status_code}


def set_role(client: ApiClient, company: Company, member: Member, role: str) -> None:
    user = body(client.get(f"/api/v1/users/{member.user_id}", token=company.owner.token))
    changed = client.patch(f"/api/v1/users/{member.user_id}", {"version": user["version"], "role": role},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body


def test_a_demoted_creator_takes_the_keys_rights_down_with_them(client: ApiClient, office: Any) -> None:
    company, admin, contact, key = office
    assert reach(client, key, contact) == {"audit": 200, "contacts": 200, "reveal": 200}
    set_role(client, company, admin, "agent")  # agents read their own contacts, no audit, no sensitive values
    assert reach(client, key, contact) == {"audit": 403, "contacts": 403, "reveal": 403}
    set_role(client, company, admin, "manager")  # managers: their team's contacts (not all), no audit trail
    assert reach(client, key, contact) == {"audit": 403, "contacts": 403, "reveal": 403}
    set_role(client, company, admin, "admin")  # the key follows the creator's rights as they are now
    assert reach(client, key, contact) == {"audit": 200, "contacts": 200, "reveal": 200}


def test_a_deactivated_creators_keys_stop(client: ApiClient, office: Any) -> None:
    company, admin, contact, key = office
    assert client.post(f"/api/v1/users/{admin.user_id}/deactivate", token=company.owner.token).status_code == 200
    refused = client.get("/api/v1/contacts", token=key)
    assert refused.status_code == 401 and body(refused)["error"]["code"] == "api_key_creator_inactive"
    assert client.get(f"/api/v1/contacts/{contact}?reveal=passport_number", token=key).status_code == 401
    # Reactivating the person brings their keys back, within their rights then.
    assert client.post(f"/api/v1/users/{admin.user_id}/reactivate", token=company.owner.token).status_code == 200
    assert client.get("/api/v1/contacts", token=key).status_code == 200


def test_a_key_cannot_make_keys(client: ApiClient, office: Any) -> None:
    company = office[0]
    owner_key = body(client.post("/api/v1/api-keys", {"name": "All", "permissions": ["api_keys:create:all"]},
                                 token=company.owner.token))["secret"]
    made = client.post("/api/v1/api-keys", {"name": "Child", "permissions": ["api_keys:create:all"]}, token=owner_key)
    assert made.status_code == 403 and body(made)["error"]["code"] == "not_a_user"


def test_a_key_made_before_lookups_named_their_creator_is_bounded_too(client: ApiClient, office: Any) -> None:
    from chalicelib.identity.apikeys import lookup_key
    from chalicelib.identity.models import ApiKeyLookup

    company, admin, contact, key = office
    key_id = key.split("_")[1]
    ApiKeyLookup(lookup_key(key_id), "KEY").update(actions=[ApiKeyLookup.created_by.remove()])
    set_role(client, company, admin, "agent")
    assert reach(client, key, contact)["audit"] == 403
    assert ApiKeyLookup.get(lookup_key(key_id), "KEY").created_by == admin.user_id  # told on first use
