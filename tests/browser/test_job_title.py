"""A London supplier's rep adds a buyer from a phone with her job title, sees it first on her card, and changes it;
in Russian the field is «Должность»."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient

PHONE = {"width": 390, "height": 844}


def test_a_buyers_job_title_from_the_new_contact_form_to_her_card(browser: Any, live_url: str, app: Any) -> None:
    company = signup(ApiClient(app), company="Thames Office Supplies", country="GB")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Thames Office Supplies", at="/contacts")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Job title").fill("Office manager")
    page.get_by_role("button", name="Add contact").click()
    page.locator("#page-title", has_text="Priya Shah").wait_for()
    title = page.locator("dl.props dt:text-is('Job title') + dd")  # the first thing her card says after who has her
    expect(title).to_have_text("Office manager")
    page.locator("details.panel summary", has_text="Edit").click()
    edit = page.get_by_role("form", name="Edit")
    edit.get_by_label("Job title").fill("Head of purchasing")
    edit.get_by_role("button", name="Save").click()
    expect(title).to_have_text("Head of purchasing")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator("html[lang=ru]").wait_for()
    expect(page.locator("dl.props dt:text-is('Должность') + dd")).to_have_text("Head of purchasing")
    assert_no_problems(page)
