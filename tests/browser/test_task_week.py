# ruff: noqa: RUF001
"""Tasks → Week: the week's days side by side on a PC and one under another on a phone, each task at its time on the
company's clock; a task dragged to another day keeps its time of day; a task opens to be changed. "In my calendar"
asks the company first (an owner allows it there), then gives the address once, which a calendar then reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.deals.helpers import in_zone
from tests.factories import Company, signup
from tests.support import ApiClient, body

BERLIN = ZoneInfo("Europe/Berlin")


def _company(client: ApiClient, name: str) -> tuple[Company, date]:
    company = in_zone(client, signup(client, company=name, country="DE"), "Europe/Berlin")
    today = datetime.now(BERLIN).date() + timedelta(days=7)  # next week: nothing in it is overdue
    return company, today - timedelta(days=today.weekday())


def _task(client: ApiClient, company: Company, title: str, day: date, hour: int) -> dict[str, Any]:
    due = datetime(day.year, day.month, day.day, hour, 30, tzinfo=BERLIN)
    made = client.post("/api/v1/tasks", {"title": title, "due_at": due.isoformat()}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def test_a_week_of_tasks_moves_a_task_by_dragging_it_and_opens_one_to_change(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    from tests.browser.test_app import drag

    client = ApiClient(app)
    company, monday = _company(client, "Week Bakery")
    _task(client, company, "Deliver the wedding cake", monday, 9)
    moving = _task(client, company, "Call the flour mill", monday + timedelta(days=2), 14)
    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900})
    log_in(page, company.owner, "Week Bakery", at=f"/tasks?view=week&start={(monday + timedelta(days=3)).isoformat()}")
    week = page.locator("[data-test=week]")
    days = week.locator(".week-day")
    expect(days).to_have_count(7)
    expect(days.nth(0).locator("h2")).to_contain_text("Mon")  # Germany's week starts on Monday
    expect(days.nth(0)).to_contain_text("09:30 Deliver the wedding cake")
    expect(days.nth(2)).to_contain_text("14:30 Call the flour mill")
    screens.shoot(page, "tasks-week")

    drag(page, days.nth(2).locator(".week-task", has_text="Call the flour mill"), days.nth(4))
    expect(page.locator(".toast", has_text="moved to")).to_be_visible()
    expect(days.nth(4)).to_contain_text("14:30 Call the flour mill")
    expect(days.nth(2)).not_to_contain_text("Call the flour mill")
    moved = body(client.get(f"/api/v1/tasks/{moving['id']}", token=company.owner.token))
    friday = datetime.fromisoformat(moved["due_at"]).astimezone(BERLIN)
    assert (friday.date(), friday.hour, friday.minute) == (monday + timedelta(days=4), 14, 30)

    days.nth(0).get_by_role("button", name="09:30 Deliver the wedding cake: open").click()
    dialog = page.locator("dialog")
    expect(dialog.get_by_label("What to do")).to_have_value("Deliver the wedding cake")
    dialog.get_by_role("button", name="Cancel").click()
    page.locator("[data-test=new]").click()  # a task added from the week lands on its day
    page.get_by_label("What to do").fill("Order the ribbons")
    page.get_by_label("Due").fill(f"{(monday + timedelta(days=5)).isoformat()}T08:15")
    page.get_by_role("button", name="Add task").click()
    expect(days.nth(5)).to_contain_text("08:15 Order the ribbons")
    page.get_by_role("button", name="Next ›").click()
    expect(page.locator("[data-test=week] .week-task")).to_have_count(0)
    expect(page.locator(".week-range")).to_contain_text(str((monday + timedelta(days=13)).day))
    assert_no_problems(page)


def test_an_owner_allows_calendar_feeds_and_takes_her_address_once(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company, monday = _company(client, "Feed Florist")
    _task(client, company, "Peonies for Mrs Weber", monday, 11)
    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900})
    log_in(page, company.owner, "Feed Florist", at="/tasks?view=week")
    page.get_by_role("button", name="In my calendar").click()
    dialog = page.locator("dialog")
    expect(dialog.locator("[data-test=feed-off]")).to_be_visible()
    dialog.get_by_role("button", name="Allow calendar feeds for the company").click()
    dialog.get_by_role("button", name="Make my address").click()
    address = dialog.locator("[data-test=feed-url]")
    expect(dialog.locator("[data-test=feed-made]")).to_be_visible()
    url = address.input_value()
    assert urlsplit(url).path.startswith("/calendar/cal_"), url
    google = dialog.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F"), google
    screens.shoot(page, "tasks-feed")
    feed = page.request.get(urlsplit(url).path)
    assert feed.status == 200 and "Peonies for Mrs Weber" in feed.text()
    dialog.get_by_role("button", name="Turn off").click()
    expect(page.locator(".toast", has_text="no longer works")).to_be_visible()
    assert page.request.get(urlsplit(url).path).status == 404
    dialog.get_by_role("button", name="Close").click()
    assert body(client.get("/api/v1/tenant", token=company.owner.token))["calendar_feeds"] is True
    remade = body(client.post("/api/v1/tasks/calendar-feed", {}, token=company.owner.token))["url"]
    page.goto("/#/settings/company")  # where the owner stops feeds again: every address ends
    allowed = page.get_by_label("Staff may show their tasks in Google, Apple or Outlook calendars")
    expect(allowed).to_be_checked()
    allowed.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast", has_text="Saved")).to_be_visible()
    assert page.request.get(urlsplit(remade).path).status == 404
    assert_no_problems(page)


def test_on_a_phone_in_russian_the_days_stand_one_under_another(browser: Any, live_url: str, app: Any,
                                                                screens: Screens) -> None:
    client = ApiClient(app)
    company, monday = _company(client, "Telefon Bäckerei")
    _task(client, company, "Позвонить поставщику муки", monday + timedelta(days=1), 10)
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    in_russian(page, company.owner, "Telefon Bäckerei", f"/tasks?view=week&start={monday.isoformat()}")
    days = page.locator("[data-test=week] .week-day")
    expect(days.nth(1)).to_contain_text("10:30 Позвонить поставщику муки")
    first, second = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 2  # one under another
    week_tab = page.get_by_role("link", name="Неделя")
    expect(week_tab).to_have_attribute("aria-current", "page")
    expect(week_tab).to_be_in_viewport()  # the fourth tab, scrolled into its strip on a phone
    fits_the_phone(page, screens, "tasks-week-phone")
    assert_no_problems(page)
