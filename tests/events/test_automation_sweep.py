"""A waiting rule switched on reaches the records already there (automations.sweep): the birthday greeting switched
on after the clients were imported greets them on the day; a reminder rule made after the visits were booked
reminds them; a rule switched off and on again sends nothing twice; a sweep walks page after page and stops when
its rule is switched off or given another trigger; an idle-deal rule finds the open deals; another company's
records are never touched."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.automations import sweep
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.due import service as due
from chalicelib.due.models import DueState, DueTimer
from tests.deals.helpers import frozen
from tests.events.conftest import Feed
from tests.factories import Company, signup
from tests.messaging.kit import make_conversation, thread
from tests.support import ApiClient, body

MOSCOW = ZoneInfo("Europe/Moscow")
SWEEP = frozenset({"automation.sweep"})


def _rules(client: ApiClient, company: Company) -> list[dict[str, Any]]:
    return list(body(client.get("/api/v1/automations", token=company.owner.token))["items"])


def _rule(client: ApiClient, company: Company, **shape: Any) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": "Rule", **shape}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _switch(client: ApiClient, company: Company, rule: dict[str, Any], **change: Any) -> dict[str, Any]:
    answer = client.patch(f"/api/v1/automations/{rule['id']}", {"version": rule["version"], **change},
                          token=company.owner.token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def _runs(client: ApiClient, company: Company, rule: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"])


def _sweep_timer(company: Company, rule: dict[str, Any]) -> DueTimer | None:
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        return due.get_timer(ctx, kind="automation.sweep", ref=rule["id"])


def _sweep(company: Company, rule: dict[str, Any], *, firings: int = 30) -> dict[str, int]:
    """Run the due sweeps until the rule's is done; what its firings answered."""
    said: dict[str, int] = {}
    DueState(due.STATE_PK, due.STATE_SK).delete()  # a run at a later moment moved the bookmark on: time goes back
    for _ in range(firings):
        if _sweep_timer(company, rule) is None:
            return said
        due.run_due(now=datetime.now(UTC) + timedelta(seconds=1), kinds=SWEEP, outcomes=said)
    raise AssertionError(f"the sweep did not end: {said}")


def _waits(company: Company) -> dict[str, DueTimer]:
    """The company's automations' waiting timers by record id."""
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        found = DueTimer.query(due.timers_pk(ctx), DueTimer.sk.startswith("automation.wait#"))
        return {str(item.ref).split(".", 1)[1]: item for item in found}


def _day_ahead(days: int) -> date:
    return datetime.now(UTC).astimezone(MOSCOW).date() + timedelta(days=days)


def _born(day: date) -> str:
    return day.replace(year=1992).isoformat()  # a leap year: the 29th of February too


def test_the_birthday_greeting_switched_on_after_an_import_greets_on_the_day(client: ApiClient, feed: Feed) -> None:
    salon = signup(client, company="Салон импорт", locale="ru", country="RU", timezone="Europe/Moscow")
    owner = salon.owner.token
    day = _day_ahead(10)
    veronika = body(client.post("/api/v1/contacts", {"first_name": "Вероника", "birthday": _born(day)}, token=owner))
    body(client.post("/api/v1/contacts", {"first_name": "Без даты"}, token=owner))
    feed.deliver()  # the starter greeting is off: nothing waits
    (greeting,) = _rules(client, salon)
    assert greeting["enabled"] is False and _waits(salon) == {}
    greeting = _switch(client, salon, greeting, enabled=True)
    feed.deliver()
    assert _sweep(salon, greeting) == {"swept": 1}
    waits = _waits(salon)
    at_ten = datetime.combine(day, time(10), tzinfo=MOSCOW)
    assert list(waits) == [veronika["id"]] and waits[veronika["id"]].due_at == at_ten
    due.run_due(now=at_ten - timedelta(minutes=1))
    assert _runs(client, salon, greeting) == []
    due.run_due(now=at_ten + timedelta(minutes=1))
    runs = _runs(client, salon, greeting)
    assert [(r["subject"], r["status"]) for r in runs] == [({"type": "contact", "id": veronika["id"]}, "done")]
    assert runs[0]["steps"][0]["code"] == "task_created"


