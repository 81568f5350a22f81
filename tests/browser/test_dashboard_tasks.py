"""The dashboard's task tiles on a phone (390 px), in English and Russian: an owner's count everyone's tasks and say
so, an agent's her own; overdue is a task whose due time has passed (this morning's call-back included), and each
tile opens the Tasks screen's matching list. A clinic owner's tile said 0 while her desk had overdue call-backs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient

PHONE = {"width": 390, "height": 844}


def _tiles(page: Any, overdue_count: str, overdue_label: str, today_label: str, link: str) -> None:
    """The dashboard's task tiles as the reader's role counts them: whose they are, and where the overdue one leads;
    the screen fits the phone."""
    overdue = page.locator("[data-test=kpi-overdue]")
    expect(overdue.locator(".kpi-value")).to_have_text(overdue_count)
    expect(overdue.locator(".kpi-label")).to_have_text(overdue_label)
    expect(page.locator("[data-test=kpi-today] .kpi-label")).to_have_text(today_label)
    assert overdue.get_attribute("href") == link
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)


def test_an_owner_sees_everyones_overdue_tasks_and_an_agent_her_own(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Smile Clinic")
    desk = add_member(client, company, role="agent", name="desk")
    now = datetime.now(UTC)
    for title, due_at in (("Call back Mrs Petrova", now - timedelta(days=1)),
                          ("Call back about the X-ray", now - timedelta(minutes=20))):  # passed, maybe today
        made = client.post("/api/v1/tasks", {"title": title, "due_at": due_at.isoformat(), "assignee_id": desk.user_id},
                           token=company.owner.token)
        assert made.status_code == 201, made.body

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Smile Clinic", at="/reports")
    _tiles(page, "2", "Overdue tasks — everyone\u2019s", "Tasks today — everyone\u2019s",
           "#/tasks?view=overdue&assignee=everyone")

    agent = new_page(browser, live_url, viewport=PHONE, own_context=True)
    in_russian(agent, desk, "Smile Clinic", "/reports")
    _tiles(agent, "2", "Просрочено задач — моих", "Задач на сегодня — моих", "#/tasks?view=overdue")
