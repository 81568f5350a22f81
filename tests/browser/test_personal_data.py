"""The contact card's Personal data menu (GDPR Art. 15/17/20, 152-FZ): an administrator downloads everything held on
a customer as a JSON file, then erases it after a confirmation that says what goes and what stays; an agent is offered
no such menu. Before, a company asked by a customer "what do you hold on me?" or "delete me" had no way to answer."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in, russian_phone
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_an_administrator_downloads_and_erases_a_customers_data_in_russian(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветочный двор", country="RU", locale="ru")
    token = company.owner.token
    agent = add_member(client, company, role="agent", name="agentirina")
    made = client.post("/api/v1/contacts", {"first_name": "Ольга", "last_name": "Смирнова",
                                            "phones": [{"number": "+7 916 222-33-44"}],
                                            "passport_number": "4510 777888"}, token=token)
    assert made.status_code == 201, made.body
    contact = body(made)
    assert client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]},
                                         "text": "Любит пионы"}, token=token).status_code == 201

    page = russian_phone(browser, live_url, company.owner, "Цветочный двор")
    page.goto(f"/#/contacts/{contact['id']}")
    menu = page.locator("[data-test=personal-data-menu]")
    menu.locator("summary", has_text="Персональные данные").click()
    with page.expect_download() as waited:
        menu.get_by_role("button", name="Скачать персональные данные").click()
    with open(waited.value.path(), encoding="utf-8") as file:
        saved = json.load(file)
    assert saved["contact"]["last_name"] == "Смирнова" and saved["contact"]["passport_number"] == "4510 777888"
    assert [entry["summary"] for entry in saved["timeline"] if entry["entry_kind"] == "note"] == ["Любит пионы"]

    menu.get_by_role("button", name="Удалить персональные данные…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Ольга Смирнова")
    expect(dialog).to_contain_text("заказы и счета")
    screens.shoot(page, "personal-data-erase-ru")
    dialog.get_by_role("button", name="Отмена").click()
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=token).status_code == 200
    menu.get_by_role("button", name="Удалить персональные данные…").click()
    page.get_by_role("dialog").get_by_role("button", name="Удалить навсегда").click()
    page.wait_for_url("**/#/contacts*")
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=token).status_code == 404
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)

    other = body(client.post("/api/v1/contacts", {"first_name": "Пётр"}, token=agent.token))  # the agent's own
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, agent, "Цветочный двор")
    page.goto(f"/#/contacts/{other['id']}")
    page.locator("h1", has_text="Пётр").wait_for()
    expect(page.locator("[data-test=personal-data-menu]")).to_have_count(0)
