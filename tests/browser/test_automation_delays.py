"""A rule's task is due after a delay typed in the unit people think in (static/screens/automations.js): "in 6
months", not "in 262800 minutes"; the API keeps minutes (a month is 30 days, and the builder says so), and a rule
reopened shows its delay in its largest whole unit. The rules of a shop that works through orders are built there
too (an order paid, an order entering a status). At 1280 px in English and on a phone in Russian."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def _saved(client: ApiClient, company: Company, name: str) -> tuple[dict[str, Any], int]:
    """The rule's trigger and its task's delay in minutes, as the API has them."""
    (rule,) = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
               if rule["name"] == name]
    (action,) = rule["actions"]
    return rule["trigger"], int(action["due_in_minutes"])


def test_a_car_service_sets_the_next_service_reminder_in_months(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Delay Garage")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Delay Garage")
    page.evaluate("() => { location.hash = '#/settings/automations'; }")
    page.get_by_role("button", name="Add a rule", exact=True).click()
    dialog = page.locator("dialog")
    dialog.locator("[data-test=rule-name]").fill("Next service")
    dialog.locator("[data-test=trigger-type]").select_option("order.paid")
    expect(dialog.locator("[data-test=trigger-type] option:checked")).to_have_text("An order is paid in full")
    dialog.locator("[data-test=task-title]").fill("Invite to the next service: {title}")
    amount, unit = dialog.locator("[data-test=due-in-amount]"), dialog.locator("[data-test=due-in-unit]")
    expect(amount).to_have_value("1")  # a new task's 60 minutes
    expect(unit).to_have_value("hours")
    expect(dialog.get_by_text("A month counts as 30 days.")).to_be_hidden()
    dialog.get_by_label("Due in").fill("6")
    unit.select_option("months")
    expect(unit.locator("option:checked")).to_have_text("months")
    expect(dialog.get_by_text("A month counts as 30 days.")).to_be_visible()
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_label("On: Next service")).to_be_visible()
    assert _saved(client, company, "Next service") == ({"type": "order.paid"}, 6 * 30 * 24 * 60)

    card = page.locator("[data-test=rule]", has_text="Next service")
    card.get_by_role("button", name="Change").click()  # reopened: its months, not 259200 minutes
    expect(dialog.locator("[data-test=due-in-amount]")).to_have_value("6")
    expect(dialog.locator("[data-test=due-in-unit]")).to_have_value("months")


def test_a_russian_owner_sets_a_delay_in_weeks_on_her_phone(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Сервис недели", locale="ru", country="RU", timezone="Europe/Moscow")
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    in_russian(page, company.owner, "Сервис недели", "/settings/automations")
    page.get_by_role("button", name="Добавить правило", exact=True).click()
    dialog = page.locator("dialog")
    dialog.locator("[data-test=rule-name]").fill("Позвонить через две недели")
    dialog.locator("[data-test=trigger-type]").select_option("order.status_changed")
    dialog.locator("[data-test=order-status]").select_option("delivered")
    expect(dialog.locator("[data-test=order-status] option:checked")).to_have_text("Доставлен")
    dialog.locator("[data-test=task-title]").fill("Позвонить: {title}")
    dialog.get_by_label("Срок через").fill("2")
    unit = dialog.locator("[data-test=due-in-unit]")
    unit.select_option("weeks")
    expect(unit.locator("option:checked")).to_have_text("недели")  # "через 2 недели", worded for the number
    dialog.get_by_label("Срок через").fill("5")
    expect(unit.locator("option:checked")).to_have_text("недель")
    dialog.get_by_label("Срок через").fill("2")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_label("Включено: Позвонить через две недели")).to_be_visible()
    assert _saved(client, company, "Позвонить через две недели") == (
        {"type": "order.status_changed", "status": "delivered"}, 2 * 7 * 24 * 60)
