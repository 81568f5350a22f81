"""Automations: rules made through the API, run by the domain-event feed (moto's stream records through
app.domain_events) once per event, as the rule (audited with its id as actor), within the loop bound; the run log;
webhooks signed per Standard Webhooks and retried."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.automations import actions
from chalicelib.channels import transport
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.due import service as due
from tests.deals.helpers import frozen
from tests.events.conftest import Feed
from tests.factories import Company, add_member, outbox, signup
from tests.support import ApiClient, body


def _stage(client: ApiClient, token: str, name: str) -> tuple[str, str]:
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    return pipeline["id"], next(stage["id"] for stage in pipeline["stages"] if stage["name"] == name)


def _rule(client: ApiClient, company: Company, **shape: Any) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": "Rule", **shape}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _runs(client: ApiClient, company: Company, rule: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"])


def test_a_deal_entering_a_stage_gets_a_task_when_its_conditions_hold_once(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Stage rules")
    owner = company.owner.token
    pipeline_id, proposal = _stage(client, owner, "Proposal")
    rule = _rule(client, company, trigger={"type": "deal.stage_entered", "pipeline_id": pipeline_id,
                                           "stage_id": proposal},
                 conditions=[{"field": "amount_minor", "op": "gte", "value": 1000_00}],
                 actions=[{"type": "create_task", "title": "Send the offer for {title}", "due_in_minutes": 120}])
    big = body(client.post("/api/v1/deals", {"title": "Big kitchen", "amount": {"minor": 5000_00, "currency": "USD"}},
                           token=owner))
    small = body(client.post("/api/v1/deals", {"title": "Small shelf", "amount": {"minor": 50_00, "currency": "USD"}},
                             token=owner))
    for deal in (big, small):
        client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": proposal, "version": deal["version"]},
                    token=owner)
    assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)  # again: nothing runs twice
    tasks = body(client.get("/api/v1/tasks?view=all", token=owner))["items"]
    assert [(t["title"], t["related"]["id"]) for t in tasks] == [("Send the offer for Big kitchen", big["id"])]
    runs = _runs(client, company, rule)
    assert [(r["status"], r["subject"], [s["status"] for s in r["steps"]]) for r in runs] == [
        ("done", {"type": "deal", "id": big["id"]}, ["done"])]
    step = runs[0]["steps"][0]  # the web app words the code and links the task; detail stays the API's English
    assert (step["code"], step["params"], step["detail"]) == ("task_created", {"task_id": tasks[0]["id"]},
                                                              f"task {tasks[0]['id']}")
    trail = body(client.get(f"/api/v1/audit?entity=task&entity_id={tasks[0]['id']}", token=owner))["items"]
    assert trail[0]["actor_id"] == rule["id"] and trail[0]["actor_kind"] == "automation"


def test_own_changes_trigger_rules_only_to_a_bounded_depth(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Loops")
    owner = company.owner.token
    rule = _rule(client, company, trigger={"type": "record.updated", "entity": "contact", "fields": ["tags"]},
                 actions=[{"type": "set_field", "field": "source", "value": "looped"},
                          {"type": "tag", "add": ["again"]}])
    contact = body(client.post("/api/v1/contacts", {"first_name": "Lena"}, token=owner))
    client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "tags": ["start"]},
                 token=owner)
    for _ in range(6):  # each delivery carries what the last one's runs wrote
        feed.deliver()
    runs = _runs(client, company, rule)
    assert 1 <= len(runs) <= 3 and max(r["depth"] for r in runs) < 3


def test_assign_round_robin_and_notify_the_new_owner(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Round robin")
    first = add_member(client, company, role="agent", name="first")
    second = add_member(client, company, role="agent", name="second")
    _rule(client, company, trigger={"type": "record.created", "entity": "deal"},
          actions=[{"type": "assign", "assignee": "round_robin", "users": [first.user_id, second.user_id]},
                   {"type": "notify", "users": ["owner"], "text": "A new deal for you"}])
    deals = [body(client.post("/api/v1/deals", {"title": f"Lead {n}"}, token=company.owner.token)) for n in range(3)]
    feed.deliver()
    owners = [body(client.get(f"/api/v1/deals/{d['id']}", token=company.owner.token))["deal"]["owner_id"]
              for d in deals]
    assert owners == [first.user_id, second.user_id, first.user_id]
    told = body(client.get("/api/v1/notifications", token=first.token))["items"]
    assert {n["title"] for n in told if n["type"] == "automation"} == {"A new deal for you"}


def test_a_webhook_is_signed_per_standard_webhooks_and_retried(client: ApiClient, feed: Feed,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Hooks")
    rule = _rule(client, company, trigger={"type": "deal.won"},
                 actions=[{"type": "webhook", "url": "https://erp.example.com/crm"}])
    secret = rule["webhook_secret"]
    assert secret.startswith("whsec_")
    shown = body(client.get(f"/api/v1/automations/{rule['id']}", token=company.owner.token))
    assert shown["webhook_secret"] is None  # shown once, when made
    answers = [transport.Answer(503), transport.Answer(204)]
    monkeypatch.setitem(transport._RESPONDERS, actions.WEBHOOK_PROVIDER, lambda request: answers.pop(0))
    transport.clear_sandbox()
    _, won = _stage(client, company.owner.token, "Won")
    deal = body(client.post("/api/v1/deals", {"title": "Won deal", "stage_id": won}, token=company.owner.token))
    feed.deliver()
    run = _runs(client, company, rule)[0]
    assert run["status"] == "retrying" and run["steps"][0]["attempts"] == 1
    assert (run["steps"][0]["code"], run["steps"][0]["params"]) == ("webhook_failed", {"status": 503})
    due.run_due(now=datetime.now(UTC) + timedelta(minutes=2))
    run = _runs(client, company, rule)[0]
    assert (run["status"], run["steps"][0]["attempts"], run["steps"][0]["detail"]) == ("done", 2, "delivered (204)")
    assert (run["steps"][0]["code"], run["steps"][0]["params"]) == ("webhook_delivered", {"status": 204})
    sent = transport.sandbox_requests(actions.WEBHOOK_PROVIDER)
    assert len(sent) == 2 and sent[0]["headers"]["webhook-id"] == sent[1]["headers"]["webhook-id"]
    request = sent[1]
    assert f'"id":"{deal["id"]}"' in request["body"] and request["headers"]["webhook-signature"] == "***"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request['headers']['webhook-id']}.{request['headers']['webhook-timestamp']}.{request['body']}"
    expected = "v1," + base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).decode()
    assert actions.signature(secret, request["headers"]["webhook-id"], int(request["headers"]["webhook-timestamp"]),
                             request["body"].encode()) == expected


def test_rules_are_for_admins_and_bad_shapes_are_422(client: ApiClient) -> None:
    company = signup(client, company="Rule shapes")
    agent = add_member(client, company, role="agent", name="agent")
    shape = {"name": "X", "trigger": {"type": "record.created", "entity": "deal"},
             "actions": [{"type": "notify", "users": ["owner"]}]}
    assert client.post("/api/v1/automations", shape, token=agent.token).status_code == 403
    assert client.get("/api/v1/automations", token=agent.token).status_code == 403
    for bad in ({**shape, "trigger": {"type": "deal.exploded"}}, {**shape, "actions": []},
                {**shape, "actions": [{"type": "webhook", "url": "ftp://x"}]},
                {**shape, "conditions": [{"field": "Bad Field", "op": "eq", "value": 1}]}):
        assert client.post("/api/v1/automations", bad, token=company.owner.token).status_code == 422
    made = _rule(client, company, **shape)
    off = client.patch(f"/api/v1/automations/{made['id']}", {"version": made["version"], "enabled": False},
                       token=company.owner.token)
    assert off.status_code == 200 and body(off)["enabled"] is False
    assert client.delete(f"/api/v1/automations/{made['id']}", token=company.owner.token).status_code == 204
    assert client.get(f"/api/v1/automations/{made['id']}", token=company.owner.token).status_code == 404


def test_a_deal_left_alone_for_days_gets_its_rule_once_and_a_touched_one_waits(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Idle deals")
    owner = company.owner.token
    rule = _rule(client, company, trigger={"type": "deal.idle", "days": 3},
                 actions=[{"type": "create_task", "title": "Wake {title} up", "due_in_minutes": 0}])
    quiet = body(client.post("/api/v1/deals", {"title": "Quiet deal"}, token=owner))
    busy = body(client.post("/api/v1/deals", {"title": "Busy deal"}, token=owner))
    feed.deliver()
    later = datetime.now(UTC) + timedelta(days=2)
    due.run_due(now=later)  # not yet
    assert _runs(client, company, rule) == []
    with frozen(monkeypatch, later):  # touched two days on
        client.patch(f"/api/v1/deals/{busy['id']}", {"version": busy["version"], "title": "Busy deal, touched"},
                     token=owner)
    feed.deliver()
    due.run_due(now=datetime.now(UTC) + timedelta(days=3, minutes=1))
    runs = _runs(client, company, rule)
    assert [(r["subject"]["id"], r["status"]) for r in runs] == [(quiet["id"], "done")]
    due.run_due(now=datetime.now(UTC) + timedelta(days=3, minutes=2))
    assert len(_runs(client, company, rule)) == 1


def test_a_birthday_reminds_every_year_at_the_hour_asked(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Birthdays", timezone="Europe/Berlin")
    owner = company.owner.token
    rule = _rule(client, company, trigger={"type": "date.reached", "entity": "contact", "field": "birthday",
                                           "at": "09:00", "yearly": True},
                 actions=[{"type": "notify", "users": ["owner"], "text": "Birthday today"}])
    soon = datetime.now(UTC) + timedelta(days=10)
    contact = body(client.post("/api/v1/contacts", {"first_name": "Vera", "birthday": soon.date().replace(
        year=1990).isoformat()}, token=owner))
    feed.deliver()
    ctx = TenantContext(tenant_id=company.tenant_id)
    ref = f"{rule['id']}.{contact['id']}"
    with bind(ctx):
        timer = due.get_timer(ctx, kind="automation.wait", ref=ref)
    assert timer is not None
    at_nine = datetime.combine(soon.date(), time(9), tzinfo=ZoneInfo("Europe/Berlin"))
    assert timer.due_at == at_nine  # 09:00 on the company's clock
    due.run_due(now=at_nine - timedelta(minutes=1))
    assert _runs(client, company, rule) == []
    due.run_due(now=at_nine + timedelta(minutes=1))
    runs = _runs(client, company, rule)
    assert [(r["subject"], r["status"]) for r in runs] == [({"type": "contact", "id": contact["id"]}, "done")]
    told = body(client.get("/api/v1/notifications", token=owner))["items"]
    assert [n["title"] for n in told if n["type"] == "automation"] == ["Birthday today"]
    with bind(ctx):
        following = due.get_timer(ctx, kind="automation.wait", ref=ref)
    assert following is not None and following.due_at.year == soon.year + 1  # next year's is set


def test_every_new_company_gets_the_birthday_greeting_switched_off(client: ApiClient) -> None:
    english = signup(client, company="Starter")
    (rule,) = body(client.get("/api/v1/automations", token=english.owner.token))["items"]
    assert (rule["name"], rule["enabled"], rule["trigger"]["field"], rule["actions"][0]["type"]) == (
        "Birthday greeting", False, "birthday", "create_task")
    russian = signup(client, company="Стартер", locale="ru")
    (rule,) = body(client.get("/api/v1/automations", token=russian.owner.token))["items"]
    assert rule["name"] == "Поздравление с днём рождения"  # noqa: RUF001


def test_an_email_goes_only_to_a_customer_who_agreed(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Mailing rules")
    owner = company.owner.token
    rule = _rule(client, company, trigger={"type": "record.created", "entity": "contact"},
                 actions=[{"type": "send_email", "subject": "Welcome, {name}", "text": "Thank you, {name}."}])
    # addresses of this test alone: the embedded SES keeps every message of the worker's earlier tests
    anna, boris = "anna.agreed@mailing-rules.test", "boris.silent@mailing-rules.test"
    agreed = body(client.post("/api/v1/contacts", {"first_name": "Anna", "emails": [{"address": anna}],
                                                   "consent": {"marketing": True}}, token=owner))
    body(client.post("/api/v1/contacts", {"first_name": "Boris", "emails": [{"address": boris}]}, token=owner))
    feed.deliver()
    assert [m.subject for m in outbox(anna)] == ["Welcome, Anna"]
    assert outbox(boris) == []
    runs = {r["subject"]["id"]: r["steps"][0] for r in _runs(client, company, rule)}
    assert (runs[agreed["id"]]["status"], runs[agreed["id"]]["code"]) == ("done", "emailed")
    assert [(s["detail"], s["code"]) for i, s in runs.items() if i != agreed["id"]] == [
        ("the contact has not agreed to e-mails (consent)", "no_consent")]


def test_a_task_overdue_by_an_hour_runs_its_rule_then_and_not_when_done(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Late by an hour")
    owner = company.owner.token
    rule = _rule(client, company, trigger={"type": "task.overdue", "minutes": 60},
                 actions=[{"type": "notify", "users": ["owner"], "text": "An hour late"}])
    due_at = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
    late = body(client.post("/api/v1/tasks", {"title": "Late one", "due_at": due_at.isoformat()}, token=owner))
    done = body(client.post("/api/v1/tasks", {"title": "Done one", "due_at": due_at.isoformat()}, token=owner))
    client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]}, token=owner)
    feed.deliver()
    due.run_due(now=due_at + timedelta(minutes=30))
    assert _runs(client, company, rule) == []  # overdue, not yet by an hour
    due.run_due(now=due_at + timedelta(minutes=61))
    assert [(r["subject"]["id"], r["status"]) for r in _runs(client, company, rule)] == [(late["id"], "done")]
