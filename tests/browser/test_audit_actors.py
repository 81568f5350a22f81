"""Settings → Audit log names who acted when it was not a person: an automation rule by its name, a deal's amount
set from its order by that order (a link), the CRM's own workers by what they do; and its "Record type" filter
offers every type the log holds (orders, tickets, products), in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.core.tenancy import TenantContext, bind
from tests.browser.conftest import PHONE, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_log_names_a_rule_an_order_and_the_crm_and_filters_any_type(browser: Any, live_url: str,
                                                                        app: Any) -> None:
    from chalicelib.automations import engine, service

    client = ApiClient(app)
    company = signup(client, company="Журнал Бейкери", country="RU", locale="ru")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Анна"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Торт на свадьбу", "contact_ids": [contact["id"]],
                                              "amount": {"minor": 0, "currency": "RUB"}}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact["id"], "deal_id": deal["id"],
                                                "lines": [{"description": "Торт", "quantity": "1",
                                                           "unit_price_minor": 900_000}]}, token=token))
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    rule = body(client.post("/api/v1/automations", {
        "name": "Позвонить по сделке",
        "trigger": {"type": "deal.stage_entered", "pipeline_id": pipeline["id"],
                    "stage_id": pipeline["stages"][1]["id"]},
        "actions": [{"type": "create_task", "title": "Позвонить: {title}", "due_in_minutes": 60}]}, token=token))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):  # the rule run as the feed runs it (the browser tests deliver no stream)
        found = service.get(ctx, rule["id"])
        assert found is not None
        run = engine.start(ctx, found, event_id="audit-actors", at=datetime.now(UTC),
                           happening=engine.Happening("deal.stage_entered", {}, "deal", deal["id"]))
    assert run is not None and [step["code"] for step in run.steps] == ["task_created"], run

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Журнал Бейкери")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/settings/audit?entity=deal")
    by_order = page.locator("a", has_text=f"заказ № {order['number']}")  # by its number, read with the page
    meta = page.locator(".audit-list .meta", has=by_order)
    meta.wait_for()
    assert meta.locator("a").get_attribute("href") == f"#/orders/{order['id']}"
    assert "Система: заказ" in meta.inner_text()
    assert order["id"] not in meta.inner_text()  # "System order:01J…" until the order was named

    page.goto("/#/settings/audit?entity=task")
    page.locator(".audit-list .meta", has_text="Автоматизация «Позвонить по сделке»").wait_for()
    assert rule["id"] not in " ".join(page.locator(".audit-list .meta").all_inner_texts())

    # Every type the log may hold is offered by its name: an order's changes are one choice away.
    types = page.get_by_label("Тип записи").locator("option").all_inner_texts()
    assert {"Заказ", "Обращение", "Товар", "Сделка", "Контакт"} <= set(types), types
    assert types[1:] == sorted(types[1:], key=str.casefold), types
    page.get_by_label("Тип записи").select_option(label="Заказ")
    page.get_by_role("button", name="Применить").click()
    page.wait_for_url("**entity=order**")
    page.locator(".audit-list > li", has_text="Заказ").first.wait_for()
    actions = page.get_by_label("Действие").locator("option").all_inner_texts()
    assert len(actions) == len(set(actions)), actions  # no two choices read alike
    assert_no_problems(page)
