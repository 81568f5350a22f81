"""A task assigned to someone lets them read what it is about: the dispatcher hands a technician a visit to a client
the technician does not own, and the technician must see the client's name, phone and address to do it (the Kazan
field walk: the card answered "not found"). They read it, as their role shows it, while the task is open; they may
not change it, and nobody else gains anything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.helpers import member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Visits Ltd")


def _visit(client: ApiClient, company: Company, related: dict[str, str], *, to: str = "agent") -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": "Boiler service", "kind": "meeting",
                                         "assignee_id": member(company, to).user_id, "related": related},
                       token=member(company, "manager").token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _client_of_the_manager(client: ApiClient, company: Company, name: str, phone: str) -> dict[str, Any]:
    manager = member(company, "manager")
    made = client.post("/api/v1/contacts", {"first_name": name, "last_name": "Гарипова", "owner_id": manager.user_id,
                                            "phones": [{"number": phone, "kind": "mobile"}]},
                       token=manager.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def test_the_assignee_reads_the_client_of_an_open_task_and_only_while_it_is_open(
        client: ApiClient, company: Company) -> None:
    agent, other = member(company, "agent"), member(company, "agent2")
    contact = _client_of_the_manager(client, company, "Алсу", "+79871234567")
    url = f"/api/v1/contacts/{contact['id']}"
    assert client.get(url, token=agent.token).status_code == 404  # before the visit is handed over
    task = _visit(client, company, {"type": "contact", "id": contact["id"]})

    card = client.get(url, token=agent.token)
    assert card.status_code == 200, card.body
    assert body(card)["first_name"] == "Алсу" and body(card)["phones"][0]["number"] == "+79871234567"
    listed = [t for t in body(client.get("/api/v1/tasks?view=all", token=agent.token))["items"]
              if t["id"] == task["id"]]
    assert listed[0]["related"]["name"] == "Алсу Гарипова"
    assert client.get(f"{url}/timeline", token=agent.token).status_code == 200
    note = client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]},
                                         "text": "Заменил датчик тяги"}, token=agent.token)
    assert note.status_code == 201, note.body

    change = client.patch(url, {"version": body(card)["version"], "first_name": "Чужая"}, token=agent.token)
    assert change.status_code == 403 and body(change)["error"]["code"] == "task_read_only", change.body
    assert client.delete(url, token=agent.token).status_code == 403
    assert body(client.get(url, token=member(company, "manager").token))["first_name"] == "Алсу"
    assert client.get(url, token=other.token).status_code == 404  # a colleague without the task gains nothing

    done = client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]}, token=agent.token)
    assert done.status_code == 200, done.body
    assert client.get(url, token=agent.token).status_code == 404  # the visit is over


def test_a_task_handed_to_someone_else_opens_nothing(client: ApiClient, company: Company) -> None:
    contact = _client_of_the_manager(client, company, "Гузель", "+79871234568")
    _visit(client, company, {"type": "contact", "id": contact["id"]}, to="agent2")
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=member(company, "agent").token).status_code == 404
    theirs = body(client.get("/api/v1/tasks?view=all", token=member(company, "agent2").token))["items"]
    assert any(t["related"] and t["related"]["name"] == "Гузель Гарипова" for t in theirs)


def test_a_visit_about_a_deal_opens_the_deal_and_its_client(client: ApiClient, company: Company) -> None:
    manager, agent = member(company, "manager"), member(company, "agent")
    contact = _client_of_the_manager(client, company, "Ринат", "+79871234569")
    deal = body(client.post("/api/v1/deals", {"title": "Котёл Baxi", "owner_id": manager.user_id,
                                              "contact_ids": [contact["id"]]}, token=manager.token))
    assert client.get(f"/api/v1/deals/{deal['id']}", token=agent.token).status_code == 404
    _visit(client, company, {"type": "deal", "id": deal["id"]})

    card = client.get(f"/api/v1/deals/{deal['id']}", token=agent.token)
    assert card.status_code == 200, card.body
    assert [c["name"] for c in body(card)["contacts"]] == ["Ринат Гарипова"]
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=agent.token).status_code == 200
    moved = client.patch(f"/api/v1/deals/{deal['id']}", {"version": body(card)["deal"]["version"], "title": "x"},
                         token=agent.token)
    assert moved.status_code == 403 and body(moved)["error"]["code"] == "task_read_only", moved.body


def test_the_task_check_costs_one_query_and_only_outside_the_scope(client: ApiClient, company: Company,
                                                                    tenancy_watcher: Any) -> None:
    contact = _client_of_the_manager(client, company, "Айдар", "+79871234570")
    _visit(client, company, {"type": "contact", "id": contact["id"]})
    url = f"/api/v1/contacts/{contact['id']}"

    def queries(token: str) -> int:
        assert client.get(url, token=token).status_code == 200  # a first read warms what a session keeps
        tenancy_watcher.reset()
        assert client.get(url, token=token).status_code == 200
        return [operation for operation, _ in tenancy_watcher.requests].count("Query")

    assert queries(member(company, "agent").token) == queries(member(company, "manager").token) + 1


def test_a_visit_to_a_firm_opens_the_firm(client: ApiClient, company: Company) -> None:
    manager, agent = member(company, "manager"), member(company, "agent")
    firm = body(client.post("/api/v1/companies", {"name": "ТСЖ Садовое", "owner_id": manager.user_id},
                            token=manager.token))
    url = f"/api/v1/companies/{firm['id']}"
    assert client.get(url, token=agent.token).status_code == 404
    _visit(client, company, {"type": "company", "id": firm["id"]})
    assert body(client.get(url, token=agent.token))["name"] == "ТСЖ Садовое"
    assert client.delete(url, token=agent.token).status_code == 403
