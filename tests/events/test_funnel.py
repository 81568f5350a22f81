"""The funnel report on the counters (#19): per stage distinct deals reaching it (a return is no new entry),
conversion from the first stage and from the stage before, time in stage, value, won and lost, lost reasons;
once per event, within the caller's scope and field rules, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.events.conftest import Feed, frozen
from tests.factories import add_member, signup
from tests.support import ApiClient, body

DAY = datetime(2031, 6, 10, 12, 0, tzinfo=UTC)
JUNE = "from=2031-06-01&to=2031-06-30"




def _move(client: ApiClient, token: str, deal: dict[str, Any], stage: str, **extra: Any) -> dict[str, Any]:
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": stage, "version": deal["version"], **extra},
                        token=token)
    assert moved.status_code == 200, moved.body
    return dict(body(moved))


def test_the_funnel_counts_distinct_deals_time_in_stage_value_and_lost_reasons(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Funnel")
    agent = add_member(client, company, role="agent", name="agent")
    owner = company.owner.token
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Funnel", "stages": [
        {"name": "New"}, {"name": "Qualified"}, {"name": "Proposal"}, {"name": "Won", "kind": "won"},
        {"name": "Lost", "kind": "lost"}], "lost_reasons": ["Price"]}, token=owner))
    new, qualified, proposal, won, lost = (stage["id"] for stage in pipeline["stages"])
    with frozen(monkeypatch, DAY):
        deals = [body(client.post("/api/v1/deals", {
            "title": f"F{n}", "pipeline_id": pipeline["id"], "amount": {"minor": 1000 * (n + 1), "currency": "USD"},
            **({"owner_id": agent.user_id} if n == 3 else {})}, token=owner)) for n in range(4)]
    with frozen(monkeypatch, DAY + timedelta(days=1)):  # a day in New, then on
        moved = [_move(client, owner, deal, qualified) for deal in deals[:3]]
        back = _move(client, owner, moved[0], new)
    with frozen(monkeypatch, DAY + timedelta(days=1, hours=6)):
        _move(client, owner, back, qualified)  # a return to Qualified: no new entry
        _move(client, owner, moved[1], won)
        _move(client, owner, moved[2], lost, lost_reason="Price")
    assert feed.deliver() == {"batchItemFailures": []}

    report = body(client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&{JUNE}", token=owner))
    assert (report["from"], report["to"], report["currency"]) == ("2031-06-01", "2031-06-30", "USD")
    rows = {row["stage"]["id"]: row for row in report["stages"]}
    assert [row["stage"]["id"] for row in report["stages"]] == [new, qualified, proposal, won, lost]
    assert (rows[new]["entered"], rows[new]["conversion"], rows[new]["value"]) == (4, 1.0, 10_000)
    assert (rows[qualified]["entered"], rows[qualified]["conversion"], rows[qualified]["step_conversion"]) \
        == (3, 0.75, 0.75)
    assert rows[proposal]["entered"] == 0 and rows[won]["step_conversion"] is None  # nothing came from Proposal
    assert (rows[won]["entered"], rows[won]["won"], rows[won]["revenue"], rows[won]["conversion"]) \
        == (1, 1, 2000, 0.25)
    assert rows[lost]["lost"] == 1 and report["lost_reasons"] == [{"reason": "Price", "lost": 1}]
    # New was left four times (three after a day, one after six hours): the average of what left it
    assert rows[new]["left"] == 4 and rows[new]["avg_seconds_in_stage"] == (3 * 86_400 + 6 * 3_600) // 4

    feed.deliver(feed.delivered)  # redelivered: counted once
    again = body(client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&{JUNE}", token=owner))
    assert again == report
    mine = body(client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&{JUNE}", token=agent.token))
    assert [row["entered"] for row in mine["stages"]] == [1, 0, 0, 0, 0]  # the agent's own deal only
    day_after = body(client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&from=2031-06-11&to=2031-06-11",
                                token=owner))
    assert {row["stage"]["id"]: row["entered"] for row in day_after["stages"]}[new] == 0  # the return is no entry

    answer = client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&{JUNE}&format=csv", token=owner)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [(line["stage"], int(line["entered"])) for line in lines][:2] == [("New", 4), ("Qualified", 3)]
    bad = client.get("/api/v1/reports/funnel?from=2031-06-30&to=2031-06-01", token=owner)
    assert bad.status_code == 422
    assert client.get("/api/v1/reports/funnel?pipeline_id=01ARZ3NDEKTSV4RRFFQ69G5FAV", token=owner).status_code == 404


def test_a_lost_stage_has_no_stage_to_stage_conversion(client: ApiClient, feed: Feed,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # An English school's month: one parent paid, two were lost, each from wherever they were. The lost stage read
    # '200%' from the stage before it (the won stage), a figure nobody could make sense of; deals reach a lost stage
    # from any stage, so it has none, while the won stage keeps its step from the last open stage.
    company = signup(client, company="School", country="RU", timezone="Asia/Yekaterinburg")
    owner = company.owner.token
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Courses", "stages": [
        {"name": "New"}, {"name": "Trial booked"}, {"name": "Paid", "kind": "won"}, {"name": "Lost", "kind": "lost"}],
        "lost_reasons": ["Дорого", "Пропал"]}, token=owner))
    new, trial, paid, lost = (stage["id"] for stage in pipeline["stages"])
    with frozen(monkeypatch, DAY):
        deals = [body(client.post("/api/v1/deals", {"title": f"Lead {n}", "pipeline_id": pipeline["id"]},
                                  token=owner)) for n in range(3)]
    with frozen(monkeypatch, DAY + timedelta(hours=2)):
        booked = _move(client, owner, deals[0], trial)
        _move(client, owner, booked, paid)
        _move(client, owner, deals[1], lost, lost_reason="Дорого")
        _move(client, owner, deals[2], lost, lost_reason="Пропал")
    assert feed.deliver() == {"batchItemFailures": []}
    report = body(client.get(f"/api/v1/reports/funnel?pipeline_id={pipeline['id']}&{JUNE}", token=owner))
    rows = {row["stage"]["id"]: row for row in report["stages"]}
    assert [rows[stage]["entered"] for stage in (new, trial, paid, lost)] == [3, 1, 1, 2]
    assert rows[paid]["step_conversion"] == 1.0  # from Trial booked
    assert rows[lost]["step_conversion"] is None and rows[lost]["conversion"] == 0.6667
