"""The administration screens in the browser: users, teams, roles, company settings; and companies."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.app_js import app_js
from tests.browser.conftest import DESKTOP, Screens, new_page
from tests.browser.test_app import BENIGN, open_screen, sign_up
from tests.browser.test_sensitive import log_in
from tests.factories import outbox, unique_email
from tests.support import ApiClient, body


def test_owner_runs_the_company_from_the_settings(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    page = new_page(browser, live_url)
    sign_up(page, company="Settings Bakery")

    open_screen(page, "/settings/teams", "Settings")
    page.get_by_label("Team name").fill("Night shift")
    page.get_by_role("button", name="Create team").click()
    renamed = page.get_by_label("Team name", exact=True).first
    renamed.wait_for()
    team_input = page.locator(".list input")
    assert team_input.input_value() == "Night shift"
    team_input.fill("Morning shift")
    team_input.press("Enter")
    page.locator(".toast", has_text="Saved").last.wait_for()
    screens.shoot(page, "teams")

    open_screen(page, "/settings/roles", "Settings")
    page.get_by_label("Role name").fill("Baker")
    page.get_by_label("Key", exact=True).fill("baker")
    page.get_by_label("Contacts: View").check()
    page.get_by_label("Tasks: Edit").check()
    page.get_by_role("button", name="Create role").click()
    page.locator(".list li", has_text="Baker").locator(".meta", has_text="2 permissions").wait_for()
    assert_the_roles_grid_fits(page, screens)

    open_screen(page, "/settings/users", "Settings")
    email = unique_email("baker")
    invite = page.get_by_role("form", name="Invite a user")
    invite.get_by_label("E-mail").fill(email)
    invite.get_by_label("Name").fill("Bob Baker")
    invite.get_by_label("Role").select_option("baker")
    assert invite.get_by_label("Language").input_value() == ""  # the company's, unless the inviter says otherwise
    invite.get_by_label("Language").select_option("ru")
    invite.get_by_role("button", name="Send invitation").click()
    row = page.locator("tr", has_text="Bob Baker")
    row.locator(".badge", has_text="Invited").wait_for()
    assert outbox(email)[-1].subject.startswith("Приглашение в")  # his invitation in the language chosen for him
    assert page.locator("[data-test=users-count]").inner_text() == "2 users"  # the owner and Bob, not "1 user"
    # The form is ready for the next invitation with its defaults, not the first role (Administrator) it fell back to
    assert invite.get_by_label("Role").input_value() == "agent"
    # A manager sees their team's records: invited in no team, the form says they would see only their own
    scope_hint = invite.locator(".hint", has_text="in no team, only their own")
    assert scope_hint.is_hidden()
    invite.get_by_label("Role").select_option("manager")
    assert scope_hint.is_visible()
    invite.get_by_label("Team").select_option(label="Morning shift")
    assert scope_hint.is_hidden()
    # the page stopped loading long ago, so a wait for its network to idle was none: the reload below could read the
    # users before the change was saved; wait for the change's own answer
    with page.expect_response(lambda r: "/api/v1/users/" in r.url and r.request.method == "PATCH") as moved:
        page.get_by_label("Bob Baker: Team").select_option(label="Morning shift")
    assert moved.value.ok, moved.value.status
    screens.shoot(page, "users-invited")
    assert_the_users_table_fits(page, screens)
    page.reload()
    assert page.get_by_label("Bob Baker: Team").locator("option:checked").inner_text() == "Morning shift"
    assert page.get_by_label("Bob Baker: Role").locator("option:checked").inner_text() == "Baker"

    open_screen(page, "/settings/company", "Settings")
    page.get_by_label("Company name").fill("Settings Bakery & Sons")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Minimum password length").fill("7")
    page.get_by_role("button", name="Save").click()
    page.locator(".field-error", has_text=re.compile("greater than or equal to 8")).wait_for()
    page.get_by_label("Minimum password length").fill("12")
    page.get_by_role("button", name="Save").click()
    page.locator(".brand-name", has_text="Settings Bakery & Sons").wait_for()
    assert page.get_by_label("Currency").input_value() == "EUR"
    # a shop's prices include its VAT: a new order starts so, as the deal's invoice takes the VAT out of its amount
    page.get_by_label("Prices and deal amounts include VAT").check()
    page.get_by_role("button", name="Save").click()
    # (wait_for_function took the promise of an import() as truthy at once, and the CSP forbids its polling's eval)
    assert page.evaluate(app_js("""() => import('/static/js/session.js').then((m) => new Promise((resolve) => {
        const saved = () => m.session.tenant?.prices_include_tax === true && resolve(true);
        saved();
        m.onSessionChange(saved);
        setTimeout(() => resolve(false), 15000); // a bound on the wait, never its pace
    }))"""))
    open_screen(page, "/orders/new", "New order")
    assert page.get_by_label("Prices", exact=True).input_value() == "inclusive"
    open_screen(page, "/settings/company", "Settings")
    assert page.get_by_label("Prices and deal amounts include VAT").is_checked()

    open_screen(page, "/companies", "Companies")
    page.locator(".empty", has_text="No companies yet").wait_for()
    page.get_by_label("Name").fill("Flour Mill Ltd")
    page.get_by_label("Website").fill("flourmill.example")
    page.get_by_role("button", name="Add company").click()
    page.locator("#page-title", has_text="Flour Mill Ltd").wait_for()
    assert "https://flourmill.example" in page.locator("main").inner_text()
    screens.shoot(page, "company-card")
    page.get_by_label("Language", exact=True).select_option("ru")  # longer column headings, same fit
    page.goto("/#/settings/roles")
    page.locator("table.permission-grid thead", has_text="Изменение").first.wait_for()
    assert_the_roles_grid_fits(page, screens, "ru")
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()


PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 800}
OVERFLOWING = """() => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
    .filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.className || el.tagName)"""


def assert_the_roles_grid_fits(page: Any, screens: Screens, language: str = "en") -> None:
    """Settings -> Roles scrolls only downwards on a 375 px phone (the permission grid stacks per record type),
    and stays a grid with its column headings at 1366 px."""
    try:
        page.set_viewport_size(PHONE)
        assert page.evaluate(OVERFLOWING) == [], "nothing scrolls sideways"
        assert page.locator(".permission-grid input[value=update]").first.is_visible()
        screens.shoot(page, f"roles-phone-{language}")
        page.set_viewport_size(LAPTOP)
        assert page.evaluate(OVERFLOWING) == [], "nor on a laptop"
        assert page.locator("table.permission-grid thead").first.is_visible()
    finally:
        page.set_viewport_size(DESKTOP)


def assert_the_users_table_fits(page: Any, screens: Screens) -> None:
    """Settings -> Users: at 1366 px the Actions column showed 'Resend invi...' clipped and the table scrolled
    sideways in its frame; it fits there, and on a 390 px phone each user is a card with its action in full."""
    action = page.locator("tr", has_text="Bob Baker").get_by_role("button", name="Resend invitation")
    try:
        for size in (LAPTOP, {"width": 390, "height": 844}):
            page.set_viewport_size(size)
            assert page.evaluate(OVERFLOWING) == [], f"nothing scrolls sideways at {size['width']} px"
            box, frame = action.bounding_box(), page.locator(".table-wrap").bounding_box()
            assert box and frame and box["x"] + box["width"] <= frame["x"] + frame["width"], "the action is whole"
            assert page.locator("table.user-table .title", has_text="Bob Baker").is_visible()
            screens.shoot(page, f"users-{size['width']}")
        assert page.locator("table.user-table thead").is_hidden()
        assert action.bounding_box()["height"] >= 44  # a thumb's target on the phone
    finally:
        page.set_viewport_size(DESKTOP)


def test_an_agent_sees_no_administration(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    from tests.factories import add_member, signup

    company = signup(client, company="Agent Bakery")
    agent = add_member(client, company, role="agent", name="annaagent")
    assert body(client.get("/api/v1/me", token=agent.token))["user"]["role"] == "agent"
    page = new_page(browser, live_url)
    log_in(page, agent, "Agent Bakery", at="/settings/profile")
    open_screen(page, "/settings/profile", "Settings")
    tabs = page.locator(".settings-nav .settings-menu").inner_text()
    assert "Users" in tabs and "API keys" not in tabs and "Roles" not in tabs and "Company" not in tabs
    page.get_by_label("Your name").fill("Anna the Agent")
    page.get_by_role("button", name="Save").click()
    page.locator(".user-menu .user-name", has_text="Anna the Agent").wait_for()
    open_screen(page, "/settings/users", "Settings")  # the profile's title is "Settings" too: wait for the users
    assert page.get_by_label("Anna the Agent: Role").is_disabled()
    assert page.get_by_role("form", name="Invite a user").count() == 0
    page.context.close()
