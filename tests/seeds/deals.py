"""Pipelines and deals of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A pipeline and a deal of the agent in it, with history; return ids by path parameter and secrets."""
    owner, agent = company.owner.token, company.extra["agent"]
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Alpha pipeline", "lost_reasons": ["Alpha reason"]},
                                token=owner))
    deal = body(client.post("/api/v1/deals", {
        "title": "Alpha secret deal", "pipeline_id": pipeline["id"], "owner_id": agent.user_id,
        "amount": {"minor": 4_242_424, "currency": "EUR"}}, token=owner))
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": pipeline["stages"][1]["id"],
                                                             "version": deal["version"]}, token=owner)
    assert moved.status_code == 200, moved.body
    company.extra.update({"pipeline": pipeline, "deal": deal})
    ids = {"pipeline_id": pipeline["id"], "deal_id": deal["id"]}
    secrets = [pipeline["id"], deal["id"], "Alpha pipeline", "Alpha reason", "Alpha secret deal", "4242424"]
    return ids, secrets
