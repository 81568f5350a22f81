"""The dashboard's task tiles (``GET /api/v1/reports/tasks``): overdue is an open task whose due time has passed,
today's included, as the Tasks screen marks it and as the managers report counts it; an owner and a manager count
what they may see (everyone's, the team's), an agent her own. A clinic owner saw 0 overdue while her desk had
overdue call-backs: the tile counted only her own tasks, and only those due before today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.due import service as due
from tests.deals.helpers import frozen, member, staffed_company
from tests.events.conftest import Feed, open_feed
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(params=["Europe/Moscow", "America/New_York"])
def zone(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def feed(app: Any) -> Iterator[Feed]:
    with open_feed() as opened:
        yield opened


def _noon_tomorrow(zone: str) -> datetime:
    """Noon of the company's next day: a clock on which some of today's tasks are past and some ahead."""
    local = datetime.now(UTC).astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return datetime.combine(local, time(12), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _task(client: ApiClient, company: Company, to: str, title: str, due_at: datetime) -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": title, "due_at": due_at.isoformat(),
                                         "assignee_id": member(company, to).user_id}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _tiles(client: ApiClient, company: Company, who: str) -> dict[str, Any]:
    answer = client.get("/api/v1/reports/tasks", token=member(company, who).token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def test_tiles_count_due_time_passed_and_whom_the_role_sees(client: ApiClient, zone: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    company = staffed_company(client, f"Clinic {zone}")
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    moved = client.patch("/api/v1/tenant", {"version": tenant["version"], "timezone": zone}, token=company.owner.token)
    assert moved.status_code == 200, moved.body
    noon = _noon_tomorrow(zone)
    with frozen(monkeypatch, noon):
        _task(client, company, "agent", "Call back this morning", noon - timedelta(hours=3))  # today, passed
        _task(client, company, "agent", "Call back yesterday", noon - timedelta(days=1))  # before today
        _task(client, company, "agent2", "Visit this afternoon", noon + timedelta(hours=3))  # today, ahead
        _task(client, company, "outsider", "Support call-back", noon - timedelta(hours=1))  # other team, passed
        _task(client, company, "agent", "Next week", noon + timedelta(days=7))  # neither
        done = _task(client, company, "agent", "Done this morning", noon - timedelta(hours=2))
        completed = client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]},
                                token=member(company, "agent").token)
        assert completed.status_code == 200, completed.body

        assert _tiles(client, company, "owner") == {"whose": "all", "today": 3, "overdue": 3}
        assert _tiles(client, company, "manager") == {"whose": "team", "today": 2, "overdue": 2}
        assert _tiles(client, company, "agent") == {"whose": "own", "today": 1, "overdue": 2}
        assert _tiles(client, company, "outsider") == {"whose": "own", "today": 1, "overdue": 1}


def test_the_tile_and_the_managers_report_count_the_same_overdue_task(client: ApiClient, feed: Feed,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    company = staffed_company(client, "Same overdue")
    due_at = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    _task(client, company, "agent", "Call back", due_at)
    feed.deliver()
    due.run_due(now=due_at + timedelta(minutes=1))  # its overdue timer: the managers report counts it
    with frozen(monkeypatch, due_at + timedelta(minutes=1)):
        tiles = _tiles(client, company, "owner")
        days = f"from={due_at.date() - timedelta(days=1)}&to={due_at.date() + timedelta(days=1)}"
        report = body(client.get(f"/api/v1/reports/managers?{days}", token=company.owner.token))
    agent = member(company, "agent").user_id
    assert tiles["overdue"] == 1
    assert {row["user_id"]: row["tasks_overdue"] for row in report["items"]}[agent] == 1
