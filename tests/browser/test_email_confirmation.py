"""The web app asks the owner to confirm the e-mail address sign-up gave, and follows the e-mailed link (#21 item 7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import db
from tests.browser.conftest import NARROW, Screens, new_page
from tests.browser.test_app import BENIGN, DRAWN
from tests.browser.test_sensitive import log_in
from tests.factories import PASSWORD, add_member, link_token, outbox, signup, unique_email
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
    page.wait_for_url("**/#/tasks")
    page.wait_for_function(DRAWN)  # Tasks drawn in the app's frame: the link's page has a title and no banner at all
    page.locator("#page-title", has_text="Tasks").wait_for()
    assert page.locator(".main-nav").is_visible()  # the app's frame, where the banner was
    assert page.locator('[data-test="confirm-banner"]').is_hidden()
    for each in (page, colleague):
        assert not [p for p in each.problems if not BENIGN.search(p)], each.problems  # type: ignore[attr-defined]
        each.context.close()


def test_a_spent_link_says_so(browser: Any, live_url: str, app: Any) -> None:
    page = new_page(browser, live_url)
    page.goto("/#/confirm-email?token=cfm_not-a-real-link")
    page.get_by_role("alert").filter(has_text="This link is invalid or has expired.").wait_for()
    page.context.close()


def test_a_cut_link_and_an_expired_invitation_say_what_to_do_on_a_phone_in_russian(
        browser: Any, live_url: str, app: Any, screens: Screens, monkeypatch: pytest.MonkeyPatch) -> None:
    # A walk's owner opened a confirmation link cut short ('Проверьте отмеченные поля.' on a page with no field), and
    # her courier an invitation a week old ('Ссылка недействительна или устарела.', and nothing said what next).
    client = ApiClient(app)
    company = signup(client, company="Link Florist", country="RU", locale="ru")
    email = unique_email("courier")
    invited = client.post("/api/v1/users", {"email": email, "name": "Ivan", "role": "agent"},
                          token=company.owner.token)
    assert invited.status_code == 201, invited.body
    page = new_page(browser, live_url, viewport=NARROW, locale="ru-RU")
    page.goto("/#/login")
    page.evaluate("() => localStorage.setItem('crm.lang', 'ru')")
    page.goto("/#/confirm-email?token=cfm_cut")
    page.reload()
    page.get_by_role("alert").filter(has_text="Ссылка недействительна или устарела.").wait_for()
    page.goto("/#/reset?token=rst_cut")
    page.reload()
    page.fill("[name=password]", PASSWORD)
    page.fill("[name=password_confirm]", PASSWORD)
    page.locator("button[type=submit]").click()
    page.locator(".form-status", has_text="Ссылка недействительна или устарела.").wait_for()
    assert "Проверьте отмеченные поля" not in page.locator("main").inner_text()

    real = db.utcnow
    monkeypatch.setattr(db, "utcnow", lambda: real() + timedelta(days=8))  # the invitation's 7 days are over
    page.goto(f"/#/accept?token={link_token(email, 'accept')}")
    page.reload()
    page.fill("[name=password]", PASSWORD)
    page.fill("[name=password_confirm]", PASSWORD)
    page.locator("button[type=submit]").click()
    page.locator(".form-status", has_text="Попросите того, кто вас пригласил, отправить её ещё раз").wait_for()
    screens.shoot(page, "expired-invitation")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    problems = [p for p in page.problems if not BENIGN.search(p) and "400" not in p]  # type: ignore[attr-defined]
    assert not problems, problems
    page.context.close()
