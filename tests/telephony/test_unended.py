"""A call whose provider never reports its end is closed by its timer, as its end would have closed it, once.

The due run is driven with a clock moved past the call's window (``due.run_due(now=...)``, restricted to the
calls' timers), never by sleeping; the provider's late end is played afterwards through its signed hook.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import db
from chalicelib.due import service as due
from chalicelib.tasks import service as tasks_service
from chalicelib.telephony import unended
from tests.deals.helpers import frozen
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

CUSTOMER = "+79161234567"
SHOWN = "+7 916 123-45-67"


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Silent Line", country="RU", locale="ru")


def _pbx(client: ApiClient, company: Company, **settings: Any) -> dict[str, Any]:
    return create_telephony(client, company, "pbx", extensions={"101": company.owner.user_id}, **settings)


def _events(pbx: dict[str, Any], scenario: str, call: Call) -> list[Any]:
    return pbx_sim.requests(scenario, pbx["webhook_url"], key=None, secret=pbx["secret"], call=call)


def _get(client: ApiClient, company: Company, path: str) -> dict[str, Any]:
    response = client.get(path, token=company.owner.token)
    assert response.status_code == 200, response.body
    return dict(body(response))


def _run(after: timedelta, *companies: Company, start: datetime | None = None,
         kinds: frozenset[str] = frozenset({unended.KIND})) -> dict[str, int]:
    """The due run of the calls' timers (or other kinds) of these companies (the module's other tests leave calls
    ringing) with the clock moved on: what each firing answered."""
    tenants, real = {company.tenant_id for company in companies}, due.due_in
    outcomes: dict[str, int] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(due, "due_in", lambda *args: [t for t in real(*args) if t.pk.split("#")[1] in tenants])
        due.run_due(now=(start or db.utcnow()) + after, kinds=kinds, outcomes=outcomes)
    return outcomes


def _items(client: ApiClient, company: Company, path: str) -> list[Any]:
    return list(_get(client, company, path)["items"])


def _inbound_stats(client: ApiClient, company: Company) -> dict[str, int]:
    today = datetime.now(UTC).date()
    period = f"?from={today - timedelta(days=1)}T00:00:00Z&to={today + timedelta(days=1)}T00:00:00Z"
    rows = [row for row in _items(client, company, f"/api/v1/calls/stats{period}") if row["direction"] == "inbound"]
    return {name: sum(int(row[name]) for row in rows) for name in ("calls", "answered", "missed", "talk_seconds")}


def _made(client: ApiClient, company: Company) -> tuple[int, int, int]:
    """How many contacts, deals and tasks the company has."""
    return (len(_items(client, company, "/api/v1/contacts")), len(_items(client, company, "/api/v1/deals")),
            len(_items(client, company, "/api/v1/tasks?view=all")))


def test_a_new_numbers_call_that_never_ends_makes_its_contact_lead_and_call_back_task_once(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    *rang, end = _events(pbx, "missed", Call(customer=CUSTOMER))
    assert [a.status_code for a in play(client, pbx, rang)] == [200, 200]  # start, ringing: then silence
    [ringing] = calls(client, company)
    assert ringing["status"] == "ringing" and ringing["contact_id"] is None and ringing["end_reason"] is None

    assert _run(timedelta(minutes=9), company) == {}  # still within a ringing phone's window: not due
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    call = _get(client, company, f"/api/v1/calls/{ringing['id']}")
    assert (call["status"], call["end_reason"], call["duration_seconds"]) == ("missed", "no_end_reported", 0)
    assert call["ended_at"] is None  # when it stopped ringing is not known: none is made up
    contact = _get(client, company, f"/api/v1/contacts/{call['contact_id']}")
    assert contact["first_name"] == SHOWN and [p["number"] for p in contact["phones"]] == [CUSTOMER]
    deal = _get(client, company, f"/api/v1/deals/{call['deal_id']}")
    assert deal["deal"]["title"] == f"Звонок с номера {SHOWN}"  # noqa: RUF001 (the company's language)
    task = _get(client, company, f"/api/v1/tasks/{call['callback']['task_id']}")
    assert task["title"] == f"Перезвонить {SHOWN}" and task["assignee_id"] == company.owner.user_id
    assert "оператор телефонии не сообщил о завершении звонка" in task["description"]  # why it counts as missed  # noqa: RUF001
    assert {k: task["related"][k] for k in ("type", "id")} == {"type": "contact", "id": call["contact_id"]}
    [listed] = calls(client, company, "?status=missed")
    assert listed["end_reason"] == "no_end_reported"  # the calls screen says why
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 0, "missed": 1, "talk_seconds": 0}
    assert _made(client, company) == (1, 1, 1)

    assert _run(timedelta(minutes=30), company) == {}  # its timer is gone: nothing fires again
    assert [a.status_code for a in play(client, pbx, [end])] == [200]  # the provider's end, late
    late = _get(client, company, f"/api/v1/calls/{call['id']}")
    assert (late["status"], late["end_reason"], late["duration_seconds"]) == ("missed", None, 0)
    assert late["ended_at"] is not None and late["callback"]["task_id"] == task["id"]
    assert (late["contact_id"], late["deal_id"]) == (call["contact_id"], call["deal_id"])
    assert _made(client, company) == (1, 1, 1)  # nothing made twice
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 0, "missed": 1, "talk_seconds": 0}


def test_a_late_end_that_says_answered_corrects_the_call_and_its_counters(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    requests = _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=95))
    start, ringing, _answer, end, _recording = requests
    play(client, pbx, [start, ringing])  # the answer and the end were lost
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    [closed] = calls(client, company, "?status=missed")
    assert _inbound_stats(client, company)["missed"] == 1

    assert [a.status_code for a in play(client, pbx, [end])] == [200]
    call = _get(client, company, f"/api/v1/calls/{closed['id']}")
    assert (call["status"], call["duration_seconds"], call["end_reason"]) == ("answered", 95, None)
    assert calls(client, company, "?status=missed") == []  # no longer waiting for a call-back
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 1, "missed": 0, "talk_seconds": 95}
    assert _made(client, company) == (1, 1, 1)  # the call-back task is kept (nothing is lost) ...
    task = _get(client, company, f"/api/v1/tasks/{call['callback']['task_id']}")
    assert (task["status"], task["done_by"], task["version"]) == ("done", pbx["id"], 3)  # ... and closed by the line
    note = task["description"].splitlines()
    assert note[0].startswith("Пропущенный звонок ") and " в " in note[0]  # what it said stays
    assert note[-1].startswith("Звонок всё-таки был принят: оператор телефонии поздно сообщил о его завершении")  # noqa: RUF001
    assert note[-1].endswith("разговор 1:35); перезванивать не нужно.")
    assert [(e["action"], e["actor_id"]) for e in _task_audit(client, company, task["id"])] == [
        ("create", pbx["id"]), ("update", pbx["id"]), ("complete", pbx["id"])]  # the tasks service's own writes
    play(client, pbx, [end])  # repeated: changes nothing
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 1, "missed": 0, "talk_seconds": 95}
    assert _get(client, company, f"/api/v1/tasks/{task['id']}")["version"] == 3


def _task_audit(client: ApiClient, company: Company, task_id: str) -> list[dict[str, Any]]:
    """The task's audit records, oldest first."""
    records = _items(client, company, f"/api/v1/audit?entity=task&entity_id={task_id}")
    return sorted(records, key=lambda record: record["seq"])


