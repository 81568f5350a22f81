"""Settings → Automations flags a rule that hands work to a colleague who can no longer take it (her role changed, she
left), says why, what happens meanwhile and how to fix it; a save that would name her again is refused with the
action marked; the run log says in the reader's language who took the work instead. At 1280 and 390 px, in English
and in Russian."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect

from chalicelib.core.tenancy import TenantContext, bind
from tests.browser.conftest import Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body

ACCOUNTANT = ["deals:read:all", "orders:read:all", "users:read:all", "pipelines:read:all"]
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _rule(client: ApiClient, company: Company, name: str, *actions: dict[str, Any]) -> dict[str, Any]:
    made = client.post("/api/v1/automations", {"name": name, "trigger": {"type": "record.created", "entity": "deal"},
                                               "actions": list(actions)}, token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _run(client: ApiClient, company: Company, rule_id: str, member: Member) -> list[dict[str, Any]]:
    """The rule run for a new deal of the member's, as the feed runs it (the browser tests deliver no stream)."""
    from chalicelib.automations import engine, service

    deal = body(client.post("/api/v1/deals", {"title": "Brake pads"}, token=member.token))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        rule = service.get(ctx, rule_id)
        assert rule is not None
        run = engine.start(ctx, rule, event_id=f"browser-{rule_id}", at=datetime.now(UTC),
                           happening=engine.Happening("record.created", {"entity": "deal", "changed": {"title"}},
                                                      "deal", deal["id"]))
    assert run is not None
    return list(run.steps)


def test_a_rule_whose_colleague_cannot_read_tasks_is_flagged_and_fixed_by_picking_someone_else(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Wheel Works")
    role = client.post("/api/v1/roles", {"key": "accountant", "name": "Accountant", "permissions": ACCOUNTANT},
                       token=company.owner.token)
    assert role.status_code == 201, role.body
    bookkeeper = add_member(client, company, role="agent", name="bookkeeper")
    mechanic = add_member(client, company, role="agent", name="mechanic")
    rule = _rule(client, company, "Check the payment", {"type": "create_task", "title": "Check {title}",
                                                        "assignee": bookkeeper.user_id})
    user = body(client.get(f"/api/v1/users/{bookkeeper.user_id}", token=company.owner.token))
    moved = client.patch(f"/api/v1/users/{bookkeeper.user_id}", {"version": user["version"], "role": "accountant"},
                         token=company.owner.token)
    assert moved.status_code == 200, moved.body
    steps = _run(client, company, rule["id"], mechanic)  # her task went to the deal's owner, not to nobody
    assert [(s["code"], s["params"]["user_id"]) for s in steps] == [("task_created_instead", mechanic.user_id)]

    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900})
    log_in(page, company.owner, "Wheel Works", at="/settings/automations")
    card = page.locator("[data-test=rule]", has_text="Check the payment")
    flag = card.locator("[data-test=rule-problem]")
    expect(flag).to_contain_text("Needs attention")
    expect(flag).to_contain_text("Create a task: Bookkeeper cannot take this work: their role cannot read tasks. "
                                 "Pick someone else.")
    expect(flag).to_contain_text("a task goes to the record’s owner")  # noqa: RUF001
    card.get_by_role("button", name="Run log").click()
    expect(page.locator("dialog [data-test=run-step]")).to_contain_text(
        "Created a task for Mechanic: Bookkeeper cannot take it (their role cannot read tasks)")
    page.get_by_role("button", name="Close").click()
    screens.shoot(page, "automations-flagged")
    assert page.evaluate(NO_SIDEWAYS)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone too: the flag and its button, no sideways
    flag.get_by_role("button", name="Pick someone else").scroll_into_view_if_needed()
    expect(flag.get_by_role("button", name="Pick someone else")).to_be_in_viewport()
    fits_the_phone(page, screens, "automations-flagged-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    flag.get_by_role("button", name="Pick someone else").click()
    dialog = page.locator("dialog")
    expect(dialog.locator("[data-test=action-problem]")).to_contain_text("their role cannot read tasks")
    expect(dialog.get_by_label("Who").locator("option:checked")).to_have_text("Bookkeeper (cannot take it)")
    dialog.locator("[data-test=rule-save]").click()  # saved as it is: refused, the action marked
    expect(dialog.locator(".form-status")).to_have_text(
        "A colleague this rule hands work to cannot read it: pick someone else where it is marked.")
    dialog.get_by_label("Who").select_option(mechanic.user_id)
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_text("Rule saved")).to_be_visible()
    expect(card.locator("[data-test=rule-problem]")).to_have_count(0)
    assert body(client.get(f"/api/v1/automations/{rule['id']}", token=company.owner.token))["actions"][0][
        "assignee"] == mechanic.user_id
    # a new rule's task is offered only to colleagues who read tasks; its deal (assign) to those who read deals
    page.locator(".auto-column", has_text="Other triggers").locator("[data-test=rule-add]").click()
    dialog = page.locator("dialog")
    offered = dialog.get_by_label("Who").locator("option").all_inner_texts()
    assert "Mechanic" in offered and not any("Bookkeeper" in text for text in offered), offered
    dialog.locator("[data-test=action-type]").select_option("assign")
    offered = dialog.get_by_label("Who").locator("option").all_inner_texts()
    assert "Bookkeeper" in offered, offered
    dialog.get_by_label("Record", exact=True).select_option("contact")  # her role reads deals, not contacts
    offered = dialog.get_by_label("Who").locator("option").all_inner_texts()
    assert "Mechanic" in offered and not any("Bookkeeper" in text for text in offered), offered
    dialog.get_by_role("button", name="Cancel").click()
    assert_no_problems(page)


