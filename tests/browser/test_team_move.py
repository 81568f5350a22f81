"""Settings → Users: moving a user to another team says their records are moving, and once the walk has run the audit
trail names the move and the new team's manager finds the user's contact in the team's list while the old team's
manager no longer does."""

from __future__ import annotations

from typing import Any

from chalicelib.due import service as due
from chalicelib.records import teams
from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body

COMPANY = "Moving Bakery"


def test_a_team_change_says_the_records_move_and_the_new_manager_sees_them(
        browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company=COMPANY)
    north = body(client.post("/api/v1/teams", {"name": "North"}, token=company.owner.token))
    south = body(client.post("/api/v1/teams", {"name": "South"}, token=company.owner.token))
    add_member(client, company, role="manager", name="nadia", team_id=north["id"])
    southern = add_member(client, company, role="manager", name="sergei", team_id=south["id"])
    mila = add_member(client, company, role="agent", name="mila", team_id=north["id"])
    made = client.post("/api/v1/contacts", {"first_name": "Pavel", "last_name": "Brodsky", "owner_id": mila.user_id},
                       token=company.owner.token)
    assert made.status_code == 201, made.body

    page = new_page(browser, live_url)
    log_in(page, company.owner, COMPANY, at="/settings/users")
    open_screen(page, "/settings/users", "Settings")
    row = page.locator("tr", has_text="Mila")
    assert row.locator("[data-test=records-moving]").count() == 0
    page.get_by_label("Mila: Team").select_option(label="South")
    row.locator("[data-test=records-moving]", has_text="Their records are moving to South").wait_for()
    page.reload()  # the users list says so while the walk has not run
    page.locator("tr", has_text="Mila").locator("[data-test=records-moving]").wait_for()

    assert due.run_due(kinds=frozenset({teams.KIND}))["fired"] == 1
    page.reload()
    page.get_by_label("Mila: Team").wait_for()
    assert page.locator("tr", has_text="Mila").locator("[data-test=records-moving]").count() == 0
    page.goto("/#/settings/audit?action=team_move")  # the contact's move, as the owner's change, by its name
    page.locator("main", has_text="Moved to its owner\u2019s team").wait_for()
    assert_no_problems(page)
    page.context.close()

    manager = new_page(browser, live_url)
    log_in(manager, southern, COMPANY, at="/contacts")
    open_screen(manager, "/contacts", "Contacts")
    manager.locator("main", has_text="Pavel Brodsky").wait_for()
    assert_no_problems(manager)
    manager.context.close()
    northern = body(client.get("/api/v1/contacts", token=company.members["nadia"].token))["items"]
    assert northern == []
