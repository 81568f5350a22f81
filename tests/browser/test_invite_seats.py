"""An Austin HVAC company on the Start plan (6 seats paid) hires a third installer: the Users screen's invitation
said nothing of seats or of the plan's users, though each invitation adds a paid seat to the subscription. Now the
invite panel says how many of the plan's users are taken and that an invitation adds a seat; at the plan's limit, that
one upgrades in Billing. On a phone, in English; an agent, who does not see billing, is told nothing."""

from __future__ import annotations

from typing import Any

from tests.billing import helpers
from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient


def test_the_invitation_says_it_adds_a_paid_seat(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    add_member(client, company, role="agent", name="tyler")
    helpers.send(client, "customer.subscription.created",
                 helpers.subscription(helpers.customer(client, company), plan="start", seats=2))
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Lone Star Air")
    page.goto("/#/settings/users")
    seats = page.locator('[data-test="invite-seats"]')
    assert seats.inner_text() == ("2 of the plan\u2019s 10 users are taken. You pay for 2 seats: each user you "
                                  "invite adds a seat to the subscription, prorated.")
    assert_fits_a_phone(page, screens, "invite-seats")
    assert_no_problems(page)
    page.context.close()

    helpers.set_usage(company, users=10, pipelines=1)
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Lone Star Air")
    page.goto("/#/settings/users")
    full = page.locator('[data-test="invite-seats"]')
    assert full.inner_text() == "All 10 users of your plan are taken. Upgrade in Billing to invite more"
    assert full.get_by_role("link").get_attribute("href") == "#/settings/billing"
    page.context.close()