def _salon(client: ApiClient, name: str) -> tuple[Company, dict[str, Any], dict[str, Any]]:
    """A Russian salon with a client who wrote on WhatsApp just now, and her conversation."""
    company = signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")
    conversation = make_conversation(client, company.owner.token, customer="+79161237788")
    return company, {"id": conversation["contact_id"]}, conversation


def _visit(client: ApiClient, company: Company, due_at: datetime, contact_id: str) -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": "стрижка", "kind": "meeting", "due_at": due_at.isoformat(),
                                         "related": {"type": "contact", "id": contact_id}}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def test_a_reminder_rule_made_after_the_bookings_reminds_them_and_off_and_on_sends_nothing_twice(
        client: ApiClient, feed: Feed) -> None:
    company, contact, conversation = _salon(client, "Салон записи")
    two_days = datetime.combine(_day_ahead(2), time(14), tzinfo=MOSCOW).astimezone(UTC)
    visit = _visit(client, company, two_days, contact["id"])
    _visit(client, company, datetime.now(UTC) - timedelta(hours=1), contact["id"])  # begun: never reminded
    feed.deliver()
    rule = _rule(client, company, trigger={"type": "task.due_soon", "minutes_before": 1440},
                 actions=[{"type": "send_message", "text": "Напоминаем: {when} {task}"}])
    _sweep(company, rule)
    assert list(_waits(company)) == [visit["id"]]
    remind_at = two_days - timedelta(days=1)
    assert _waits(company)[visit["id"]].due_at == remind_at
    due.run_due(now=remind_at + timedelta(minutes=1))
    sent = [m for m in thread(client, company, conversation["id"]) if m["direction"] == "out"]
    assert [m["text"] for m in sent] == ["Напоминаем: завтра в 14:00 стрижка"]
    rule = _switch(client, company, rule, enabled=False)
    rule = _switch(client, company, rule, enabled=True)
    feed.deliver()
    _sweep(company, rule)
    assert list(_waits(company)) == [visit["id"]]  # its timer armed again in its place, one per rule and task
    due.run_due(now=remind_at + timedelta(minutes=5))
    assert len(_runs(client, company, rule)) == 1
    assert len([m for m in thread(client, company, conversation["id"]) if m["direction"] == "out"]) == 1


def test_a_sweep_walks_page_after_page_and_stops_when_switched_off_or_retriggered(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweep, "PAGE", 2)
    monkeypatch.setattr(sweep, "PAGES", 1)  # a page a firing
    shop = signup(client, company="Pages", timezone="Europe/Moscow")
    other = signup(client, company="Next door")
    day = _day_ahead(20)
    made = [body(client.post("/api/v1/contacts", {"first_name": f"Client {n}", "birthday": _born(day)},
                             token=shop.owner.token))["id"] for n in range(5)]
    body(client.post("/api/v1/contacts", {"first_name": "Not theirs", "birthday": _born(day)},
                     token=other.owner.token))
    feed.deliver()
    (greeting,) = _rules(client, shop)
    greeting = _switch(client, shop, greeting, enabled=True)
    said = _sweep(shop, greeting)
    assert said == {"paged": 2, "swept": 1}  # 2 + 2 + 1 contacts, a page a firing
    assert sorted(_waits(shop)) == sorted(made)
    assert _waits(other) == {}  # the other company's contact: its own greeting is off, and no sweep reads it

    greeting = _switch(client, shop, greeting, trigger={**greeting["trigger"], "at": "12:00"})  # retriggered
    due.run_due(now=datetime.now(UTC) + timedelta(seconds=1), kinds=SWEEP)  # a firing a run: one page
    greeting = _switch(client, shop, greeting, enabled=False)
    stopped = _sweep(shop, greeting)
    assert stopped == {"stopped": 1}  # switched off: the rest of the walk is not done
    noon = datetime.combine(day, time(12), tzinfo=MOSCOW)
    assert len([timer for timer in _waits(shop).values() if timer.due_at == noon]) == 2  # its first page
    greeting = _switch(client, shop, greeting, enabled=True)  # on again: the walk is done whole
    _sweep(shop, greeting)
    assert all(timer.due_at == noon for timer in _waits(shop).values()) and len(_waits(shop)) == 5


