# ruff: noqa: RUF001
"""Two contacts of one person are merged from the contacts list. An English school's owner found two «Елена
Кузнецова»: the parent wrote to the school's bot (a contact with her Telegram), then filled in the site's form with her
phone (another contact, with the trial booked on its deal), and the web app offered no way to make them one, though
the API merges contacts. Ticking the two and choosing «Объединить два контакта в один» keeps the one made first with
the other's phone, deal and history, after a confirmation; any other number of ticked contacts is refused."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_owner_merges_a_parents_two_contacts_from_the_list(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg", locale="ru")
    token = company.owner.token
    chat = body(client.post("/api/v1/contacts", {"first_name": "Елена", "last_name": "Кузнецова",
                                                 "messengers": {"telegram_username": "elena_k"}}, token=token))
    form = body(client.post("/api/v1/contacts", {"first_name": "Елена", "last_name": "Кузнецова",
                                                 "phones": [{"number": "+7 912 345-67-89"}]}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Пробный урок: Елена", "contact_ids": [form["id"]]},
                            token=token))
    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900}, locale="ru-RU")
    log_in(page, company.owner, "Английский с Анной", at="/contacts")
    rows = page.locator(".contact-list li")
    expect(rows).to_have_count(2)
    boxes = page.get_by_label("Выбрать: Елена Кузнецова")
    boxes.first.check()
    page.get_by_label("Действие", exact=True).select_option(label="Объединить два контакта в один")
    page.get_by_role("button", name="Применить", exact=True).click()
    page.locator(".toast", has_text="Отметьте ровно два контакта").wait_for()
    boxes.nth(1).check()
    page.get_by_role("button", name="Применить", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(
        "Объединить «Елена Кузнецова» с «Елена Кузнецова»? Останется контакт, созданный раньше")
    screens.shoot(page, "merge-confirm")
    dialog.get_by_role("button", name="Объединить").click()
    page.locator(".toast", has_text="Контакты объединены").wait_for()
    expect(rows).to_have_count(1)
    kept = body(client.get(f"/api/v1/contacts/{chat['id']}", token=token))
    assert [phone["number"] for phone in kept["phones"]] == ["+79123456789"]
    assert kept["messengers"] == {"telegram_username": "elena_k"}
    assert [link["id"] for link in kept["links"]["deal"]] == [deal["id"]]
    assert client.get(f"/api/v1/contacts/{form['id']}", token=token).status_code == 404
    screens.shoot(page, "merged")
    assert_no_problems(page)
