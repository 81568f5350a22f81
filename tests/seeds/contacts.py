"""Contacts of tenant A for the cross-tenant matrix: a contact with sensitive data, and a merge."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Create two contacts, merge one into the other; return ids by path parameter and secrets."""
    owner = company.owner.token
    agent = company.extra["agent"]
    kept = client.post("/api/v1/contacts", {
        "first_name": "Alphacontact", "last_name": "Victimsurname", "phones": [{"number": "+12025550123"}],
        "emails": [{"address": "alpha.victim@alpha-victim.example"}], "tags": ["alphatag"],
        "owner_id": agent.user_id, "iban": "DE89 3704 0044 0532 0130 00", "passport_number": "AB1234567",
    }, token=owner)
    assert kept.status_code == 201, kept.body
    absorbed = client.post("/api/v1/contacts", {"first_name": "Alphaduplicate",
                                                "emails": [{"address": "alpha.dup@alpha-victim.example"}]},
                           token=owner)
    assert absorbed.status_code == 201, absorbed.body
    kept_id, absorbed_id = body(kept)["id"], body(absorbed)["id"]
    merged = client.post(f"/api/v1/contacts/{kept_id}/merge", {"other_id": absorbed_id, "version": 1,
                                                                "other_version": 1}, token=owner)
    assert merged.status_code == 200, merged.body
    merge_id = body(merged)["merge_id"]
    company.extra["contact"] = body(merged)["contact"]
    ids = {"contact_id": kept_id, "merge_id": merge_id}
    secrets = ["Alphacontact", "Victimsurname", "+12025550123", "alpha.victim@alpha-victim.example", "alphatag",
               "Alphaduplicate", "alpha.dup@alpha-victim.example", "DE89370400440532013000", "AB1234567",
               kept_id, absorbed_id, merge_id]
    return ids, secrets
