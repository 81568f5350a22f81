"""Tenant A's knowledge base for the cross-tenant matrix: an internal article and a public one on a public page."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """An internal article (its id for the article routes) and a public page; return ids and secrets."""
    token = company.owner.token
    made = client.post("/api/v1/kb/articles", {"title": "Alpha internal refunds", "body": "Alpha secret playbook",
                                               "category": "Alpha ops"}, token=token)
    assert made.status_code == 201, made.body
    site = client.put("/api/v1/kb/site", {"version": 0, "slug": f"alpha-{company.tenant_id.lower()[-8:]}",
                                          "title": "Alpha help"}, token=token)
    assert site.status_code == 200, site.body
    return {"article_id": body(made)["id"]}, [body(made)["id"], "Alpha internal refunds", "Alpha secret playbook"]
