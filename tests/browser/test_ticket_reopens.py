"""The tickets report on #/reports (static/screens/ticket-report.js) shows reopens as their own column beside the
resolutions: a ticket resolved, reopened and resolved again reads Resolved 2, Reopened 1; English and Russian."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient
from tests.tickets.kit import open_ticket, status


def test_the_tickets_report_shows_reopens_beside_resolutions(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Reopen Desk")
    token = company.owner.token
    ticket = status(client, token, open_ticket(client, token, priority="high"), "resolved")
    status(client, token, status(client, token, ticket, "open"), "resolved")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Reopen Desk")
    page.locator(".main-nav a.nav-reports").click()
    total = page.locator("[data-test=report-tickets] tr.total")
    expect(total.locator("td[data-label=Reopened]")).to_have_text("1")
    expect(total.locator("td[data-label=Resolved]")).to_have_text("2")  # once per resolve
    page.select_option(".lang-select", "ru")
    expect(page.locator("[data-test=report-tickets]").get_by_role("columnheader", name="Открыто повторно")) \
        .to_be_visible()
    assert_no_problems(page)
