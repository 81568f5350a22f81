"""Settings → Automations (static/screens/automations.js): the pipeline's stages as the canvas, a rule built
When → If → Then in a dialog and saved through the API, switched off, and its run log, worded in Russian from
each step's code with the record it made linked; on a phone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect

from chalicelib.core.tenancy import TenantContext, bind
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def _run(client: ApiClient, company: Company, rule_id: str) -> str:
    """The rule run for a deal entering its stage, as the feed runs it (the browser tests deliver no stream)."""
    from chalicelib.automations import engine, service

    deal = body(client.post("/api/v1/deals", {"title": "Big kitchen", "amount": {"minor": 5000_00, "currency": "USD"}},
                            token=company.owner.token))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        rule = service.get(ctx, rule_id)
        assert rule is not None
        run = engine.start(ctx, rule, event_id="browser-run", at=datetime.now(UTC),
                           happening=engine.Happening("deal.stage_entered", {}, "deal", deal["id"]))
    assert run is not None
    assert [step["code"] for step in run.steps] == ["task_created", "notified"], run.steps
    return str(deal["id"])


def test_an_owner_builds_a_rule_on_a_stage_and_switches_it_off(browser: Any, live_url: str, app: Any,
                                                              screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Rule Bakery")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Rule Bakery")
    page.evaluate("() => { location.hash = '#/settings/automations'; }")
    canvas = page.locator("[data-test=auto-canvas]")
    expect(canvas.locator(".auto-column-title", has_text="Proposal")).to_be_visible()
    page.get_by_role("button", name="Add a rule to “Proposal”").click()
    dialog = page.locator("dialog")
    dialog.locator("[data-test=rule-name]").fill("Offer follow-up")
    dialog.get_by_role("button", name="Add a condition").click()
    dialog.get_by_label("Value").fill("100000")
    dialog.locator("[data-test=task-title]").fill("Call about {title}")
    dialog.get_by_role("button", name="Add an action").click()
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_text("Rule saved")).to_be_visible()
    column = canvas.locator(".auto-column", has=page.locator(".auto-column-title", has_text="Proposal"))
    expect(column.locator("[data-test=rule]")).to_have_count(1)
    (rule,) = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
               if rule["name"] == "Offer follow-up"]  # beside the birthday greeting every company starts with
    assert rule["trigger"]["type"] == "deal.stage_entered" and rule["conditions"] == [
        {"field": "amount_minor", "op": "gte", "value": 100000}]
    assert [a["type"] for a in rule["actions"]] == ["create_task", "notify"]
    assert rule["actions"][0]["title"] == "Call about {title}"

    column.get_by_label("On: Offer follow-up").uncheck()
    expect(column.locator("[data-test=rule].is-off")).to_have_count(1)
    assert body(client.get(f"/api/v1/automations/{rule['id']}", token=company.owner.token))["enabled"] is False
    column.get_by_role("button", name="Run log").click()
    expect(page.get_by_text("It has not run yet.")).to_be_visible()
    page.get_by_role("button", name="Close").click()

    page.get_by_role("button", name="Add a rule", exact=True).click()  # another trigger: a customer's message
    dialog = page.locator("dialog")
    dialog.locator("[data-test=rule-name]").fill("Prices on request")
    dialog.locator("[data-test=trigger-type]").select_option("message.received")
    dialog.get_by_label("Message contains").fill("price")
    dialog.locator("[data-test=action-type]").select_option("send_message")
    dialog.get_by_label("Text", exact=True).fill("Our prices: example.com/prices")
    dialog.get_by_label("WhatsApp template (outside 24 hours)").fill("price_list")
    dialog.locator("[data-test=rule-save]").click()
    # the rule on the canvas, not the toast (the first save's may still show): the save has been answered
    expect(page.get_by_label("On: Prices on request")).to_be_visible()
    (answer,) = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
                 if rule["name"] == "Prices on request"]
    assert answer["trigger"] == {"type": "message.received", "channel": "any", "text_contains": "price",
                                 "first_only": False}
    assert answer["actions"] == [{"type": "send_message", "text": "Our prices: example.com/prices",
                                  "template": {"name": "price_list", "language": "en", "parameters": []},
                                  "channel": None, "integration_id": None}]
    assert_fits_a_phone(page, screens, "automations")

    # The run log in Russian: each step worded from its code, the task linked to the deal it is about, the person
    # told named; not the engine's English ("task 01M…", "told 01M…").
    deal_id = _run(client, company, rule["id"])
    page.evaluate("() => localStorage.setItem('crm.lang', 'ru')")
    page.reload()
    column = page.locator("[data-test=auto-canvas] .auto-column", has=page.locator(".auto-column-title",
                                                                                  has_text="Proposal"))
    column.get_by_role("button", name="Журнал").click()
    steps = page.locator("dialog [data-test=run-step]")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Поставить задачу: Выполнено (1 попытка) — Поставлена задача")
    expect(steps.nth(1)).to_contain_text("Уведомлены: ")
    assert steps.nth(0).locator("[data-test=run-record]").get_attribute("href") == f"#/deals/{deal_id}"
    log = page.locator("dialog").inner_text()
    assert "task 01" not in log and "told" not in log and company.owner.user_id not in log, log
    assert_fits_a_phone(page, screens, "automations-run-log-ru")
    steps.nth(0).locator("[data-test=run-record]").click()  # the link leaves the dialog for the deal's card
    expect(page.locator("dialog")).to_have_count(0)
    page.wait_for_url(f"**/#/deals/{deal_id}")
    assert_no_problems(page)


def test_a_salon_owner_makes_the_appointment_reminder_from_the_recipe_on_her_phone(browser: Any, live_url: str,
                                                                                   app: Any) -> None:
    # A Russian salon owner on her phone: the ready-made "remind the client" rule opens filled in, she sets it to two
    # hours and a half before the visit and saves it; the API has the trigger in minutes and the text's fields.
    client = ApiClient(app)
    company = signup(client, company="Салон напоминания", locale="ru", country="RU", timezone="Europe/Moscow")
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    in_russian(page, company.owner, "Салон напоминания", "/settings/automations")
    recipe = "Напомнить клиенту о записи"  # noqa: RUF001
    hours = "За сколько часов до времени задачи"  # noqa: RUF001
    page.get_by_role("button", name=recipe).click()
    dialog = page.locator("dialog")
    expect(dialog.locator("[data-test=trigger-type]")).to_have_value("task.due_soon")
    expect(dialog.get_by_label(hours)).to_have_value("24")
    dialog.get_by_label(hours).fill("2")
    dialog.get_by_label("И минут").fill("30")
    expect(dialog.get_by_text("{when} («завтра в 14:00»)", exact=False)).to_be_visible()
    # switched on, it reminds the visits already booked too (automations.sweep), and says so
    expect(dialog.locator("[data-test=applies-existing]")).to_have_text(
        "С момента включения правило действует и на то, что уже есть в CRM: на задачи, сделки и контакты, созданные "  # noqa: RUF001
        "раньше.")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_label(f"Включено: {recipe}")).to_be_visible()
    (rule,) = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
               if rule["trigger"]["type"] == "task.due_soon"]
    assert (rule["name"], rule["enabled"], rule["trigger"]) == (
        recipe, True, {"type": "task.due_soon", "minutes_before": 150, "task_kinds": ["todo", "meeting"]})
    assert [(a["type"], a["text"]) for a in rule["actions"]] == [
        ("send_message", "{first_name}, напоминаем: {when} {task}, мастер {assignee}. Ждём вас!")]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert_no_problems(page)
