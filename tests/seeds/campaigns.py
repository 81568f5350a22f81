"""Campaigns and consent of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A draft e-mail campaign and a consent on tenant A's contact; return ids by path parameter and secrets."""
    owner = company.owner.token
    campaign = body(client.post("/api/v1/campaigns", {
        "name": "Alpha secret campaign", "channel": "email", "subject": "Alpha secret subject",
        "body": "Alpha secret offer https://alpha-offer.example/x"}, token=owner))
    contact = body(client.post("/api/v1/contacts", {"first_name": "Alphaconsent"}, token=owner))
    client.put(f"/api/v1/contacts/{contact['id']}/consent", {"email": "granted"}, token=owner)
    return {"campaign_id": campaign["id"]}, [campaign["id"], "Alpha secret campaign", "Alpha secret subject",
                                            "alpha-offer.example", "Alphaconsent"]
