"""A line whose extension still names an agent who left (deactivated): her calls fall to the line's responsible user,
so every event is processed, the newcomer is made and a missed call leaves a call-back task someone can do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, events, play
from webhooks.providers import Call
from webhooks.providers import mango as mango_sim


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Автосервис Нева", country="RU", locale="ru")


@pytest.mark.parametrize("scenario", ["missed", "answered"])
def test_a_call_to_a_deactivated_agents_extension_is_processed_for_the_lines_responsible_user(
        client: ApiClient, company: Company, scenario: str) -> None:
    owner = company.owner
    anna = add_member(client, company, role="agent", name="anna")
    line = create_telephony(client, company, "mango", extensions={"101": owner.user_id, "102": anna.user_id})
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=owner.token)
    assert gone.status_code == 200, gone.body

    requests = mango_sim.requests(scenario, line["webhook_url"], key="mango-key-0001", secret="mango-salt-0001",
                                  call=Call(customer="+79215559988", extension="102"))
    assert all(answer.status_code == 200 for answer in play(client, line, requests))
    failed = [event for event in events(client, company, line) if event["status"] == "failed"]
    assert failed == [], failed
    [call] = calls(client, company)
    assert call["status"] == scenario and call["user_id"] != anna.user_id
    contact = body(client.get(f"/api/v1/contacts/{call['contact_id']}", token=owner.token))
    assert contact["owner_id"] == owner.user_id  # the line's responsible user: its creator
    tasks: list[Any] = body(client.get("/api/v1/tasks?view=all", token=owner.token))["items"]
    assert [task["kind"] for task in tasks] == (["call"] if scenario == "missed" else [])


def test_a_missed_call_from_a_leavers_customer_leaves_its_call_back_task_with_the_lines_responsible_user(
        client: ApiClient, company: Company) -> None:
    """Her customers not handed over yet: the call (rung on no mapped extension) and its call-back task were hers."""
    owner = company.owner
    anna = add_member(client, company, role="agent", name="anna")
    made = client.post("/api/v1/contacts", {"first_name": "Мария", "phones": [{"number": "+79215552211"}]},
                       token=anna.token)
    assert made.status_code == 201, made.body
    line = create_telephony(client, company, "mango", extensions={"101": owner.user_id})
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=owner.token)
    assert gone.status_code == 200, gone.body

    requests = mango_sim.requests("missed", line["webhook_url"], key="mango-key-0001", secret="mango-salt-0001",
                                  call=Call(customer="+79215552211", extension="555"))
    assert all(answer.status_code == 200 for answer in play(client, line, requests))
    assert [event for event in events(client, company, line) if event["status"] == "failed"] == []
    [call] = calls(client, company)
    assert call["status"] == "missed" and call["contact_id"] == body(made)["id"]
    [task] = body(client.get("/api/v1/tasks?view=all", token=owner.token))["items"]
    assert task["kind"] == "call" and task["related"]["id"] == body(made)["id"]
