"""Provider events fold into calls on the customer's card: whatever their order, repeated or replayed."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim
from webhooks.simulate import Request, signature_headers

CUSTOMER = "+79161234567"
SHOWN = "+7 916 123-45-67"  # the number as the app shows it
RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Calls Ltd", country="RU", locale="ru")


def _pbx(client: ApiClient, company: Company, **settings: Any) -> dict[str, Any]:
    owner_id = company.owner.user_id
    return create_telephony(client, company, "pbx", extensions={"101": owner_id}, **settings)


def _scenario(integration: dict[str, Any], scenario: str, **call: Any) -> list[Any]:
    return pbx_sim.requests(scenario, integration["webhook_url"], key=None, secret=integration["secret"],
                            call=Call(**call))


def _get(client: ApiClient, company: Company, path: str) -> dict[str, Any]:
    response = client.get(path, token=company.owner.token)
    assert response.status_code == 200, response.body
    return dict(body(response))


def test_an_answered_call_lands_on_a_new_contact_with_a_lead_deal_and_its_recording(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    answers = play(client, pbx, _scenario(pbx, "answered", customer=CUSTOMER, talk_seconds=42))
    assert [a.status_code for a in answers] == [200] * 5
    [listed] = calls(client, company)
    call = _get(client, company, f"/api/v1/calls/{listed['id']}")
    assert call["direction"] == "inbound" and call["status"] == "answered"
    assert call["duration_seconds"] == 42 and call["from_number"] == CUSTOMER
    assert call["user_id"] and call["recording"] == {"available": True}
    contact = _get(client, company, f"/api/v1/contacts/{call['contact_id']}")
    # Named by the number as people read it (as the app shows numbers), not "+79161234567"; the phone field
    # keeps the number itself, which finds the caller next time.
    assert (contact["first_name"], contact.get("last_name")) == (SHOWN, None)
    assert [p["number"] for p in contact["phones"]] == [CUSTOMER]
    deal = _get(client, company, f"/api/v1/deals/{call['deal_id']}")
    assert deal["deal"]["title"] == f"Звонок с номера {SHOWN}"  # noqa: RUF001 (the company's language)
    timeline = _get(client, company, f"/api/v1/contacts/{call['contact_id']}/timeline")["items"]
    [entry] = [e for e in timeline if e["kind"] == "call"]
    assert entry["data"]["status"] == "answered" and entry["data"]["duration_seconds"] == 42
    assert entry["data"]["recording"] is True  # the timeline's player shows once the recording is kept
    link = _get(client, company, f"/api/v1/calls/{call['id']}/recording")
    assert link["url"].startswith("http") and link["expires_in"] == 300


def test_events_in_any_order_repeated_make_the_same_one_call(client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    requests = _scenario(pbx, "answered", customer=CUSTOMER, talk_seconds=30)
    shuffled = requests[:-1]
    random.Random(7).shuffle(shuffled)
    answers = play(client, pbx, [*shuffled, *shuffled[:2], requests[-1]])  # the recording needs its call first
    assert all(a.status_code == 200 for a in answers)
    [listed] = calls(client, company)
    call = _get(client, company, f"/api/v1/calls/{listed['id']}")
    assert call["status"] == "answered" and call["duration_seconds"] == 30 and call["answered_at"]
    assert call["started_at"] <= call["answered_at"] <= call["ended_at"]
    contacts = _get(client, company, "/api/v1/contacts")["items"]
    assert len(contacts) == 1  # one caller, one contact


def test_a_missed_call_makes_a_call_back_task_and_the_return_call_shows_on_it(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company, unknown_caller="contact")
    assert all(a.status_code == 200 for a in play(client, pbx, _scenario(pbx, "missed", customer=CUSTOMER)))
    [missed] = calls(client, company, "?status=missed")
    assert missed["contact"] == {"id": missed["contact_id"], "name": SHOWN}  # named by the number
    assert missed["callback"]["task_id"] and missed["callback"]["returned_call_id"] is None
    call = _get(client, company, f"/api/v1/calls/{missed['id']}")
    task = _get(client, company, f"/api/v1/tasks/{call['callback']['task_id']}")
    related = {k: task["related"][k] for k in ("type", "id")}
    assert task["kind"] == "call" and related == {"type": "contact", "id": call["contact_id"]}
    # In the company's language and on its clock, not English and UTC's ISO form.
    zone = ZoneInfo(_get(client, company, "/api/v1/me")["tenant"]["timezone"])
    missed_at = datetime.fromisoformat(call["started_at"]).astimezone(zone)
    assert task["title"] == f"Перезвонить {SHOWN}"
    day = f"{missed_at.day} {RU_MONTHS[missed_at.month - 1]} {missed_at.year}"  # as a person dates it
    assert task["description"] == f"Пропущенный звонок {day} в {missed_at:%H:%M} на линию «pbx line»."
    assert call["deal_id"] is None  # unknown_caller="contact": no lead deal
    play(client, pbx, _scenario(pbx, "answered", customer=CUSTOMER))
    returned = _get(client, company, f"/api/v1/calls/{missed['id']}")
    [listed] = calls(client, company, "?status=missed")
    assert listed["callback"]["returned_call_id"] == returned["callback"]["returned_call_id"]
    assert returned["callback"]["returned_call_id"] and returned["callback"]["returned_at"]
    later = _get(client, company, f"/api/v1/calls/{returned['callback']['returned_call_id']}")
    assert later["callback_of"] == missed["id"] and later["contact_id"] == call["contact_id"]
    done = _get(client, company, f"/api/v1/tasks/{task['id']}")
    assert done["done_at"] is None  # a call back closes nothing by itself
    answered_at = datetime.fromisoformat(later["answered_at"]).astimezone(zone)
    answered_day = f"{answered_at.day} {RU_MONTHS[answered_at.month - 1]} {answered_at.year}"
    assert f"Перезвонили: отвеченный звонок {answered_day} в {answered_at:%H:%M}" in done["description"]  # shown
    assert f"(звонок {later['id']})" in done["description"]
    today = datetime.now(UTC).date()
    period = f"?from={today - timedelta(days=1)}T00:00:00Z&to={today + timedelta(days=1)}T00:00:00Z"
    stats = _get(client, company, f"/api/v1/calls/stats{period}")["items"]
    inbound = [row for row in stats if row["direction"] == "inbound"]
    assert sum(r["calls"] for r in inbound) == 2 and sum(r["missed"] for r in inbound) == 1
    assert sum(r["callbacks"] for r in inbound) == 1


def test_a_known_number_finds_its_contact_and_a_company_number_its_company(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna", "phones": [{"number": CUSTOMER}]},
                               token=token))
    firm = body(client.post("/api/v1/companies", {"name": "Roga", "phones": [{"number": "+74957654321"}]},
                            token=token))
    pbx = _pbx(client, company)
    play(client, pbx, _scenario(pbx, "answered", customer=CUSTOMER))
    play(client, pbx, _scenario(pbx, "missed", customer="+74957654321"))
    found = {c["from_number"]: c for c in calls(client, company)}
    assert found[CUSTOMER]["contact_id"] == contact["id"]
    by_company = _get(client, company, f"/api/v1/calls/{found['+74957654321']['id']}")
    assert by_company["company_id"] == firm["id"] and by_company["contact_id"] is None
    assert len(_get(client, company, "/api/v1/contacts")["items"]) == 1  # no contact made for either


def test_the_list_filters_by_status_direction_and_contact(client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    play(client, pbx, _scenario(pbx, "missed", customer=CUSTOMER))
    play(client, pbx, _scenario(pbx, "outbound", customer="+79169998877"))
    assert [c["status"] for c in calls(client, company, "?status=missed")] == ["missed"]
    assert [c["direction"] for c in calls(client, company, "?direction=outbound")] == ["outbound"]
    missed = calls(client, company, "?status=missed")[0]
    assert [c["id"] for c in calls(client, company, f"?contact_id={missed['contact_id']}")] == [missed["id"]]
    assert calls(client, company, "?status=missed&direction=outbound") == []


def test_click_to_call_needs_a_provider_that_offers_it(client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    answer = client.post("/api/v1/calls", {"integration_id": pbx["id"], "number": CUSTOMER},
                         token=company.owner.token)
    assert answer.status_code == 422 and body(answer)["error"]["code"] == "click_to_call_unavailable"
    assert calls(client, company) == []


def test_the_asterisk_sample_script_reports_a_call_the_crm_folds(client: ApiClient, company: Company) -> None:
    from urllib.parse import urlsplit

    from webhooks import asterisk_crm

    pbx = _pbx(client, company)
    path = urlsplit(pbx["webhook_url"]).path
    steps = [["start", "1733.42", "inbound", "+79161234567", "+74951234567"],
             ["answer", "1733.42", "inbound", "+79161234567", "+74951234567", "101"],
             ["end", "1733.42", "inbound", "+79161234567", "+74951234567", "101", "ANSWER", "17"],
             ["end", "1733.42", "inbound", "+79161234567", "+74951234567", "101", "ANSWER", "17"]]  # a retry
    for args in steps:
        request = asterisk_crm.signed(pbx["webhook_url"], pbx["secret"], asterisk_crm.event(args))
        answer = client.request("POST", path, body=request.data, headers=dict(request.header_items()))
        assert answer.status_code == 200, answer.body
    [call] = calls(client, company)
    assert call["status"] == "answered" and call["duration_seconds"] == 17 and call["user_id"] == company.owner.user_id
    assert asterisk_crm.event(["end", "c", "inbound", "1", "2", "", "NOANSWER"])["disposition"] == "missed"
    assert asterisk_crm.event(["end", "c", "inbound", "1", "2", "", "CHANUNAVAIL"])["disposition"] == "failed"


def test_my_lines_are_those_with_my_extension(client: ApiClient, company: Company) -> None:
    from tests.factories import add_member

    agent = add_member(client, company, role="agent", name="lineagent")
    line = create_telephony(client, company, "zadarma", extensions={"100": agent.user_id})
    create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id})
    mine = _get_as(client, agent.token, "/api/v1/calls/lines")["items"]
    assert mine == [{"integration_id": line["id"], "name": line["name"], "type": "zadarma", "extension": "100",
                     "click_to_call": True}]
    assert [i["type"] for i in _get_as(client, company.owner.token, "/api/v1/calls/lines")["items"]] == ["pbx"]
    dialled = client.post("/api/v1/calls", {"integration_id": line["id"], "number": CUSTOMER}, token=agent.token)
    assert dialled.status_code == 202, dialled.body  # an agent calls out through the line


def _get_as(client: ApiClient, token: str, path: str) -> dict[str, Any]:
    response = client.get(path, token=token)
    assert response.status_code == 200, response.body
    return dict(body(response))


def test_a_replayed_event_changes_nothing(client: ApiClient, company: Company) -> None:
    from tests.telephony.kit import events

    pbx = _pbx(client, company)
    play(client, pbx, _scenario(pbx, "answered", customer=CUSTOMER, talk_seconds=12))
    [listed] = calls(client, company)
    before = _get(client, company, f"/api/v1/calls/{listed['id']}")
    for event in events(client, company, pbx):
        replayed = client.post(f"/api/v1/integrations/{pbx['id']}/events/{event['id']}/replay",
                               token=company.owner.token)
        assert replayed.status_code == 200, replayed.body
        assert body(replayed)["status"] == "processed"
    after = _get(client, company, f"/api/v1/calls/{listed['id']}")
    assert after == before  # same call, same version: a replay writes nothing new
    assert len(calls(client, company)) == 1 and len(_get(client, company, "/api/v1/contacts")["items"]) == 1


def test_a_number_the_phone_library_does_not_know_still_makes_its_call(client: ApiClient, company: Company) -> None:
    # +44 7911 555001 is dialable but not in libphonenumber's ranges: the call, its missed-call task and the
    # callback mark keep the number as the provider sent it; nobody is found or made for it (before, every event of
    # the call failed on the new contact's phone and the call never reached the Calls screen).
    unknown = "+447911555001"
    pbx = _pbx(client, company)
    assert all(a.status_code == 200 for a in play(client, pbx, _scenario(pbx, "missed", customer=unknown)))
    [missed] = calls(client, company, "?status=missed")
    call = _get(client, company, f"/api/v1/calls/{missed['id']}")
    assert call["from_number"] == unknown and call["contact_id"] is None and call["callback"]["task_id"]
    assert _get(client, company, "/api/v1/contacts")["items"] == []
    play(client, pbx, _scenario(pbx, "answered", customer=unknown))
    assert _get(client, company, f"/api/v1/calls/{missed['id']}")["callback"]["returned_call_id"]


def test_a_withheld_number_is_a_hidden_caller_with_nothing_to_call_back(client: ApiClient, company: Company) -> None:
    # Asterisk and Twilio send "anonymous" for a withheld number: it made a task "Call back anonymous" and one
    # call-back mark shared by every withheld caller.
    pbx = _pbx(client, company)
    assert all(a.status_code == 200 for a in play(client, pbx, _scenario(pbx, "missed", customer="anonymous")))
    [missed] = calls(client, company, "?status=missed")
    call = _get(client, company, f"/api/v1/calls/{missed['id']}")
    assert call["from_number"] == "anonymous"  # kept as the provider sent it
    assert call["callback"]["task_id"] is None and call["contact_id"] is None
    assert _get(client, company, "/api/v1/tasks?view=today")["items"] == []


def test_a_missed_call_from_a_new_number_makes_a_contact_and_a_task_the_agent_whose_extension_rang_can_open(
        client: ApiClient, company: Company) -> None:
    first = add_member(client, company, role="agent", name="first")
    agent = add_member(client, company, role="agent", name="agent")
    pbx = create_telephony(client, company, "pbx", extensions={"102": first.user_id, "103": agent.user_id})
    # The call's first event names no extension, then a ring group rings 102 and 103, and nobody answers: the
    # newcomer is the agent's whose extension rang last, as the call-back task is (not the line's responsible user's,
    # nor the first agent's).
    placed = Call(customer=CUSTOMER, extension="102")
    start, ringing, end = pbx_sim.requests("missed", pbx["webhook_url"], key=None, secret=pbx["secret"], call=placed)
    also = json.dumps({**json.loads(ringing.body), "event_id": f"{placed.call_id}-9", "extension": "103"}).encode()
    rings_too = Request(url=ringing.url, body=also,
                        headers={**ringing.headers, **signature_headers(pbx["secret"], also)})
    assert [a.status_code for a in play(client, pbx, [start, ringing, rings_too, end])] == [200] * 4
    [missed] = calls(client, company, "?status=missed")
    call = _get(client, company, f"/api/v1/calls/{missed['id']}")
    contact = client.get(f"/api/v1/contacts/{call['contact_id']}", token=agent.token)
    assert contact.status_code == 200, contact.body
    assert body(contact)["owner_id"] == agent.user_id
    deal = client.get(f"/api/v1/deals/{call['deal_id']}", token=agent.token)
    assert deal.status_code == 200, deal.body
    task = client.get(f"/api/v1/tasks/{call['callback']['task_id']}", token=agent.token)
    assert task.status_code == 200, task.body
    assert body(task)["related"]["id"] == call["contact_id"]


def test_a_manager_sees_the_calls_of_the_team_s_agent_missed_ones_from_new_numbers_too(
        client: ApiClient, company: Company) -> None:
    team = body(client.post("/api/v1/teams", {"name": "Sales"}, token=company.owner.token))
    agent = add_member(client, company, role="agent", name="agent", team_id=team["id"])
    manager = add_member(client, company, role="manager", name="manager", team_id=team["id"])
    elsewhere = add_member(client, company, role="manager", name="elsewhere")  # in no team
    pbx = create_telephony(client, company, "pbx", extensions={"102": agent.user_id})
    # the new caller's contact and the call are the agent's, whose extension rang
    play(client, pbx, _scenario(pbx, "missed", customer=CUSTOMER, extension="102"))
    [missed] = calls(client, company, "?status=missed")
    assert missed["user_id"] == agent.user_id

    def listed(member: Any, query: str = "") -> list[str]:
        response = client.get(f"/api/v1/calls{query}", token=member.token)
        assert response.status_code == 200, response.body
        return [item["id"] for item in body(response)["items"]]

    assert listed(manager) == [missed["id"]]  # a call without a team was the agent's and the owner's alone
    assert listed(manager, f"?status=missed&user_id={agent.user_id}") == [missed["id"]]
    assert listed(agent) == [missed["id"]]
    assert listed(elsewhere) == []


def test_a_known_callers_call_back_task_names_them(client: ApiClient, company: Company) -> None:
    # A London rep's task list read "Call back +44 20 7946 0000" for a buyer saved as a contact: who is that? It now
    # names her, the number beside (a caller saved only as the number keeps the number alone, as above)
    made = client.post("/api/v1/contacts", {"first_name": "Priya", "last_name": "Shah",
                                            "phones": [{"number": CUSTOMER}]}, token=company.owner.token)
    assert made.status_code == 201, made.body
    pbx = _pbx(client, company, unknown_caller="contact")
    assert all(a.status_code == 200 for a in play(client, pbx, _scenario(pbx, "missed", customer=CUSTOMER)))
    [missed] = calls(client, company, "?status=missed")
    task = _get(client, company, f"/api/v1/tasks/{missed['callback']['task_id']}")
    assert task["title"] == f"Перезвонить: Priya Shah ({SHOWN})"