def _person_changes(client: ApiClient, company: Company, task: dict[str, Any], how: str) -> None:
    token, path = company.owner.token, f"/api/v1/tasks/{task['id']}"
    if how == "done":
        answer = client.post(f"{path}/complete", {"version": task["version"]}, token=token)
    elif how == "edited":
        answer = client.patch(path, {"version": task["version"], "description": "Client asked to call on Monday"},
                              token=token)
    else:
        other = add_member(client, company, role="agent")
        answer = client.patch(path, {"version": task["version"], "assignee_id": other.user_id}, token=token)
    assert answer.status_code == 200, answer.body


@pytest.mark.parametrize("how", ["done", "edited", "reassigned"])
def test_a_late_answered_end_leaves_a_call_back_task_a_person_already_changed(
        client: ApiClient, company: Company, how: str) -> None:
    pbx = _pbx(client, company)
    start, ringing, _answer, end, _recording = _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=95))
    play(client, pbx, [start, ringing])
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    [closed] = calls(client, company, "?status=missed")
    task = _get(client, company, f"/api/v1/tasks/{closed['callback']['task_id']}")
    _person_changes(client, company, task, how)
    theirs = _get(client, company, f"/api/v1/tasks/{task['id']}")

    assert [a.status_code for a in play(client, pbx, [end])] == [200]
    assert _get(client, company, f"/api/v1/calls/{closed['id']}")["status"] == "answered"  # the call is corrected
    assert _get(client, company, f"/api/v1/tasks/{task['id']}") == theirs  # the task is as the person left it


