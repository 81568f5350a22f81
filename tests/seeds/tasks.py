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
    # A task of this week, and the agent's calendar feed (the company allows feeds): its address is A's secret too
    from datetime import UTC, datetime, timedelta

    soon = body(client.post("/api/v1/tasks", {"title": "Alpha week task", "due_at": (
        datetime.now(UTC) + timedelta(days=1)).isoformat()}, token=agent.token))
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    allowed = client.patch("/api/v1/tenant", {"version": tenant["version"], "calendar_feeds": True},
                           token=company.owner.token)
    assert allowed.status_code == 200, allowed.body
    feed = body(client.post("/api/v1/tasks/calendar-feed", {}, token=agent.token))["url"]
    company.extra["calendar_feed"] = feed
    return {"task_id": task["id"]}, [task["id"], deal["id"], "Alpha secret task", "Alpha task details", soon["id"],
                                     "Alpha week task", feed.rsplit("_", 1)[1].removesuffix(".ics")]
