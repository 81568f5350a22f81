"""Settings → Data → Trash: a deleted contact or deal is found and brought back, or deleted for good by the owner,
with a tab per record type (a deal and a ticket deleted from their own cards among them); a manager restores the
team's and is offered no Delete forever; an agent, who may not delete, is offered no Trash. Before, a deleted record
came back only by reverting its deletion in the audit log, which few roles may do and nobody would look for."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.app_js import app_js
from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def _made(client: ApiClient, path: str, data: dict[str, Any], token: str) -> str:
    answer = client.post(path, data, token=token)
    assert answer.status_code == 201, answer.body
    return str(body(answer)["id"])


def test_the_owner_restores_and_purges_from_the_trash_on_a_phone_in_russian(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветочная лавка", country="RU", locale="ru")
    token = company.owner.token
    manager = add_member(client, company, role="manager", name="managerolga")
    agent = add_member(client, company, role="agent", name="agentanna")
    contact = _made(client, "/api/v1/contacts", {"first_name": "Ольга", "last_name": "Смирнова"}, token)
    deal = _made(client, "/api/v1/deals", {"title": "Свадебные букеты"}, token)
    theirs = _made(client, "/api/v1/deals", {"title": "Букет менеджера"}, manager.token)
    live = _made(client, "/api/v1/deals", {"title": "Живая сделка"}, token)
    ticket = _made(client, "/api/v1/tickets", {"subject": "Помятый букет"}, token)
    for path in (f"/api/v1/contacts/{contact}", f"/api/v1/deals/{deal}", f"/api/v1/deals/{theirs}"):
        assert client.delete(path, token=token).status_code in (200, 204)

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Цветочная лавка")
    page.get_by_label("Language", exact=True).select_option("ru")
    # A name with its own quotes is not quoted twice («Салон красоты «Лилия»» read as a typo)
    said = page.evaluate(app_js("""async () => { const { t } = await import('/static/js/i18n.js');
      return [t('trash.restored', { name: 'Салон красоты «Лилия»' }), t('trash.restored', { name: 'Лилия' })]; }"""))
    assert said == ["Салон красоты «Лилия» восстановлено.", "«Лилия» восстановлено."]
    for path, back in ((f"/#/deals/{live}", "#/deals"), (f"/#/tickets/{ticket}", "#/tickets")):
        page.goto(path)  # a deal's and a ticket's own card move it to the trash
        page.locator("[data-test=trash-record]").click()
        page.get_by_role("dialog").get_by_role("button", name="Удалить").click()
        page.wait_for_url(f"**/{back}*")
    assert client.get(f"/api/v1/tickets/{ticket}", token=token).status_code == 404
    page.goto("/#/settings")
    page.get_by_role("link", name="Данные").click()
    page.get_by_role("navigation", name="Данные").get_by_role("link", name="Корзина").click()
    row = page.locator("[data-trash]", has_text="Ольга Смирнова")
    expect(row).to_contain_text("можно восстановить до")
    screens.shoot(page, "trash-contacts-ru")
    # Deleting a contact for good says what stays: what was done with the customer is not deleted with the card
    row.get_by_role("button", name="Удалить навсегда").click()
    expect(page.get_by_role("dialog")).to_contain_text("сделки, переписки, звонки, заказы и обращения")
    page.get_by_role("dialog").get_by_role("button", name="Отмена").click()
    row.get_by_role("button", name="Восстановить").click()
    expect(page.locator(".empty")).to_contain_text("Корзина пуста")
    assert client.get(f"/api/v1/contacts/{contact}", token=token).status_code == 200  # back in the contacts

    page.get_by_role("navigation", name="Типы записей").get_by_role("link", name="Сделки").click()
    expect(page.locator("[data-trash]")).to_have_count(3)
    wedding = page.locator("[data-trash]", has_text="Свадебные букеты")
    wedding.get_by_role("button", name="Удалить навсегда").click()
    page.get_by_role("dialog").get_by_role("button", name="Удалить навсегда").click()
    expect(page.locator("[data-trash]")).to_have_count(2)
    page.get_by_role("navigation", name="Типы записей").get_by_role("link", name="Обращения").click()
    expect(page.locator("[data-trash]", has_text="Помятый букет")).to_be_visible()
    assert client.delete(f"/api/v1/trash/deals/{deal}", token=token).status_code == 404  # gone for good
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, manager, "Цветочная лавка", at="/settings/trash?type=deals")
    mine = page.locator("[data-trash]", has_text="Букет менеджера")
    expect(mine.get_by_role("button", name="Restore")).to_be_visible()
    assert mine.get_by_role("button", name="Delete forever").count() == 0  # purging is the administrators'
    mine.get_by_role("button", name="Restore").click()
    expect(page.locator(".empty")).to_contain_text("The trash is empty.")

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, agent, "Цветочная лавка", at="/settings/data")
    page.get_by_role("heading", name="Import").first.wait_for()
    assert page.get_by_role("link", name="Trash").count() == 0
