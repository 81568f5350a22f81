"""Identity data of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company, add_member
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Create a team, an agent, a custom role and an API key; return ids by path parameter and secrets."""
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Alpha team"}, token=owner))
    agent = add_member(client, company, role="agent", name="alphaagent", team_id=team["id"])
    role = body(client.post("/api/v1/roles", {"key": "alpharole", "name": "Alpha role",
                                              "permissions": ["users:read:all"]}, token=owner))
    key = body(client.post("/api/v1/api-keys", {"name": "Alpha ERP", "permissions": ["users:read:all"]},
                           token=owner))
    company.extra.update({"team": team, "agent": agent, "role": role, "key": key})
    ids = {"user_id": agent.user_id, "team_id": team["id"], "role_key": role["key"], "key_id": key["id"]}
    secrets = [agent.email, agent.user_id, team["id"], "Alpha team", key["id"], "Alpha ERP", "alpharole"]
    return ids, secrets
