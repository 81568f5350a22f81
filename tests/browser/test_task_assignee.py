"""Giving a task to a colleague from the web app: the add-a-task form offers the company's active users to whoever
may create tasks beyond their own; an agent's tasks stay their own (no box)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_the_owner_gives_the_courier_a_delivery_and_the_agent_keeps_their_own(browser: Any, live_url: str, app: Any,
                                                                               screens: Screens) -> None:
    # A walk's flower shop owner wanted the courier to deliver an order: the form had no one to give the task to
    # (the API takes assignee_id), so every task she added was her own.
    client = ApiClient(app)
    company = signup(client, company="Courier Florist")
    courier = add_member(client, company, role="agent", name="ivan")
    invited = client.post("/api/v1/users", {"email": "later@example.com", "name": "Not Yet", "role": "agent"},
                          token=company.owner.token)
    assert invited.status_code == 201, invited.body
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Courier Florist")
    open_screen(page, "/tasks", "Tasks")
    form = page.get_by_role("form", name="Add a task")
    assignee = form.get_by_label("Assignee")
    form.get_by_label("What to do").fill("Deliver 15 peonies to Arbat 10")  # the form in use reads the colleagues
    expect(assignee.locator("option", has_text="Ivan")).to_have_count(1)
    expect(assignee.locator("option", has_text="Not Yet")).to_have_count(0)  # invited: not a user yet
    next_week = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT10:00")  # upcoming on any clock
    form.get_by_label("Due").fill(next_week)
    assignee.select_option(label="Ivan")
    form.get_by_role("button", name="Add task").click()
    page.locator(".toast", has_text="Task given to Ivan").wait_for()
    expect(page.locator("main .list", has_text="Deliver 15 peonies")).to_have_count(0)  # not the owner's
    theirs = body(client.get("/api/v1/tasks?view=all", token=courier.token))["items"]
    assert [task["title"] for task in theirs] == ["Deliver 15 peonies to Arbat 10"]
    form.get_by_label("What to do").fill("Order ribbons")
    form.get_by_role("button", name="Add task").click()  # the box is back on the owner herself
    page.locator(".toast", has_text="Saved").wait_for()
    mine = body(client.get("/api/v1/tasks?view=all", token=company.owner.token))["items"]
    assert [task["title"] for task in mine] == ["Order ribbons"]
    screens.shoot(page, "owner-tasks")
    assert_no_problems(page)

    agent = new_page(browser, live_url, viewport=PHONE)
    log_in(agent, courier, "Courier Florist")
    open_screen(agent, "/tasks", "Tasks")
    agent.get_by_role("link", name="Upcoming").click()
    agent.locator("main .list", has_text="Deliver 15 peonies").wait_for()
    expect(agent.get_by_role("form", name="Add a task").get_by_label("Assignee")).to_have_count(0)
    assert_no_problems(agent)
    page.context.close()
    agent.context.close()
