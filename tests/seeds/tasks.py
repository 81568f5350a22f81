"""Tasks of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A task of the agent about a deal of its own; return ids by path parameter and secrets."""
    agent = company.extra["agent"]
    deal = body(client.post("/api/v1/deals", {"title": "Alpha task deal"}, token=agent.token))
    task = body(client.post("/api/v1/tasks", {
        "title": "Alpha secret task", "kind": "meeting", "due_at": "2031-01-15T09:00:00Z",
        "description": "Alpha task details", "related": {"type": "deal", "id": deal["id"]}}, token=agent.token))
    return {"task_id": task["id"]}, [task["id"], deal["id"], "Alpha secret task", "Alpha task details"]
