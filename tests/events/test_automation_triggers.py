"""The triggers and the action the issue's walk found untested (#19): deal.stage_left, deal.lost, lead.received
(from a website form), call.missed and move_deal, through the feed, each run once; a rule's move is itself an event
that runs the rules on it, one level deeper."""

from __future__ import annotations

from typing import Any

from tests.events.conftest import Feed
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, post_form
from tests.support import ApiClient, body
from tests.telephony.kit import make_call


def _stage(client: ApiClient, token: str, name: str) -> tuple[str, str]:
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    return pipeline["id"], next(stage["id"] for stage in pipeline["stages"] if stage["name"] == name)


def _rule(client: ApiClient, company: Company, name: str, **shape: Any) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": name, **shape}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _task(title: str) -> list[dict[str, Any]]:
    return [{"type": "create_task", "title": title, "due_in_minutes": 30}]


def test_stage_left_lost_lead_received_and_move_deal(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="More triggers")
    owner = company.owner.token
    pipeline_id, new = _stage(client, owner, "New")
    _, proposal = _stage(client, owner, "Proposal")
    _, lost = _stage(client, owner, "Lost")
    _rule(client, company, "Hot to proposal", trigger={"type": "record.created", "entity": "deal"},
          conditions=[{"field": "title", "op": "contains", "value": "hot"}],
          actions=[{"type": "move_deal", "stage_id": proposal}])
    _rule(client, company, "Left new", trigger={"type": "deal.stage_left", "pipeline_id": pipeline_id,
                                                "stage_id": new}, actions=_task("Left New: {title}"))
    _rule(client, company, "Lost", trigger={"type": "deal.lost", "pipeline_id": pipeline_id},
          actions=_task("Ask why {title} was lost"))
    _rule(client, company, "Form lead", trigger={"type": "lead.received", "channel": "form"},
          actions=_task("Call {title} back"))
    _rule(client, company, "Call lead", trigger={"type": "lead.received", "channel": "call"}, actions=_task("Never"))

    hot = body(client.post("/api/v1/deals", {"title": "Hot kitchen"}, token=owner))
    cold = body(client.post("/api/v1/deals", {"title": "Cold shelf"}, token=owner))
    moved = client.post(f"/api/v1/deals/{cold['id']}/move", {"stage_id": lost, "version": cold["version"],
                                                             "lost_reason": "Price"}, token=owner)
    assert moved.status_code == 200, moved.body
    form = create_form(client, company)
    assert post_form(client, form, {"name": "Lena Lead", "phone": "+12025550199"}).status_code == 200
    for _ in range(3):  # the rule's move is an event of its own, delivered in the next batch
        assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)  # everything again: nothing runs twice

    deal = body(client.get(f"/api/v1/deals/{hot['id']}", token=owner))
    assert deal["deal"]["stage_id"] == proposal, deal  # move_deal, as the rule
    tasks = body(client.get("/api/v1/tasks?view=all&limit=100", token=owner))["items"]
    titles = sorted(task["title"] for task in tasks)
    assert [t for t in titles if not t.startswith("Call ")] == [
        "Ask why Cold shelf was lost", "Left New: Cold shelf", "Left New: Hot kitchen"]
    assert "Call Lena Lead back" in titles and "Never" not in titles


def test_a_missed_call_runs_its_rule_once(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Missed call rules")
    rule = _rule(client, company, "Call back", trigger={"type": "call.missed"}, actions=_task("Call back"))
    make_call(client, company.owner.token, customer="+79161234568")
    assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)
    runs = body(client.get(f"/api/v1/automations/{rule['id']}/runs", token=company.owner.token))["items"]
    assert [(run["trigger_type"], run["status"]) for run in runs] == [("call.missed", "done")]
    tasks = body(client.get("/api/v1/tasks?view=all", token=company.owner.token))["items"]
    assert [task["title"] for task in tasks].count("Call back") == 1  # beside telephony's own call-back task
