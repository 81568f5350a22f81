"""#/reports at a month's end: a Berlin agency's owner reading November's figures on the 1st of December found the
period set to December's first day and had to pick the 1st and the 30th of November in two date boxes; 'Previous
month' now shows the calendar month before the period shown (each click one month further back), 'This month' the
company's current month."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import NARROW, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient


def test_previous_month_shows_the_whole_calendar_month_before(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    company = signup(ApiClient(app), company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Spreeblick Digital")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/api/v1/reports/sources" in request.url else None)
    page.goto("/#/reports?from=2026-12-01&to=2026-12-01")
    page.get_by_role("link", name="Previous month").click()
    expect(page.get_by_label("From")).to_have_value("2026-11-01")
    expect(page.get_by_label("To")).to_have_value("2026-11-30")
    page.wait_for_function("() => location.hash.includes('from=2026-11-01')")
    page.get_by_role("link", name="Previous month").click()
    expect(page.get_by_label("From")).to_have_value("2026-10-01")
    expect(page.get_by_label("To")).to_have_value("2026-10-31")
    assert any("from=2026-10-01&to=2026-10-31" in url for url in asked), asked
    page.goto("/#/reports?from=2028-03-15&to=2028-03-20")  # a leap year's February; January before a new year
    page.get_by_role("link", name="Previous month").click()
    expect(page.get_by_label("To")).to_have_value("2028-02-29")
    page.goto("/#/reports?from=2027-01-10&to=2027-01-31")
    page.get_by_role("link", name="Previous month").click()
    expect(page.get_by_label("From")).to_have_value("2026-12-01")
    expect(page.get_by_label("To")).to_have_value("2026-12-31")
    assert page.get_by_role("link", name="This month").get_attribute("href") == "#/reports"
    assert_fits_a_phone(page, screens, "reports-months")
    page.set_viewport_size(NARROW)
    page.select_option(".lang-select", "ru")
    expect(page.get_by_role("link", name="Прошлый месяц")).to_be_visible()
    expect(page.get_by_role("link", name="Этот месяц")).to_be_visible()
    assert_no_problems(page)
