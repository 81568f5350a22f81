"""Settings → Users: making someone an owner is asked first, and an owner can take it back. A New York plumber's owner,
setting his dispatcher's role on a phone, had "Owner" one line above "Administrator": one tap made her an owner at once
(billing, every setting, the company's deletion), and her row was then locked for him, though the API lets an owner
take ownership away."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_an_owner_is_made_only_when_confirmed_and_can_be_unmade(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Brooklyn Pipe Co.", country="US")
    dispatcher = add_member(client, company, role="manager", name="rosa")

    def role() -> str:
        return str(body(client.get(f"/api/v1/users/{dispatcher.user_id}", token=company.owner.token))["role"])

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Brooklyn Pipe Co.", at="/settings/users")
    select = page.get_by_label("Rosa: Role")
    select.select_option("owner")
    dialog = page.get_by_role("dialog")
    assert "Make Rosa an owner?" in dialog.inner_text()
    screens.shoot(page, "owner-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(select).to_have_value("manager")
    assert role() == "manager"

    select.select_option("owner")
    with page.expect_response(lambda r: "/api/v1/users/" in r.url and r.request.method == "PATCH") as made:
        page.get_by_role("dialog").get_by_role("button", name="Make an owner").click()
    assert made.value.status == 200
    page.reload()
    select = page.get_by_label("Rosa: Role")
    select.wait_for()
    assert role() == "owner" and select.is_enabled()  # another owner's row stays the owner's to change
    with page.expect_response(lambda r: "/api/v1/users/" in r.url and r.request.method == "PATCH") as unmade:
        select.select_option("manager")
    assert unmade.value.status == 200 and role() == "manager"
    assert_no_problems(page)
