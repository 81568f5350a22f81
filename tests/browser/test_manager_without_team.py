"""A manager in no team is told why a job cannot be handed on: a New York plumber's dispatcher (a manager) pressed
Reassign on a job to give it to a plumber and read "There is nobody else you may hand it to." in a company of four,
nobody having put anyone in a team. A manager hands records within their team; the card now says so and where an
administrator makes the team, and once both are in one the plumber is offered."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_a_manager_in_no_team_is_told_how_to_hand_a_job_to_a_plumber(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Brooklyn Pipe Co.", country="US")
    dispatcher = add_member(client, company, role="manager", name="rosa")
    plumber = add_member(client, company, role="agent", name="tony")
    made = client.post("/api/v1/deals", {"title": "Water heater, 412 5th St"}, token=dispatcher.token)
    assert made.status_code == 201, made.body
    job = body(made)

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, dispatcher, "Brooklyn Pipe Co.", at=f"/deals/{job['id']}")
    page.get_by_role("button", name="Reassign").click()
    page.locator(".toast", has_text="you are in no team yet").wait_for()
    assert "Settings → Teams" in page.locator(".toast").inner_text()
    screens.shoot(page, "manager-no-team")

    crew = body(client.post("/api/v1/teams", {"name": "Crew"}, token=company.owner.token))
    for member in (dispatcher, plumber):
        user = body(client.get(f"/api/v1/users/{member.user_id}", token=company.owner.token))
        moved = client.patch(f"/api/v1/users/{member.user_id}", {"team_id": crew["id"], "version": user["version"]},
                             token=company.owner.token)
        assert moved.status_code == 200, moved.body
    page.reload()  # the session learns the team
    page.locator("[data-test=owner-name]", has_text="Rosa").wait_for()
    page.get_by_role("button", name="Reassign").click()
    page.get_by_label("Responsible").select_option(label="Tony")
    page.get_by_role("button", name="Assign").click()
    page.locator("[data-test=owner-name]", has_text="Tony").wait_for()
    assert body(client.get(f"/api/v1/deals/{job['id']}", token=company.owner.token))["deal"]["owner_id"] \
        == plumber.user_id
    assert_no_problems(page)
