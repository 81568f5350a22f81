"""A sales rep between client visits plans the deal's next step on its card, on a phone: the deal card has its
'Add a task' (a London office supplier's rep, used to Pipedrive's next activity on every deal, found no way to plan
a call on the deal itself, only on the contact's card or on Tasks, unlinked from the deal)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_a_rep_adds_a_call_on_the_deal_card_and_finds_it_there_and_on_tasks(browser: Any, live_url: str, app: Any,
                                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Thames Office Supplies", country="GB", timezone="Europe/London")
    rep = add_member(client, company, role="agent", name="sarah")
    made = client.post("/api/v1/deals", {"title": "Blackfriars copier paper",
                                         "amount": {"minor": 480000, "currency": "GBP"}}, token=rep.token)
    assert made.status_code == 201, made.body
    deal_id = body(made)["id"]
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, rep, "Thames Office Supplies", at=f"/deals/{deal_id}")
    tasks = page.locator("[data-links=task]")
    tasks.get_by_text("No tasks yet; add one below.").wait_for()
    panel = page.locator("[data-test=deal-add-task]")
    panel.get_by_label("What to do").fill("Call Emily about the paper delivery")
    panel.get_by_label("Kind").select_option(label="Call")
    panel.get_by_role("button", name="Add task").click()
    tasks.get_by_text("Call Emily about the paper delivery").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways page"
    screens.shoot(page, "deal-card-task")
    listed = body(client.get("/api/v1/tasks?view=upcoming", token=rep.token))["items"] + body(
        client.get("/api/v1/tasks?view=today", token=rep.token))["items"]
    [task] = [task for task in listed if task["title"] == "Call Emily about the paper delivery"]
    assert (task["kind"], task["related"]["type"], task["related"]["id"]) == ("call", "deal", deal_id)
    assert_no_problems(page)
    page.context.close()
