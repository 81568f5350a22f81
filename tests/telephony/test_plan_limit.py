"""A company at its plan's contacts limit still has its calls: recorded with the caller's number, no contact made,
and the call says why; a person adding a contact by hand still meets the plan's refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.billing import helpers
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, events, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

CUSTOMER = "+79161234567"
SHOWN = "+7 916 123-45-67"


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Full House", country="RU", locale="ru")


def _pbx(client: ApiClient, company: Company) -> dict[str, Any]:
    return create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})


def _events(pbx: dict[str, Any], scenario: str, call: Call) -> list[Any]:
    return pbx_sim.requests(scenario, pbx["webhook_url"], key=None, secret=pbx["secret"], call=call)


def _get(client: ApiClient, company: Company, path: str) -> dict[str, Any]:
    response = client.get(path, token=company.owner.token)
    assert response.status_code == 200, response.body
    return dict(body(response))


def _full(client: ApiClient, company: Company) -> None:
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for one more contact


def _made(client: ApiClient, company: Company) -> tuple[int, int, int]:
    counts = [len(_get(client, company, path)["items"])
              for path in ("/api/v1/contacts", "/api/v1/deals", "/api/v1/tasks?view=all")]
    return counts[0], counts[1], counts[2]


def test_a_missed_call_at_the_contacts_limit_is_recorded_with_its_number_and_says_why_it_has_no_contact(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    _full(client, company)
    answers = play(client, pbx, _events(pbx, "missed", Call(customer=CUSTOMER)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {e["status"] for e in events(client, company, pbx)} == {"processed"}  # nothing waits for a replay
    [listed] = calls(client, company)
    assert (listed["status"], listed["from_number"], listed["contact_id"]) == ("missed", CUSTOMER, None)
    assert listed["contact_skipped"] == "plan_limit"  # the calls screen says why there is no contact
    call = _get(client, company, f"/api/v1/calls/{listed['id']}")
    assert call["contact_skipped"] == "plan_limit" and call["deal_id"] is None
    task = _get(client, company, f"/api/v1/tasks/{call['callback']['task_id']}")
    assert task["title"] == f"Перезвонить {SHOWN}" and task["related"] is None
    assert "не сохранён как контакт: достигнут лимит контактов вашего тарифа" in task["description"]
    assert _made(client, company) == (0, 0, 1)

    by_hand = client.post("/api/v1/contacts", {"first_name": "Ivan", "phones": [{"number": CUSTOMER}]},
                          token=company.owner.token)
    assert by_hand.status_code == 402 and body(by_hand)["error"]["code"] == "plan_limit_reached"


def test_an_answered_call_at_the_limit_is_recorded_and_the_next_call_after_an_upgrade_makes_the_contact(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    _full(client, company)
    play(client, pbx, _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=30)))
    [first] = calls(client, company)
    assert (first["status"], first["duration_seconds"], first["contact_id"], first["contact_skipped"]) == (
        "answered", 30, None, "plan_limit")
    assert _made(client, company) == (0, 0, 0)

    helpers.set_usage(company, users=1, pipelines=1, contacts=0)  # room again (an upgrade, or contacts deleted)
    play(client, pbx, _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=12)))
    newest, older = calls(client, company)
    assert newest["contact_id"] and newest["contact_skipped"] is None
    assert older["id"] == first["id"] and older["contact_skipped"] == "plan_limit"  # what happened stays said
    assert _made(client, company) == (1, 1, 0)


def test_the_administrators_are_told_once_a_day_and_agents_not(client: ApiClient, company: Company) -> None:
    from tests.events.conftest import open_feed
    from tests.factories import add_member

    admin = add_member(client, company, role="admin", name="admin")
    agent = add_member(client, company, role="agent", name="agent")
    pbx = _pbx(client, company)
    _full(client, company)
    with open_feed() as feed:
        play(client, pbx, _events(pbx, "missed", Call(customer=CUSTOMER)))
        play(client, pbx, _events(pbx, "answered", Call(customer="+79161234568", talk_seconds=20)))
        assert feed.deliver() == {"batchItemFailures": []}
    first, second = calls(client, company)[::-1]
    for token in (company.owner.token, admin.token):
        told = [n for n in body(client.get("/api/v1/notifications", token=token))["items"]
                if n["type"] == "call.contact_skipped"]
        assert [(n["title"], n["subject"]) for n in told] == [(SHOWN, {"type": "call", "id": first["id"]})]
    assert second["contact_skipped"] == "plan_limit"  # the second call of the day is marked, not told again
    assert [n for n in body(client.get("/api/v1/notifications", token=agent.token))["items"]
            if n["type"] == "call.contact_skipped"] == []
