"""A contact's job title (a B2B supplier's buyer is an "Office manager", a clinic's contact a "Главный бухгалтер"):
kept, shown on the card, changed and cleared, audited, merged into the contact kept, hidden by a field rule, and
never stored in clear (a person's job title is personal data: sealed like the names)."""

from __future__ import annotations

import boto3

from chalicelib.core.config import settings
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


def test_a_job_title_is_kept_changed_cleared_and_sealed(client: ApiClient) -> None:
    company = signup(client, company="Thames Office Supplies")
    token = company.owner.token
    made = client.post("/api/v1/contacts", {"first_name": "Priya", "last_name": "Shah", "job_title": "Office manager"},
                       token=token)
    assert made.status_code == 201, made.body
    contact = body(made)
    assert contact["job_title"] == "Office manager"
    card = body(client.get(f"/api/v1/contacts/{contact['id']}", token=token))
    assert card["job_title"] == "Office manager"
    raw = boto3.client("dynamodb", region_name=settings.region).scan(TableName=settings.table_name)["Items"]
    assert not [item for item in raw if "Office manager" in str(item)]  # sealed, as her names are
    changed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": card["version"],
                                                                "job_title": "Head of purchasing"}, token=token)
    assert body(changed)["job_title"] == "Head of purchasing"
    for bad in ("", "x" * 101):
        refused = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": body(changed)["version"],
                                                                    "job_title": bad}, token=token)
        assert refused.status_code == 422, refused.body
    cleared = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": body(changed)["version"],
                                                                "job_title": None}, token=token)
    assert body(cleared)["job_title"] is None
    trail = body(client.get(f"/api/v1/audit?entity=contact&entity_id={contact['id']}", token=token))["items"]
    assert any("job_title" in entry["changes"] and "Head of purchasing" in str(entry["changes"]["job_title"])
               for entry in trail), [entry["changes"] for entry in trail]


def test_a_field_rule_hides_the_job_title_from_a_role(client: ApiClient) -> None:
    company: Company = signup(client, company="Hidden Titles")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Lee", "job_title": "CFO"}, token=token))
    role = client.post("/api/v1/roles", {"key": "clerk", "name": "Clerk", "permissions": [
        "contacts:read:all", "contacts:update:all", "contacts.job_title:hidden"]}, token=token)
    assert role.status_code == 201, role.body
    clerk = add_member(client, company, role="clerk", name="clerk")
    seen = body(client.get(f"/api/v1/contacts/{contact['id']}", token=clerk.token))
    assert seen["first_name"] == "Lee" and seen.get("job_title") is None
    refused = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": seen["version"], "job_title": "CEO"},
                           token=clerk.token)
    assert refused.status_code in (403, 422), refused.body
    assert body(client.get(f"/api/v1/contacts/{contact['id']}", token=token))["job_title"] == "CFO"
