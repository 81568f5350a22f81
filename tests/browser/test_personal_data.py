"""The contact card's Personal data menu (GDPR Art. 15/17/20, 152-FZ): an administrator downloads everything held on
a customer as a JSON file, then erases it after a confirmation that says what goes and what stays; an agent is offered
no such menu. Before, a company asked by a customer "what do you hold on me?" or "delete me" had no way to answer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
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


def test_a_long_history_is_prepared_as_a_file_and_erased_in_the_background_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-time customer's data is too large for one answer or one request (the bounds made small here, her items
    real): the menu says a file is being prepared, then offers it to the administrator who asked; her erasure goes on
    in the background and the menu says so, until the queue has finished it."""
    from chalicelib.personaldata import exports, slices
    from tests.personaldata.kit import queue
    from tests.seeds.dataio import ensure_bucket

    ensure_bucket()
    monkeypatch.setattr(exports, "INLINE_ITEMS", 5)
    monkeypatch.setattr(slices, "REQUEST_ITEMS", 5)
    monkeypatch.setattr(slices, "SLICE_ITEMS", 4)
    jobs = queue()
    client = ApiClient(app)
    company = signup(client, company="Harbour Dental")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Wilhelmina", "last_name": "Achterberg"},
                               token=token))
    for visit in range(8):
        assert client.post("/api/v1/notes", {"subject": {"type": "contact", "id": contact["id"]},
                                             "text": f"Check-up {visit}"}, token=token).status_code == 201

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Harbour Dental")
    page.goto(f"/#/contacts/{contact['id']}")
    menu = page.locator("[data-test=personal-data-menu]")
    menu.locator("summary", has_text="Personal data").click()
    menu.get_by_role("button", name="Download personal data").click()
    expect(page.get_by_text("a file is being prepared")).to_be_visible()
    expect(menu.locator("[data-test=personal-data-file]")).to_have_attribute("data-status", "queued")

    assert jobs.drain() == 1  # the queue's function writes the file
    menu.locator("summary").click()
    menu.locator("summary").click()  # opened again: the menu asks anew
    expect(menu.locator("[data-test=personal-data-file]")).to_have_attribute("data-status", "done")
    page.route(re.compile(r"amazonaws\.com"), lambda route: route.fulfill(
        status=200, body='{"format": "crm-personal-data"}',
        headers={"Content-Type": "application/json", "Content-Disposition": "attachment; filename=\"p.json\""}))
    with page.expect_download() as waited:
        menu.get_by_role("button", name="Download file").click()
    assert waited.value.suggested_filename == "p.json"

    menu.get_by_role("button", name="Erase personal data…").click()
    page.get_by_role("dialog").get_by_role("button", name="Erase for good").click()
    expect(menu.locator("[data-test=personal-data-erasing]")).to_contain_text("Erasure in progress")
    expect(menu.get_by_role("button", name="Erase personal data…")).to_have_count(0)
    screens.shoot(page, "personal-data-erasing-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)

    assert jobs.drain() >= 2  # the queue finishes her erasure slice by slice
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=token).status_code == 404
