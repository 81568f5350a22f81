"""Audit trail and tenant data of tenant A for the cross-tenant matrix: an audit record and an export."""

from __future__ import annotations

from chalicelib.core.http import REGISTRY
from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Return the id of one of A's audit records and of A's export (when tenant data's routes are served)."""
    owner = company.owner.token
    created = body(client.post("/api/v1/teams", {"name": "Audited team"}, token=owner))
    trail = body(client.get(f"/api/v1/audit?entity=team&entity_id={created['id']}", token=owner))
    ids = {"audit_id": trail["items"][0]["id"]}
    if ("/api/v1/tenant/export/{export_id}", "GET") in REGISTRY:
        export = client.post("/api/v1/tenant/export", token=owner)
        assert export.status_code == 202, export.body
        ids["export_id"] = body(export)["id"]
    return ids, [*ids.values(), "Audited team"]
