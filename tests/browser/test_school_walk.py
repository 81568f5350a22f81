# ruff: noqa: RUF001
"""An English school in Yekaterinburg on a phone, in Russian: the administrator who books trial lessons sets up the
parents' reminder from the ready-made rule."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_trial_lesson_reminder_leaves_the_managers_call_backs_out(browser: Any, live_url: str, app: Any) -> None:
    # The ready-made reminder reminded parents of every task about them with a time, the call-back a web lead makes
    # for the manager too («напоминаем: Перезвонить: Мария Иванова»). It now ticks to-dos and meetings (a trial lesson,
    # a visit) and leaves calls and e-mails out; the boxes say so and can be changed.
    client = ApiClient(app)
    company = signup(client, company="Английский с Анной", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    page = russian_phone(browser, live_url, company.owner, "Английский с Анной")
    page.evaluate("() => { location.hash = '#/settings/automations'; }")
    page.get_by_role("button", name="Напомнить клиенту о записи").click()
    kinds = page.locator("dialog").get_by_role("group", name="О каких задачах напоминать клиенту")
    for kind, ticked in (("Дело", True), ("Звонок", False), ("Встреча", True), ("Письмо", False)):
        expect(kinds.get_by_label(kind, exact=True)).to_be_checked(checked=ticked)
    kinds.get_by_label("Дело", exact=True).uncheck()  # the school books trial lessons as meetings only
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    page.locator("dialog [data-test=rule-save]").click()
    expect(page.get_by_label("Включено: Напомнить клиенту о записи")).to_be_visible()
    [rule] = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
              if rule["trigger"]["type"] == "task.due_soon"]
    assert rule["trigger"] == {"type": "task.due_soon", "minutes_before": 1440, "task_kinds": ["meeting"]}
    assert_no_problems(page)