def test_a_call_back_task_whose_closing_failed_is_closed_by_the_events_retry(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.inbox import pipeline

    pbx = _pbx(client, company)
    start, ringing, _answer, end, _recording = _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=95))
    play(client, pbx, [start, ringing])
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    [closed] = calls(client, company, "?status=missed")
    real = tasks_service.set_done

    def throttled(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the task's completion was throttled")  # after the call's correction and the task's note

    monkeypatch.setattr(tasks_service, "set_done", throttled)
    play(client, pbx, [end])
    assert _get(client, company, f"/api/v1/calls/{closed['id']}")["status"] == "answered"
    task_path = f"/api/v1/tasks/{closed['callback']['task_id']}"
    assert _get(client, company, task_path)["status"] == "open"
    monkeypatch.setattr(tasks_service, "set_done", real)
    assert _run(pipeline.MAX_DELAY + timedelta(minutes=5), company, kinds=frozenset({pipeline.RETRY_KIND})) == {
        "processed": 1}
    task = _get(client, company, task_path)
    assert (task["status"], task["version"]) == ("done", 3)
    assert task["description"].count("Звонок всё-таки был принят") == 1  # noted once
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 1, "missed": 0, "talk_seconds": 95}


def test_an_answered_call_without_its_end_is_closed_after_hours_with_its_talk_time_unknown(
        client: ApiClient, company: Company) -> None:
    pbx = _pbx(client, company)
    start, ringing, answer, end, _recording = _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=42))
    play(client, pbx, [start, ringing, answer])
    [talking] = calls(client, company)
    assert talking["status"] == "in_progress" and talking["contact_id"]  # made once answered
    assert _run(timedelta(minutes=11), company) == {"waiting": 1}  # answered: moved on to 4 h after the answer
    assert _run(timedelta(hours=3, minutes=50), company) == {}  # a long talk
    assert _run(timedelta(hours=4, minutes=1), company) == {"closed": 1}
    call = _get(client, company, f"/api/v1/calls/{talking['id']}")
    assert (call["status"], call["end_reason"], call["duration_seconds"]) == ("answered", "no_end_reported", None)
    assert call["callback"]["task_id"] is None  # answered: nobody to call back
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 1, "missed": 0, "talk_seconds": 0}
    assert _made(client, company) == (1, 1, 0)
    play(client, pbx, [end])  # the provider's end, hours late: its talk time counts now
    ended = _get(client, company, f"/api/v1/calls/{talking['id']}")
    assert (ended["status"], ended["end_reason"], ended["duration_seconds"]) == ("answered", None, 42)
    assert _inbound_stats(client, company) == {"calls": 1, "answered": 1, "missed": 0, "talk_seconds": 42}
    assert _made(client, company) == (1, 1, 0)


