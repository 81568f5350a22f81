"""The deals' trash, as every other record type's: deleted deals listed most recently deleted first, within the
caller's scope (a manager sees the team's, an agent who may not delete none, another company nothing), restored from
it, and purged for good by an administrator only. Before, deals had no trash list: a deleted deal could be brought
back only by reverting its deletion in the audit log."""

from __future__ import annotations

from typing import Any

from tests.deals.helpers import member, staffed_company
from tests.factories import signup
from tests.support import ApiClient, body


def _deal(client: ApiClient, token: str, title: str, owner_id: str | None = None) -> dict[str, Any]:
    made = client.post("/api/v1/deals", {"title": title, **({"owner_id": owner_id} if owner_id else {})}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _trash(client: ApiClient, token: str, query: str = "") -> list[str]:
    answer = client.get(f"/api/v1/trash/deals{query}", token=token)
    assert answer.status_code == 200, answer.body
    return [item["title"] for item in body(answer)["items"]]


def test_deleted_deals_are_listed_restored_and_purged_within_scope(client: ApiClient) -> None:
    company = staffed_company(client, "Trash Deals")
    owner, manager = company.owner.token, member(company, "manager")
    agent, outsider = member(company, "agent"), member(company, "outsider")
    deals = {title: _deal(client, owner, title, who.user_id) for title, who in
             (("Team's", agent), ("Outsider's", outsider), ("Manager's", manager))}
    kept = _deal(client, owner, "Still live")
    for title in ("Team's", "Outsider's", "Manager's"):
        assert client.delete(f"/api/v1/deals/{deals[title]['id']}", token=owner).status_code == 204

    assert _trash(client, owner) == ["Manager's", "Outsider's", "Team's"]  # most recently deleted first
    assert kept["title"] not in _trash(client, owner)
    assert _trash(client, manager.token) == ["Manager's", "Team's"]  # the team's, not the other team's
    assert client.get("/api/v1/trash/deals", token=agent.token).status_code == 403  # agents may not delete
    walked = body(client.get("/api/v1/trash/deals?limit=1", token=owner))
    assert len(walked["items"]) == 1 and walked["next_cursor"]
    rest = body(client.get(f"/api/v1/trash/deals?limit=5&cursor={walked['next_cursor']}", token=owner))
    assert [item["title"] for item in rest["items"]] == ["Outsider's", "Team's"]
    assert client.get("/api/v1/trash/deals?limit=0", token=owner).status_code == 422

    rival = signup(client, company="Rival")
    assert _trash(client, rival.owner.token) == []  # another company's trash is its own
    gone = deals["Outsider's"]["id"]
    assert client.delete(f"/api/v1/trash/deals/{gone}", token=rival.owner.token).status_code == 404
    assert client.post(f"/api/v1/deals/{gone}/restore", token=rival.owner.token).status_code == 404

    team_deal = deals["Team's"]["id"]
    restored = client.post(f"/api/v1/deals/{team_deal}/restore", token=manager.token)
    assert restored.status_code == 200 and body(restored)["deleted_at"] is None
    assert _trash(client, owner) == ["Manager's", "Outsider's"]

    assert client.delete(f"/api/v1/trash/deals/{gone}", token=manager.token).status_code == 403  # admins only
    assert client.delete(f"/api/v1/trash/deals/{kept['id']}", token=owner).status_code == 404  # a live deal
    assert client.delete(f"/api/v1/trash/deals/{gone}", token=owner).status_code == 204
    assert _trash(client, owner) == ["Manager's"]
    assert client.get(f"/api/v1/deals/{gone}", token=owner).status_code == 404
    assert client.post(f"/api/v1/deals/{gone}/restore", token=owner).status_code == 404
    assert client.delete(f"/api/v1/trash/deals/{gone}", token=owner).status_code == 404
