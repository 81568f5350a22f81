"""Tasks named by their record (#20 item 11): a list, a card, a change and a completion name the contact, company
or deal a task is about, as it is called now, to those who may read it, for one BatchGetItem a page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.helpers import member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Named Tasks Inc")


def _task(client: ApiClient, token: str, related: dict[str, str] | None, title: str = "Call back") -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": title, **({"related": related} if related else {})}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def test_each_task_names_its_record_as_it_is_called_now(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Ольга", "last_name": "Смирнова"}, token=token))
    firm = body(client.post("/api/v1/companies", {"name": "Цветочный двор"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Свадебный букет"}, token=token))
    made = {kind: _task(client, token, {"type": kind, "id": record["id"]}, title=f"About the {kind}")
            for kind, record in (("contact", contact), ("company", firm), ("deal", deal))}
    assert made["contact"]["related"]["name"] == "Ольга Смирнова"
    page = body(client.get("/api/v1/tasks?view=all", token=token))
    listed = {task["title"]: task["related"] for task in page["items"]}
    assert listed["About the contact"]["name"] == "Ольга Смирнова"
    assert listed["About the company"]["name"] == "Цветочный двор"
    assert listed["About the deal"]["name"] == "Свадебный букет"
    renamed = client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"], "title": "Букет невесты"},
                           token=token)
    assert renamed.status_code == 200, renamed.body
    one = body(client.get(f"/api/v1/tasks/{made['deal']['id']}", token=token))
    assert one["related"]["name"] == "Букет невесты"
    done = client.post(f"/api/v1/tasks/{one['id']}/complete", {"version": one["version"]}, token=token)
    assert body(done)["related"]["name"] == "Букет невесты"


def test_a_record_the_caller_may_not_read_is_not_named(client: ApiClient, company: Company) -> None:
    manager, agent = member(company, "manager"), member(company, "agent")
    # the manager's own contact, and a task about it handed to an agent, who may read only their own contacts: the
    # open task lets them read it (tests/tasks/test_task_access.py), the done one no longer does
    contact = body(client.post("/api/v1/contacts", {"first_name": "Secret", "last_name": "Client",
                                                    "owner_id": manager.user_id}, token=manager.token))
    task = client.post("/api/v1/tasks", {"title": "Call the client", "assignee_id": agent.user_id,
                                         "related": {"type": "contact", "id": contact["id"]}}, token=manager.token)
    assert task.status_code == 201, task.body
    done = client.post(f"/api/v1/tasks/{body(task)['id']}/complete", {"version": body(task)["version"]},
                       token=manager.token)
    assert done.status_code == 200, done.body
    theirs = [t for t in body(client.get("/api/v1/tasks?view=all", token=agent.token))["items"]
              if t["title"] == "Call the client"]
    assert theirs and theirs[0]["related"] == {"type": "contact", "id": contact["id"], "name": None}


def test_a_deleted_record_is_not_named(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Gone soon"}, token=token))
    task = _task(client, token, {"type": "deal", "id": deal["id"]}, title="About a gone deal")
    assert client.delete(f"/api/v1/deals/{deal['id']}", token=token).status_code in (200, 204)
    again = client.get(f"/api/v1/tasks/{task['id']}", token=token)
    assert again.status_code == 200 and body(again)["related"]["name"] is None


def test_a_page_of_tasks_names_its_records_with_one_batch_read(client: ApiClient, company: Company,
                                                               tenancy_watcher: Any) -> None:
    token = member(company, "admin").token
    for n in range(3):
        deal = body(client.post("/api/v1/deals", {"title": f"Batch deal {n}"}, token=token))
        _task(client, token, {"type": "deal", "id": deal["id"]}, title=f"Batch {n}")
    tenancy_watcher.reset()
    page = client.get("/api/v1/tasks?view=all", token=token)
    assert page.status_code == 200
    assert {t["related"]["name"] for t in body(page)["items"]} == {"Batch deal 0", "Batch deal 1", "Batch deal 2"}
    operations = [operation for operation, _ in tenancy_watcher.requests]
    assert operations.count("Query") == 1
    assert operations.count("BatchGetItem") <= 2  # authentication's, and the names of the page's records


def test_a_deals_task_shows_on_its_contacts_cards_too(client: ApiClient, company: Company) -> None:
    """#20 item 11: the lead's call-back task, made about its deal, was missing from its contact's card."""
    token = company.owner.token
    olga = body(client.post("/api/v1/contacts", {"first_name": "Olga"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Bouquet", "contact_ids": [olga["id"]]}, token=token))
    task = _task(client, token, {"type": "deal", "id": deal["id"]}, title="Call Olga back")
    card = body(client.get(f"/api/v1/contacts/{olga['id']}", token=token))
    links = [link for link in card["links"]["task"] if link["id"] == task["id"]]
    assert links and links[0]["summary"]["title"] == "Call Olga back" and links[0]["summary"]["done"] is False
    done = body(client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]}, token=token))
    card = body(client.get(f"/api/v1/contacts/{olga['id']}", token=token))
    assert next(link for link in card["links"]["task"] if link["id"] == task["id"])["summary"]["done"] is True
    assert client.delete(f"/api/v1/tasks/{done['id']}", token=token).status_code == 204
    card = body(client.get(f"/api/v1/contacts/{olga['id']}", token=token))
    assert task["id"] not in [link["id"] for link in card["links"].get("task", [])]
