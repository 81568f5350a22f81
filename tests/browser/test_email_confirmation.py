"""The web app asks the owner to confirm the e-mail address sign-up gave, and follows the e-mailed link (#21 item 7)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import BENIGN
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, link_token, outbox, signup
from tests.support import ApiClient


def test_the_banner_asks_the_owner_and_the_link_confirms(browser: Any, live_url: str, app: Any,
                                                         screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Confirm Bakery", confirm=False)
    agent = add_member(client, company, role="agent", name="agnes")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Confirm Bakery")
    banner = page.locator('[data-test="confirm-banner"]')
    banner.get_by_text(company.owner.email).wait_for()
    screens.shoot(page, "confirm-banner")
    banner.get_by_role("button", name="Send the link again").click()
    page.locator(".toast", has_text="We sent a new link").wait_for()
    assert len(outbox(company.owner.email)) == 2

    colleague = new_page(browser, live_url)  # another user is told, without the button
    log_in(colleague, agent, "Confirm Bakery")
    colleague.locator('[data-test="confirm-banner"]', has_text="The owner has not confirmed").wait_for()
    assert colleague.get_by_role("button", name="Send the link again").count() == 0

    page.goto(f"/#/confirm-email?token={link_token(company.owner.email, 'confirm-email')}")
    page.locator('[data-test="confirm-done"]').wait_for()
    page.get_by_role("link", name="Open the CRM").click()
    page.locator("#page-title").wait_for()
    assert page.locator('[data-test="confirm-banner"]').is_hidden()
    for each in (page, colleague):
        assert not [p for p in each.problems if not BENIGN.search(p)], each.problems  # type: ignore[attr-defined]
        each.context.close()


def test_a_spent_link_says_so(browser: Any, live_url: str, app: Any) -> None:
    page = new_page(browser, live_url)
    page.goto("/#/confirm-email?token=cfm_not-a-real-link")
    page.get_by_role("alert").filter(has_text="This link is invalid or has expired.").wait_for()
    page.context.close()
