"""A wholesaler's client rings from its switchboard and nobody picks up. The call found the company by the number,
yet the sales manager's call-back task read "Перезвонить +7 495 254-60-93", about nothing: who is that, and where is
its card? (A manager who is not the company's owner could not open it.) The task now names the company and is about
it, so the manager opens its card from the task."""
# ruff: noqa: RUF001 (Russian company names)

from __future__ import annotations

from typing import Any

from tests.factories import IN_MOSCOW, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, play
from webhooks.providers import Call
from webhooks.providers import mango as mango_sim


def test_a_missed_call_from_a_client_s_switchboard_gives_a_task_about_the_company(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="СтройОпт Манго", **IN_MOSCOW)
    token = company.owner.token
    manager = add_member(client, company, role="agent", name="belova")
    firm = body(client.post("/api/v1/companies", {"name": "ООО «ГлавСтрой»",
                                                  "phones": [{"number": "+7 495 254-60-93"}]}, token=token))
    line = create_telephony(client, company, "mango", extensions={"101": manager.user_id})
    requests = mango_sim.requests("missed", line["webhook_url"], key="mango-key-0001", secret="mango-salt-0001",
                                  call=Call(customer="+74952546093", extension="101"))
    assert all(answer.status_code == 200 for answer in play(client, line, requests))
    [missed] = calls(client, company, "?status=missed")
    assert (missed["company"]["id"], missed["contact_id"]) == (firm["id"], None)
    task = body(client.get(f"/api/v1/tasks/{missed['callback']['task_id']}", token=manager.token))
    assert task["title"] == "Перезвонить: ООО «ГлавСтрой» (+7 495 254-60-93)"
    assert (task["related"]["type"], task["related"]["id"], task["assignee_id"]) == ("company", firm["id"],
                                                                                     manager.user_id)
    # the agent sees only her own companies, but opens the one her open task is about
    assert client.get(f"/api/v1/companies/{firm['id']}", token=manager.token).status_code == 200
