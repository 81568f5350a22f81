"""Custom field definitions of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Define a select field and a sensitive one; return the field id and the strings that must not leak."""
    owner = company.owner.token
    tier = body(client.post("/api/v1/custom-fields", {
        "entity": "contact", "key": "alpha_tier", "label": "Alpha loyalty tier", "type": "select",
        "options": [{"value": "gold", "label": "Alpha Gold"}], "filterable": True,
    }, token=owner))
    secret = body(client.post("/api/v1/custom-fields", {
        "entity": "contact", "key": "alpha_passport", "label": "Alpha passport", "type": "text",
        "sensitive": True,
    }, token=owner))
    company.extra.update({"custom_field": tier, "sensitive_field": secret})
    return {"field_id": tier["id"]}, [tier["id"], secret["id"], "Alpha loyalty tier", "Alpha Gold", "alpha_tier",
                                      "alpha_passport"]