def test_an_idle_deal_rule_finds_the_open_deals_already_there(client: ApiClient, feed: Feed,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Old deals")
    owner = company.owner.token
    week_ago = datetime.now(UTC) - timedelta(days=7)
    with frozen(monkeypatch, week_ago):
        quiet = body(client.post("/api/v1/deals", {"title": "Quiet deal"}, token=owner))
        won = body(client.post("/api/v1/deals", {"title": "Won deal"}, token=owner))
    pipeline = body(client.get("/api/v1/pipelines", token=owner))["items"][0]
    won_stage = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    moved = client.post(f"/api/v1/deals/{won['id']}/move", {"version": won["version"], "stage_id": won_stage},
                        token=owner)
    assert moved.status_code == 200, moved.body
    fresh = body(client.post("/api/v1/deals", {"title": "Fresh deal"}, token=owner))
    feed.deliver()
    rule = _rule(client, company, trigger={"type": "deal.idle", "days": 3},
                 actions=[{"type": "create_task", "title": "Wake {title} up", "due_in_minutes": 0}])
    _sweep(company, rule)
    assert sorted(_waits(company)) == sorted([quiet["id"], fresh["id"]])
    due.run_due(now=datetime.now(UTC) + timedelta(minutes=1))  # idle for a week: at once
    assert [(r["subject"]["id"], r["status"]) for r in _runs(client, company, rule)] == [(quiet["id"], "done")]
    rule = _switch(client, company, rule, enabled=False)
    rule = _switch(client, company, rule, enabled=True)
    _sweep(company, rule)
    due.run_due(now=datetime.now(UTC) + timedelta(minutes=2))
    assert len(_runs(client, company, rule)) == 1  # the same idle stretch runs once


def test_an_overdue_rule_finds_the_open_dated_tasks_and_a_page_fired_twice_arms_once(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweep, "PAGE", 1)
    monkeypatch.setattr(sweep, "PAGES", 1)
    company = signup(client, company="Late tasks", timezone="America/New_York")
    owner = company.owner.token
    now = datetime.now(UTC).replace(microsecond=0)

    def task(title: str, due_at: datetime | None) -> dict[str, Any]:
        made = client.post("/api/v1/tasks", {"title": title, **({"due_at": due_at.isoformat()} if due_at else {})},
                           token=owner)
        assert made.status_code == 201, made.body
        return dict(body(made))

    late = task("Call the supplier back", now - timedelta(hours=2))
    ahead = task("Send the quote", now + timedelta(hours=3))
    done = task("Done already", now - timedelta(hours=5))
    assert client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]},
                       token=owner).status_code == 200
    task("Some day", None)
    feed.deliver()
    rule = _rule(client, company, trigger={"type": "task.overdue", "minutes": 60},
                 actions=[{"type": "notify", "users": ["owner"], "text": "An hour late"}])
    first = _sweep_timer(company, rule)
    assert first is not None
    assert due.fire(first, datetime.now(UTC)) == "fired"
    assert due.fire(first, datetime.now(UTC)) == "fired"  # the same page again: its timers and next page once
    _sweep(company, rule)
    waits = _waits(company)
    assert {ref: timer.due_at for ref, timer in waits.items()} == {
        late["id"]: now - timedelta(hours=1), ahead["id"]: now + timedelta(hours=4)}
    due.run_due(now=datetime.now(UTC) + timedelta(minutes=1))  # overdue by more than an hour already: at once
    assert [(r["subject"]["id"], r["status"]) for r in _runs(client, company, rule)] == [(late["id"], "done")]


def test_a_firing_walks_several_pages(client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page a firing, a minute apart, made a 10,000-contact birthday rule take 100 minutes to reach everyone."""
    monkeypatch.setattr(sweep, "PAGE", 2)
    monkeypatch.setattr(sweep, "PAGES", 3)
    shop = signup(client, company="Several pages", timezone="Europe/Moscow")
    day = _day_ahead(20)
    made = [body(client.post("/api/v1/contacts", {"first_name": f"Client {n}", "birthday": _born(day)},
                             token=shop.owner.token))["id"] for n in range(7)]
    feed.deliver()
    (greeting,) = _rules(client, shop)
    greeting = _switch(client, shop, greeting, enabled=True)
    assert _sweep(shop, greeting) == {"paged": 1, "swept": 1}  # 6 contacts in the first firing, 1 in the next
    assert sorted(_waits(shop)) == sorted(made)
