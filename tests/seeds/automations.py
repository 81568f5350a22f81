"""Automation rules of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A rule with a webhook (its secret is tenant A's); return ids by path parameter and secrets."""
    rule = body(client.post("/api/v1/automations", {
        "name": "Alpha secret rule", "trigger": {"type": "record.created", "entity": "deal"},
        "actions": [{"type": "webhook", "url": "https://alpha.example.com/hook"}]}, token=company.owner.token))
    return {"automation_id": rule["id"]}, [rule["id"], "Alpha secret rule", rule["webhook_secret"],
                                           "alpha.example.com"]
