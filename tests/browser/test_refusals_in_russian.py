"""Refusals read in Russian on a Russian screen, on a 390 px phone: a Kazan salon's owner deleting a confirmed order
(409 order_active, whose API message is English) and inviting a third person on the Free plan (402 plan_limit_reached).
Before every code had its text (tests/browser/test_error_texts.py), the first read 'Cancel the order (or take it
back) before deleting it: its stock is held.'"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.billing import helpers
from tests.browser.app_js import app_js
from tests.browser.conftest import PHONE, Screens, assert_fits_a_phone, new_page
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup, unique_email
from tests.support import ApiClient, body

# The refusals this walk meets on purpose; the console reports each failed fetch.
EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of (402|409)")


def _made(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.body
    return dict(body(response))


def test_a_held_order_and_a_plan_limit_are_refused_in_russian_on_a_phone(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Салон Казань", country="RU", locale="ru")
    token = company.owner.token
    currency = body(client.get("/api/v1/tenant", token=token))["currency"]
    add_member(client, company, role="agent")
    contact = _made(client.post("/api/v1/contacts", {"first_name": "Гузель"}, token=token))
    order = _made(client.post("/api/v1/orders", {"currency": currency, "contact_id": contact["id"], "lines": [
        {"description": "Стрижка и укладка", "quantity": "1", "unit_price_minor": 250000}]}, token=token))
    _made(client.post(f"/api/v1/orders/{order['id']}/status", {"status": "confirmed", "version": order["version"]},
                      token=token))
    helpers.end_trial(company)  # Free: 2 users, both taken
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Салон Казань")
    page.get_by_label("Language", exact=True).select_option("ru")

    page.goto(f"/#/orders/{order['id']}")
    expect(page.locator(".order-status").first).to_have_text("Подтверждён")
    page.locator("[data-test=trash-record]").click()
    page.get_by_role("dialog").get_by_role("button", name="Удалить").click()
    toast = page.locator(".toast-error")
    expect(toast).to_have_text("Заказ ещё держит товары на складе. Сначала отмените заказ, затем удалите.")
    assert_fits_a_phone(page, screens, "refusal-order-active-ru")
    expect(page.locator(".order-status").first).to_have_text("Подтверждён")  # nothing changed: still on its card
    assert client.get(f"/api/v1/orders/{order['id']}", token=token).status_code == 200

    page.goto("/#/settings/users")
    invite = page.get_by_role("form", name="Пригласить пользователя")
    invite.locator("[name=email]").fill(unique_email("third"))
    invite.locator("[name=name]").fill("Алия Мастер")
    invite.get_by_role("button", name="Отправить приглашение").click()
    prompt = invite.locator(".form-status.upgrade")
    expect(prompt.locator("[data-test=upgrade-message]")).to_have_text(
        "Тариф «Бесплатный» позволяет 2 (пользователей); используется 2. Это есть в тарифе «Старт».")
    assert_fits_a_phone(page, screens, "refusal-plan-limit-ru")
    assert len(body(client.get("/api/v1/users", token=token))["items"]) == 2  # nobody invited
    # A refusal whose API message names its reason keeps those words on an English screen, not on a Russian one;
    # one whose message says nothing more than its code reads our text in both.
    said = page.evaluate(app_js("""async () => {
      const i18n = await import('/static/js/i18n.js');
      const revert = { code: 'not_revertable', message: 'This task no longer exists.' };
      const order = { code: 'order_active', message: 'Cancel the order (or take it back) before deleting it.' };
      const stage = { loc: ['stages'], msg: 'A pipeline needs exactly one won stage', type: 'invalid_stages' };
      const russian = [i18n.errorMessage(revert), i18n.detailMessage(stage)];
      i18n.setLang('en');
      return [...russian, i18n.errorMessage(revert), i18n.errorMessage(order), i18n.detailMessage(stage)];
    }"""))
    assert said[0].startswith("Это изменение отменить нельзя: запись")
    assert "воронке нужны ровно один выигрышный этап" in said[1]  # a field's problem too
    assert said[2:] == ["This task no longer exists.",
                        "The order still holds its products in stock. Cancel the order first, then delete it.",
                        "A pipeline needs exactly one won stage"]
    problems = [p for p in page.problems if not EXPECTED.search(p)]
    assert not problems, problems
