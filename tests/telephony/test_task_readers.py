"""A clinic's switchboard operator holds a custom role that reads calls and contacts, not tasks: a missed call on her
extension made the call-back task hers, which she could never open (and which is now refused: cannot_read_tasks).
The task goes to the line's responsible colleague who reads tasks; every event is processed."""

from __future__ import annotations

from typing import Any

from tests.factories import IN_MOSCOW, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, events, play
from webhooks.providers import Call
from webhooks.providers import mango as mango_sim


def test_a_missed_calls_task_skips_an_extensions_colleague_whose_role_cannot_read_tasks(client: ApiClient) -> None:
    company = signup(client, company="Стоматология Улыбка", **IN_MOSCOW)
    owner = company.owner
    role = client.post("/api/v1/roles", {"key": "operator", "name": "Оператор",
                                         "permissions": ["calls:read:all", "contacts:read:all", "users:read:all"]},
                       token=owner.token)
    assert role.status_code == 201, role.body
    operator = add_member(client, company, role="operator", name="operator")
    line = create_telephony(client, company, "mango", extensions={"101": operator.user_id})

    requests = mango_sim.requests("missed", line["webhook_url"], key="mango-key-0001", secret="mango-salt-0001",
                                  call=Call(customer="+79214447788", extension="101"))
    assert all(answer.status_code == 200 for answer in play(client, line, requests))
    failed = [event for event in events(client, company, line) if event["status"] == "failed"]
    assert failed == [], failed  # the task's 422 failed the call's event
    [call] = calls(client, company)
    assert call["status"] == "missed"
    tasks: list[Any] = body(client.get("/api/v1/tasks?view=all", token=owner.token))["items"]
    assert [(task["kind"], task["assignee_id"]) for task in tasks] == [("call", owner.user_id)]