def test_a_round_robin_naming_a_mechanic_who_left_is_flagged_in_russian_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Колесо", locale="ru", country="RU", timezone="Europe/Moscow")
    first = add_member(client, company, role="agent", name="ivan")
    second = add_member(client, company, role="agent", name="pavel")
    rule = _rule(client, company, "Новые заказ-наряды по очереди", {"type": "assign", "assignee": "round_robin",
                                                                  "users": [second.user_id, first.user_id]})
    left = client.post(f"/api/v1/users/{second.user_id}/deactivate", {}, token=company.owner.token)
    assert left.status_code == 200, left.body
    steps = _run(client, company, rule["id"], company.owner)  # his turn went to the one still here
    assert [(s["code"], s["params"]["user_id"]) for s in steps] == [("assigned_instead", first.user_id)]

    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    in_russian(page, company.owner, "Автосервис Колесо", "/settings/automations")
    card = page.locator("[data-test=rule]", has_text="Новые заказ-наряды по очереди")
    flag = card.locator("[data-test=rule-problem]")
    expect(flag).to_contain_text("Требует внимания")
    expect(flag).to_contain_text("Назначить ответственного: Pavel: больше не работает (отключён) или ещё не принял "
                                 "приглашение. Выберите другого сотрудника.")
    card.scroll_into_view_if_needed()
    fits_the_phone(page, screens, "automations-flagged-ru-phone")
    page.set_viewport_size({"width": 1280, "height": 900})  # and on a desktop
    expect(flag.get_by_role("button", name="Выбрать другого")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "automations-flagged-ru")
    card.get_by_role("button", name="Журнал").click()
    expect(page.locator("dialog [data-test=run-step]")).to_contain_text(
        "Ответственный: Ivan (Pavel пропущен: больше не работает (отключён) или ещё не принял приглашение)")
    assert page.evaluate(NO_SIDEWAYS)
    page.get_by_role("button", name="Закрыть").click()
    flag.get_by_role("button", name="Выбрать другого").click()
    expect(page.locator("dialog [data-test=action-problem]")).to_contain_text("Pavel: больше не работает")
    chosen = page.locator("dialog select[multiple] option:checked")
    expect(chosen).to_have_text(["Ivan", "Pavel (не может принять)"])  # he stays shown, to be taken off the round
    assert page.evaluate(NO_SIDEWAYS)
    assert_no_problems(page)
