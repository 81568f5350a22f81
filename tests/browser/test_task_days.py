"""Tasks on the company's clock, named by their record, changed, rescheduled and reopened (#20 items 4 and 11): a
browser in Berlin working for a Moscow company; on a phone and a laptop, in English and in Russian."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
MOSCOW = ZoneInfo("Europe/Moscow")
TEXT = {
    "en": {"tasks": "Tasks", "what": "What to do", "due": "Due", "add": "Add task", "upcoming": "Upcoming",
           "today_empty": "Nothing due today.", "change": "Change “{}”", "tomorrow": "Tomorrow 10:00", "save": "Save",
           "complete": "Complete “{}”", "reopen": "Reopen “{}”",
           "hint": "On the company\N{RIGHT SINGLE QUOTATION MARK}s clock: Europe/Moscow"},
    "ru": {"tasks": "Задачи", "what": "Что сделать", "due": "Срок", "add": "Добавить задачу",
           "upcoming": "Предстоящие", "today_empty": "На сегодня задач нет.", "change": "Изменить «{}»",  # noqa: RUF001
           "tomorrow": "Завтра в 10:00", "save": "Сохранить", "complete": "Выполнить «{}»",
           "reopen": "Вернуть в работу «{}»", "hint": "По времени компании: Europe/Moscow"},
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_task_due_at_two_tomorrow_moscow_time_is_not_today_and_can_be_changed(
        browser: Any, live_url: str, screens: Screens, size: str, lang: str) -> None:
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])  # a browser in Europe/Berlin
    sign_up(page, company="Moscow Florist", country="RU")  # the zone follows the country: Europe/Moscow
    page.get_by_label("Language", exact=True).select_option(lang)
    open_screen(page, "/tasks", text["tasks"])
    tomorrow = (datetime.now(MOSCOW) + timedelta(days=1)).date()
    page.get_by_label(text["what"]).fill("Call Olga about the bouquet")
    due = page.get_by_label(text["due"])
    assert page.locator(".hint", has_text=text["hint"]).count() == 1  # says whose clock the box is on
    due.fill(f"{tomorrow.isoformat()}T02:00")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/tasks") and r.request.method == "POST") as added:
        page.get_by_role("button", name=text["add"]).click()
    assert added.value.status == 201
    page.locator(".toast").wait_for()
    assert due.input_value(), "the next task's box keeps its due time (the form's reset emptied it)"
    page.reload()
    page.locator(".empty", has_text=text["today_empty"]).wait_for()  # 02:00 tomorrow in Moscow is not today
    open_screen(page, "/tasks?view=upcoming", text["tasks"])
    row = page.locator(".list li", has_text="Call Olga about the bouquet")
    assert re.search(r"\b2:00\b|\b02:00\b", row.locator("time").inner_text()), row.locator("time").inner_text()

    # change and reschedule it in a dialog
    page.get_by_role("button", name=text["change"].format("Call Olga about the bouquet")).click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label(text["what"]).fill("Call Olga: wedding bouquet")
    dialog.get_by_role("button", name=text["tomorrow"]).click()
    dialog.get_by_role("button", name=text["save"]).click()
    row = page.locator(".list li", has_text="Call Olga: wedding bouquet")
    row.wait_for()
    assert re.search(r"\b10:00\b", row.locator("time").inner_text()), row.locator("time").inner_text()

    # complete it, then reopen it
    page.get_by_role("button", name=text["complete"].format("Call Olga: wedding bouquet")).click()
    page.locator("li.task-done", has_text="Call Olga: wedding bouquet").wait_for()
    # the row turns open at once (optimistic): the reload waits for the reopen's answer, or it reads the task still done
    with page.expect_response(lambda r: r.url.endswith("/reopen") and r.request.method == "POST") as reopened:
        page.get_by_role("button", name=text["reopen"].format("Call Olga: wedding bouquet")).click()
    assert reopened.value.ok
    page.locator("li:not(.task-done)", has_text="Call Olga: wedding bouquet").wait_for()
    page.reload()
    page.locator("li:not(.task-done)", has_text="Call Olga: wedding bouquet").wait_for()  # open for real
    if size == "phone":
        assert_fits_a_phone(page, screens, lang)
    else:
        screens.shoot(page, lang)
    assert_no_problems(page)
    page.context.close()


def test_a_task_about_a_contact_is_named_by_the_contact(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url, viewport=VIEWPORTS["phone"])
    sign_up(page, company="Named Florist")
    open_screen(page, "/contacts", "Contacts")
    page.get_by_label("First name").fill("Olga")
    page.get_by_label("Last name").fill("Smirnova")
    page.get_by_role("button", name="Add contact").click()
    page.locator("#page-title", has_text="Olga Smirnova").wait_for()
    page.get_by_label("What to do").fill("Send the price list")
    page.get_by_label("Due").fill(f"{(datetime.now(ZoneInfo('America/New_York')) + timedelta(days=2)).date()}T10:00")
    page.get_by_role("button", name="Add task").click()
    on_card = page.locator("[data-links=task] li", has_text="Send the price list")
    on_card.wait_for()
    # due on the company's clock (New York), as the Tasks screen says, not the browser's (Berlin: 16:00)
    assert re.search(r"\b10:00\b", on_card.inner_text()), on_card.inner_text()
    open_screen(page, "/tasks?view=upcoming", "Tasks")
    link = page.locator(".list li", has_text="Send the price list").locator("a.task-related")
    assert link.inner_text() == "Olga Smirnova"  # not "Contact"
    link.click()
    page.locator("#page-title", has_text="Olga Smirnova").wait_for()
    assert_no_problems(page)
    page.context.close()
