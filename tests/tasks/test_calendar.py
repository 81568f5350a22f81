"""Tasks by day and in one's own calendar: a week of tasks on the company's clock (as amoCRM's and Pipedrive's
calendars draw them), and a secret address Google, Apple or Outlook calendars read a user's tasks from, once the
company allows it. A new address ends the old one; turning it off, deactivating its holder or the company stopping
feeds ends it too, and every such address answers the same 404 as a forged one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.deals.helpers import member, staffed_company
from tests.factories import Company, signup
from tests.support import ApiClient, body

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Calendar Florist", timezone="Europe/Moscow")


def _task(client: ApiClient, company: Company, title: str, due: datetime | None, *, to: str = "owner",
          **extra: Any) -> dict[str, Any]:
    made = client.post("/api/v1/tasks", {"title": title, "due_at": due.isoformat() if due else None,
                                         "assignee_id": member(company, to).user_id, **extra},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _monday() -> date:
    today = datetime.now(MOSCOW).date() + timedelta(days=14)  # a week ahead of today on any clock
    return today - timedelta(days=today.weekday())


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)


def _week(client: ApiClient, token: str, start: date, **params: Any) -> dict[str, Any]:
    extra = "".join(f"&{key}={value}" for key, value in params.items())
    answer = client.get(f"/api/v1/tasks/days?start={start.isoformat()}{extra}", token=token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def test_a_week_holds_the_tasks_of_its_days_on_the_companys_clock(client: ApiClient, company: Company) -> None:
    monday = _monday()
    sunday_night = _task(client, company, "Late delivery", _at(monday + timedelta(days=6), 23, 30))
    _task(client, company, "Next Monday", _at(monday + timedelta(days=7), 0, 0))  # the next week's first minute
    _task(client, company, "Sunday before", _at(monday - timedelta(days=1), 23, 59))
    first = _task(client, company, "Monday call", _at(monday, 9), kind="call")
    done = _task(client, company, "Wednesday visit", _at(monday + timedelta(days=2), 11))
    assert client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]},
                       token=company.owner.token).status_code == 200
    _task(client, company, "Someday", None)  # no day: in no week
    _task(client, company, "Agent's", _at(monday, 10), to="agent")

    week = _week(client, company.owner.token, monday)
    assert [task["title"] for task in week["items"]] == ["Monday call", "Wednesday visit", "Late delivery"]
    assert week["items"][1]["status"] == "done" and not week["truncated"]
    assert week["start"].startswith(f"{(monday - timedelta(days=1)).isoformat()}T21:00")  # Moscow's midnight in UTC
    assert week["items"][0]["id"] == first["id"] and week["items"][2]["id"] == sunday_night["id"]
    everyone = _week(client, company.owner.token, monday, everyone="true")
    assert [task["title"] for task in everyone["items"]] == ["Monday call", "Agent's", "Wednesday visit",
                                                            "Late delivery"]
    day = _week(client, company.owner.token, monday, days=1)
    assert [task["title"] for task in day["items"]] == ["Monday call"]


def test_a_week_shows_only_what_the_caller_may_read(client: ApiClient, company: Company) -> None:
    monday = _monday() + timedelta(days=28)
    _task(client, company, "Agent visit", _at(monday, 10), to="agent")
    _task(client, company, "Outsider visit", _at(monday, 11), to="outsider")  # another team's
    agent, manager = member(company, "agent"), member(company, "manager")
    assert [t["title"] for t in _week(client, agent.token, monday, everyone="true")["items"]] == ["Agent visit"]
    assert _week(client, agent.token, monday, assignee_id=member(company, "outsider").user_id)["items"] == []
    assert [t["title"] for t in _week(client, manager.token, monday, everyone="true")["items"]] == ["Agent visit"]
    assert [t["title"] for t in _week(client, company.owner.token, monday, everyone="true")["items"]] == [
        "Agent visit", "Outsider visit"]


@pytest.mark.parametrize("query", ["start=", "start=2026-13-01", "start=9999-12-31",
                                   "start=0001-01-01", "start=2026-12-07&days=0", "start=2026-12-07&days=43",
                                   "start=2026-12-07&everyone=true&assignee_id=01M994FBHN937EYHPDRH7VXEV1",
                                   "start=2026-12-07&colour=red"])
def test_a_bad_run_of_days_is_422(client: ApiClient, company: Company, query: str) -> None:
    answer = client.get(f"/api/v1/tasks/days?{query}", token=company.owner.token)
    assert answer.status_code == 422, answer.body


def _allow(client: ApiClient, company: Company, allowed: bool) -> None:
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    changed = client.patch("/api/v1/tenant", {"version": tenant["version"], "calendar_feeds": allowed},
                           token=company.owner.token)
    assert changed.status_code == 200 and body(changed)["calendar_feeds"] is allowed, changed.body


def _read(client: ApiClient, url: str) -> Any:
    return client.get(urlsplit(url).path)


def _events(answer: Any) -> dict[str, Any]:
    from icalendar import Calendar

    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.body)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_a_calendar_reads_ones_own_tasks_from_a_secret_address_the_company_allows(client: ApiClient) -> None:
    company = signup(client, company="Feed Bakery", country="RU")
    token = company.owner.token
    assert body(client.get("/api/v1/tasks/calendar-feed", token=token)) == {"allowed": False, "made_at": None,
                                                                             "url": None}
    refused = client.post("/api/v1/tasks/calendar-feed", {}, token=token)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "calendar_feeds_off", refused.body
    _allow(client, company, True)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    contact = body(client.post("/api/v1/contacts", {"first_name": "Anna", "last_name": "Petrova"}, token=token))
    visit = body(client.post("/api/v1/tasks", {"title": "Wedding flowers, Anna", "due_at": due.isoformat(),
                                               "kind": "meeting", "location": "Tverskaya 1, Moscow",
                                               "description": "Bring the peony samples",
                                               "related": {"type": "contact", "id": contact["id"]}}, token=token))
    done = body(client.post("/api/v1/tasks", {"title": "Order ribbons", "due_at": (due - timedelta(days=3))
                                              .isoformat()}, token=token))
    client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]}, token=token)
    client.post("/api/v1/tasks", {"title": "Undated idea"}, token=token)

    made = client.post("/api/v1/tasks/calendar-feed", {}, token=token)
    assert made.status_code == 201, made.body
    feed = body(made)
    assert feed["allowed"] and feed["made_at"] and urlsplit(feed["url"]).path.startswith("/calendar/cal_")
    assert body(client.get("/api/v1/tasks/calendar-feed", token=token))["url"] is None  # shown once only
    events = _events(_read(client, feed["url"]))
    assert set(events) == {"Wedding flowers, Anna", "✓ Order ribbons"}
    event = events["Wedding flowers, Anna"]
    assert event.decoded("dtstart") == due and event.decoded("dtend") == due + timedelta(hours=1)
    assert str(event["location"]) == "Tverskaya 1, Moscow"
    assert "Anna Petrova" in str(event["description"]) and "Bring the peony samples" in str(event["description"])
    assert str(event["url"]).endswith(f"/#/tasks?task={visit['id']}")

    again = body(client.post("/api/v1/tasks/calendar-feed", {}, token=token))  # a new address ends the old one
    assert _read(client, feed["url"]).status_code == 404
    assert _read(client, again["url"]).status_code == 200
    assert client.delete("/api/v1/tasks/calendar-feed", token=token).status_code == 204
    assert _read(client, again["url"]).status_code == 404
    latest = body(client.post("/api/v1/tasks/calendar-feed", {}, token=token))
    _allow(client, company, False)  # the company stops feeds: every address ends
    assert _read(client, latest["url"]).status_code == 404
    _allow(client, company, True)
    assert _read(client, latest["url"]).status_code == 200
    trail = body(client.get("/api/v1/audit?entity=user", token=token))["items"]
    assert {"calendar_feed_made", "calendar_feed_ended"} <= {entry["action"] for entry in trail}


def test_a_feed_address_that_is_not_current_answers_the_same_404(client: ApiClient) -> None:
    company, other = signup(client, company="Feed One"), signup(client, company="Feed Two")
    for each in (company, other):
        _allow(client, each, True)
    url = body(client.post("/api/v1/tasks/calendar-feed", {}, token=company.owner.token))["url"]
    path = urlsplit(url).path
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    prefix, tenant_id, user_id, secret = token.split("_", 3)
    answers = {
        "forged secret": f"/calendar/{prefix}_{tenant_id}_{user_id}_{'x' * len(secret)}.ics",
        "another company's id": f"/calendar/{prefix}_{other.tenant_id}_{user_id}_{secret}.ics",
        "another user's id": f"/calendar/{prefix}_{tenant_id}_{other.owner.user_id}_{secret}.ics",
        "not an address": "/calendar/hello.ics",
        "no suffix needed": f"/calendar/{token}",
    }
    codes = {name: client.get(address).status_code for name, address in answers.items()}
    assert codes == {**dict.fromkeys(answers, 404), "no suffix needed": 200}, codes
    assert client.get(path).status_code == 200


def test_a_deactivated_colleagues_feed_ends(client: ApiClient, company: Company) -> None:
    _allow(client, company, True)
    agent = member(company, "agent2")
    url = body(client.post("/api/v1/tasks/calendar-feed", {}, token=agent.token))["url"]
    assert _read(client, url).status_code == 200
    user = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))
    ended = client.post(f"/api/v1/users/{agent.user_id}/deactivate", {"version": user["version"]},
                        token=company.owner.token)
    assert ended.status_code == 200, ended.body
    assert _read(client, url).status_code == 404


def test_any_address_that_is_not_a_feed_answers_404_never_5xx(client: ApiClient) -> None:
    """The public route's fuzz (it is outside the OpenAPI schema the fuzz suite walks): any segment, a near-miss
    of the address's shape included, is a 404."""
    from urllib.parse import quote

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    ulid = st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26)
    shaped = st.builds(lambda t, u, s: f"cal_{t}_{u}_{s}", ulid, ulid, st.text(min_size=0, max_size=60))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(st.text(min_size=1, max_size=120), shaped, shaped.map(lambda a: a + ".ics")))
    def check(address: str) -> None:
        answer = client.get(f"/calendar/{quote(address, safe='')}")
        assert answer.status_code == 404, (address, answer.status_code, answer.body)

    check()
