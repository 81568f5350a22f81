"""Tasks: my day in the company's time zone, complete and reopen, links and timelines, roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.deals.helpers import collection, data_requests, frozen, make_contact, member, staffed_company
from tests.factories import Company, add_member
from tests.support import ApiClient, body

# 20:00 UTC on 15 June is already 05:00 on 16 June in Tokyo (UTC+9).
NOW = datetime(2031, 6, 15, 20, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Tasks Inc", timezone="Asia/Tokyo")


def create(client: ApiClient, token: str, **fields: Any) -> Any:
    return client.post("/api/v1/tasks", {"title": "Call back", "kind": "call", **fields}, token=token)


def titles(client: ApiClient, token: str, query: str) -> list[str]:
    response = client.get(f"/api/v1/tasks?{query}", token=token)
    assert response.status_code == 200, response.body
    return [task["title"] for task in body(response)["items"]]


def test_views_follow_the_companys_day(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = member(company, "agent2").token
    for title, due in (("Yesterday in Tokyo", "2031-06-15T14:00:00Z"),  # 15 June 23:00 JST
                       ("Early today", "2031-06-15T15:30:00+00:00"),  # 16 June 00:30 JST
                       ("Later today", "2031-06-16T19:00:00+09:00"),
                       ("Tomorrow in Tokyo", "2031-06-16T16:00:00Z"),  # 17 June 01:00 JST
                       ("Next month", "2031-07-01T09:00:00Z")):
        assert create(client, agent, title=title, due_at=due).status_code == 201
    create(client, agent, title="Whenever")
    done = body(create(client, agent, title="Done today", due_at="2031-06-16T01:00:00Z"))
    client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]}, token=agent)
    with frozen(monkeypatch, NOW):
        assert titles(client, agent, "view=today") == ["Early today", "Later today"]
        # overdue: its due time passed, today's too (00:30 in Tokyo, now 05:00), as the screen and dashboard count it
        assert titles(client, agent, "view=overdue") == ["Yesterday in Tokyo", "Early today"]
        assert titles(client, agent, "view=upcoming") == ["Tomorrow in Tokyo", "Next month"]
        assert titles(client, agent, "view=today&status=done") == ["Done today"]
        assert titles(client, agent, "view=all") == ["Yesterday in Tokyo", "Early today", "Later today",
                                                     "Tomorrow in Tokyo", "Next month", "Whenever", "Done today"]
        assert titles(client, agent, "view=all&status=open")[-1] == "Whenever"
        assert client.get("/api/v1/tasks?view=overdue&status=done", token=agent).status_code == 422
        assert client.get("/api/v1/tasks?view=someday", token=agent).status_code == 422


def test_each_view_is_one_query(client: ApiClient, company: Company, tenancy_watcher: Any) -> None:
    create(client, company.owner.token, due_at="2031-01-01T10:00:00Z")
    for view in ("today", "overdue", "upcoming", "all"):
        tenancy_watcher.reset()
        assert client.get(f"/api/v1/tasks?view={view}", token=company.owner.token).status_code == 200
        # the company's time zone comes from the tenant item authentication read: one Query and nothing else
        assert data_requests(tenancy_watcher) == ["Query"], view


def test_complete_and_reopen_with_versions(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    task = body(create(client, owner, due_at="2031-06-20T10:00:00Z"))
    url = f"/api/v1/tasks/{task['id']}"
    done = client.post(f"{url}/complete", {"version": task["version"]}, token=owner)
    assert done.status_code == 200
    assert body(done)["status"] == "done" and body(done)["done_at"] and body(done)["done_by"] == company.owner.user_id
    stale = client.post(f"{url}/reopen", {"version": task["version"]}, token=owner)
    assert stale.status_code == 409 and body(client.get(url, token=owner))["status"] == "done"
    reopened = client.post(f"{url}/reopen", {"version": body(done)["version"]}, token=owner)
    assert reopened.status_code == 200 and body(reopened)["status"] == "open" and body(reopened)["done_at"] is None
    assert task["id"] in [t["id"] for t in body(client.get("/api/v1/tasks?status=open", token=owner))["items"]]


def test_update_and_delete(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    task = body(create(client, owner, description="Ask about the invoice"))
    url = f"/api/v1/tasks/{task['id']}"
    changed = client.patch(url, {"version": task["version"], "title": "Visit", "kind": "meeting",
                                 "due_at": "2031-08-01T08:00:00Z", "description": None}, token=owner)
    assert changed.status_code == 200, changed.body
    result = body(changed)
    assert (result["title"], result["kind"], result["due_at"], result["description"]) == \
        ("Visit", "meeting", "2031-08-01T08:00:00Z", None)
    assert client.patch(url, {"version": task["version"], "title": "Lost"}, token=owner).status_code == 409
    assert client.delete(url, token=owner).status_code == 204
    assert client.get(url, token=owner).status_code == 404


@pytest.mark.parametrize("fields", [
    {"kind": "party"},
    {"due_at": "2031-06-16T10:00:00"},  # no offset: ambiguous, refused
    {"due_at": "tomorrow"},
    {"title": ""},
    {"description": "x" * 10_001},
    {"related": {"type": "invoice", "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}},
    {"assignee_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    {"priority": "high"},
])
def test_bad_input_answers_422(client: ApiClient, company: Company, fields: dict) -> None:
    response = create(client, company.owner.token, **fields)
    assert response.status_code == 422, (fields, response.body)


def test_assigning_to_a_deactivated_user_answers_422(client: ApiClient, company: Company) -> None:
    leaver = add_member(client, company, role="agent", name="leaver")
    task = body(create(client, company.owner.token))
    assert client.post(f"/api/v1/users/{leaver.user_id}/deactivate", token=company.owner.token).status_code == 200
    response = client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"],
                                                            "assignee_id": leaver.user_id}, token=company.owner.token)
    assert response.status_code == 422 and body(response)["error"]["details"][0]["type"] == "unknown_user"
    assert create(client, company.owner.token, assignee_id=leaver.user_id).status_code == 422


def test_a_task_about_a_contact_shows_on_its_card_and_timeline(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    contact = make_contact(client, company, name="Olga")
    task = body(create(client, owner, title="Send the offer", related={"type": "contact", "id": contact}))
    assert task["related"] == {"type": "contact", "id": contact, "name": "Olga"}  # named by its record (#20)
    items = collection(company, "contact", contact)
    link = next(item for item in items if getattr(item, "link_kind", None) == "task")
    assert link.ref_id == task["id"] and link.summary["title"] == "Send the offer" and link.summary["done"] is False
    client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]}, token=owner)
    items = collection(company, "contact", contact)
    events = [item.data["event"] for item in items if getattr(item, "entry_kind", None) == "task"]
    assert events == ["done", "created"]  # newest first
    assert next(i for i in items if getattr(i, "link_kind", None) == "task").summary["done"] is True
    card = body(client.get(f"/api/v1/contacts/{contact}", token=owner))
    assert task["id"] in [link["id"] for link in card["links"]["task"]]


def test_a_task_about_a_deal_shows_on_the_deal_card(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Lease"}, token=owner))
    task = body(create(client, owner, related={"type": "deal", "id": deal["id"]}))
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))
    assert [link["id"] for link in card["links"]] == [task["id"]]
    assert card["timeline"][0]["kind"] == "task" and card["timeline"][0]["data"]["event"] == "created"
    other = body(client.post("/api/v1/deals", {"title": "Other"}, token=owner))
    moved = client.patch(f"/api/v1/tasks/{task['id']}", {"version": task["version"],
                                                         "related": {"type": "deal", "id": other["id"]}}, token=owner)
    assert moved.status_code == 200
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["links"] == []
    assert [link["id"] for link in body(client.get(f"/api/v1/deals/{other['id']}", token=owner))["links"]] \
        == [task["id"]]


def test_a_task_about_a_company(client: ApiClient, company: Company) -> None:
    firm = body(client.post("/api/v1/companies", {"name": "Vector LLC"}, token=company.owner.token))
    task = create(client, company.owner.token, related={"type": "company", "id": firm["id"]})
    assert task.status_code == 201, task.body
    kinds = [getattr(item, "entry_kind", None) for item in collection(company, "company", firm["id"])]
    assert "task" in kinds


def test_related_records_you_cannot_see_answer_404(client: ApiClient, company: Company) -> None:
    agent, agent2 = member(company, "agent"), member(company, "agent2")
    theirs = body(client.post("/api/v1/deals", {"title": "Agent two's"}, token=agent2.token))
    response = create(client, agent.token, related={"type": "deal", "id": theirs["id"]})
    assert response.status_code == 404
    assert create(client, agent.token, related={"type": "contact", "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}).status_code \
        == 404


def test_roles(client: ApiClient, company: Company) -> None:
    agent, agent2, manager = member(company, "agent"), member(company, "agent2"), member(company, "manager")
    theirs = body(create(client, agent2.token, title="Agent two's task"))
    url = f"/api/v1/tasks/{theirs['id']}"
    assert client.get(url, token=agent.token).status_code == 404
    assert client.post(f"{url}/complete", {"version": 1}, token=agent.token).status_code == 404
    assert titles(client, agent.token, f"assignee_id={agent2.user_id}") == []
    assert create(client, agent.token, assignee_id=agent2.user_id).status_code == 403
    assert create(client, member(company, "read_only").token).status_code == 403
    assert client.get(url, token=member(company, "read_only").token).status_code == 200
    assert "Agent two's task" in titles(client, manager.token, f"assignee_id={agent2.user_id}")
    assert client.get(url, token=member(company, "outsider").token).status_code == 404
    assigned = create(client, manager.token, title="For agent two", assignee_id=agent2.user_id)
    assert assigned.status_code == 201
    assert body(assigned)["team_id"] == company.extra["team"]["id"]
    assert "For agent two" in titles(client, agent2.token, "view=all")
