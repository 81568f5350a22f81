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
    overdue = page.locator("[data-test=kpi-overdue]")
    expect(overdue.locator(".kpi-value")).to_have_text("2")
    expect(overdue.locator(".kpi-label")).to_have_text("Overdue tasks — everyone\u2019s")
    expect(page.locator("[data-test=kpi-today] .kpi-label")).to_have_text("Tasks today — everyone\u2019s")
    assert overdue.get_attribute("href") == "#/tasks?view=overdue&assignee=everyone"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)

    agent = new_page(browser, live_url, viewport=PHONE, own_context=True)
    in_russian(agent, desk, "Smile Clinic", "/reports")
    mine = agent.locator("[data-test=kpi-overdue]")
    expect(mine.locator(".kpi-value")).to_have_text("2")
    expect(mine.locator(".kpi-label")).to_have_text("Просрочено задач — моих")
    expect(agent.locator("[data-test=kpi-today] .kpi-label")).to_have_text("Задач на сегодня — моих")
    assert mine.get_attribute("href") == "#/tasks?view=overdue"
    assert agent.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(agent)