def test_a_call_that_hears_from_its_provider_again_waits_from_its_last_event(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    pbx = _pbx(client, company)
    start, ringing, _end = _events(pbx, "missed", Call(customer=CUSTOMER))
    play(client, pbx, [start])
    first = db.utcnow()
    with frozen(monkeypatch, first + timedelta(minutes=8)):  # a ring group's next extension, 8 min on
        play(client, pbx, [ringing])
    assert _run(timedelta(minutes=11), company, start=first) == {"waiting": 1}  # silent only 3 minutes: moved on
    [call] = calls(client, company)
    assert call["status"] == "ringing"
    assert _run(timedelta(minutes=19), company, start=first) == {"closed": 1}


def test_a_retried_firing_makes_nothing_twice(client: ApiClient, company: Company,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pbx = _pbx(client, company)
    *rang, _end = _events(pbx, "missed", Call(customer=CUSTOMER))
    play(client, pbx, rang)
    real = tasks_service.create

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the call-back task's write failed")  # after the contact and its lead deal are made

    monkeypatch.setattr(tasks_service, "create", refused)
    assert _run(timedelta(minutes=11), company) == {"error": 1}
    [call] = calls(client, company)
    assert call["status"] == "ringing"  # the end is written whole or not at all
    assert _made(client, company) == (1, 1, 0)  # what it made is checkpointed on its timer
    monkeypatch.setattr(tasks_service, "create", real)
    assert _run(timedelta(minutes=30), company) == {"closed": 1}  # past the retry's pause
    closed = _get(client, company, f"/api/v1/calls/{call['id']}")
    assert closed["status"] == "missed" and closed["callback"]["task_id"]
    assert _made(client, company) == (1, 1, 1)
    assert _inbound_stats(client, company)["missed"] == 1
    # A timer fired again (its deletion lost): the call has ended, nothing is written.
    stale = due.timer(_ctx(company), kind=unended.KIND, ref=call["id"], due_at=db.utcnow(),
                      payload={"call_id": call["id"]})
    with _bound(company):
        assert unended.fire(_ctx(company), stale) == "ended"
    assert _made(client, company) == (1, 1, 1) and _inbound_stats(client, company)["missed"] == 1


def test_another_companys_calls_are_untouched(client: ApiClient, company: Company,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    other = signup(client, company="Busy Line", country="RU", locale="ru")
    same = Call(customer=CUSTOMER)  # the same provider call id and number in both companies
    pbx = _pbx(client, company)
    past = db.utcnow() - timedelta(minutes=20)
    with frozen(monkeypatch, past):  # this company's call went silent 20 minutes ago
        play(client, pbx, _events(pbx, "missed", same)[:-1])
    theirs = _pbx(client, other)
    play(client, theirs, _events(theirs, "missed", same)[:-1])  # theirs rings now
    [listed] = calls(client, other)
    before = _get(client, other, f"/api/v1/calls/{listed['id']}")
    assert _run(timedelta(minutes=1), company, other) == {"closed": 1}
    assert [c["status"] for c in calls(client, company)] == ["missed"]
    assert _made(client, company) == (1, 1, 1)
    after = _get(client, other, f"/api/v1/calls/{listed['id']}")
    assert after == before and after["status"] == "ringing"  # not a field of it changed
    assert _made(client, other) == (0, 0, 0)


def test_a_late_answered_end_closes_only_its_own_companys_call_back_task(
        client: ApiClient, company: Company) -> None:
    other = signup(client, company="Busy Line", country="RU", locale="ru")
    same = Call(customer=CUSTOMER, talk_seconds=40)  # the same provider call id and number in both companies
    ours, theirs = _pbx(client, company), _pbx(client, other)
    start, ringing, _answer, end, _recording = _events(ours, "answered", same)
    play(client, ours, [start, ringing])
    play(client, theirs, _events(theirs, "answered", same)[:2])
    assert _run(timedelta(minutes=11), company, other) == {"closed": 2}
    [their_call] = calls(client, other)
    their_task = _get(client, other, f"/api/v1/tasks/{their_call['callback']['task_id']}")

    play(client, ours, [end])  # only this company's line reports the end
    [our_call] = calls(client, company)
    assert _get(client, company, f"/api/v1/tasks/{our_call['callback']['task_id']}")["status"] == "done"
    assert _get(client, other, f"/api/v1/calls/{their_call['id']}")["status"] == "missed"
    assert _get(client, other, f"/api/v1/tasks/{their_task['id']}") == their_task  # not a field of it changed


def _ctx(company: Company) -> Any:
    from chalicelib.core.tenancy import TenantContext

    return TenantContext(tenant_id=company.tenant_id, actor_id="scheduler", actor_kind="system", role="system",
                         source="job")


def _bound(company: Company) -> Any:
    from chalicelib.core import tenancy

    return tenancy.bind(_ctx(company))


def test_the_closed_call_rings_the_bell_and_counts_in_the_reports_as_a_missed_one(
        client: ApiClient, company: Company) -> None:
    from tests.events.conftest import open_feed

    pbx = _pbx(client, company)
    with open_feed() as feed:
        play(client, pbx, _events(pbx, "missed", Call(customer=CUSTOMER))[:-1])
        assert _run(timedelta(minutes=11), company) == {"closed": 1}
        assert feed.deliver() == {"batchItemFailures": []}
    [call] = calls(client, company)
    bell = _items(client, company, "/api/v1/notifications")
    assert [(n["type"], n["title"], n["subject"]["id"]) for n in bell if n["type"] == "call.missed"] == [
        ("call.missed", SHOWN, call["id"])]
    report = _items(client, company, "/api/v1/reports/communications")
    assert [(r["channel"], r["direction"], r["calls"], r["missed"]) for r in report] == [("call", "inbound", 1, 1)]


def test_a_late_answered_end_marks_the_missed_call_notification_read_and_keeps_it(
        client: ApiClient, company: Company) -> None:
    from tests.events.conftest import open_feed

    pbx = _pbx(client, company)
    start, ringing, _answer, end, _recording = _events(pbx, "answered", Call(customer=CUSTOMER, talk_seconds=95))
    with open_feed() as feed:
        play(client, pbx, [start, ringing])
        assert _run(timedelta(minutes=11), company) == {"closed": 1}
        assert feed.deliver() == {"batchItemFailures": []}
        bell = _get(client, company, "/api/v1/notifications")
        [missed] = [n for n in bell["items"] if n["type"] == "call.missed"]
        assert not missed["read"] and bell["unread"] >= 1
        play(client, pbx, [end])  # the provider's end, late: the call was answered
        assert feed.deliver() == {"batchItemFailures": []}
        assert feed.deliver() == {"batchItemFailures": []}  # nothing more (and nothing again)
    after = _get(client, company, "/api/v1/notifications")
    [kept] = [n for n in after["items"] if n["id"] == missed["id"]]
    assert kept["read"] and kept["read_at"]  # kept (the list says what the bell said then), no longer counted
    assert after["unread"] == bell["unread"] - 1


def test_a_click_to_call_its_provider_never_reports_ends_too(client: ApiClient, company: Company) -> None:
    line = create_telephony(client, company, "zadarma", extensions={"100": company.owner.user_id})
    dialled = client.post("/api/v1/calls", {"integration_id": line["id"], "number": CUSTOMER},
                          token=company.owner.token)
    assert dialled.status_code == 202, dialled.body
    call_id = body(dialled)["id"]
    assert _get(client, company, f"/api/v1/calls/{call_id}")["status"] == "ringing"
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    call = _get(client, company, f"/api/v1/calls/{call_id}")
    assert (call["direction"], call["status"], call["end_reason"]) == ("outbound", "missed", "no_end_reported")
    assert call["callback"]["task_id"] is None  # nobody to call back: the business called


def test_a_company_at_its_contacts_limit_still_has_the_call_closed_and_a_call_back_task(
        client: ApiClient, company: Company) -> None:
    from tests.billing import helpers

    pbx = _pbx(client, company)
    play(client, pbx, _events(pbx, "missed", Call(customer=CUSTOMER))[:-1])
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for the newcomer
    assert _run(timedelta(minutes=11), company) == {"closed": 1}
    [call] = calls(client, company)
    assert (call["status"], call["end_reason"], call["contact_id"]) == ("missed", "no_end_reported", None)
    assert call["contact_skipped"] == "plan_limit"  # the calls screen says why it has no contact
    task = _get(client, company, f"/api/v1/tasks/{call['callback']['task_id']}")
    assert task["title"] == f"Перезвонить {SHOWN}" and task["related"] is None
    assert "достигнут лимит контактов вашего тарифа" in task["description"]
    assert _made(client, company) == (0, 0, 1)
