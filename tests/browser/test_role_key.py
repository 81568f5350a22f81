"""A Russian-speaking owner names a new role or custom field and is not asked to invent a Latin key: the key follows
the name as it is typed (Cyrillic written in Latin letters) until the owner types one by hand."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_key_of_a_role_and_a_custom_field_follows_its_russian_name(browser: Any, live_url: str, app: Any,
                                                                       screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Ключ", locale="ru", country="RU")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Автосервис Ключ")
    page.get_by_label("Language", exact=True).select_option("ru")

    page.goto("/#/settings/roles")
    page.get_by_label("Название роли").fill("Механик-приёмщик 2")
    key = page.get_by_role("textbox", name="Ключ")
    assert key.input_value() == "mekhanik_priyomschik_2"
    page.locator("details.permission-group summary", has_text="Работа \u0441 клиентами").click()  # folded on a phone
    page.get_by_role("checkbox", name="Контакты: Просмотр").check()
    page.get_by_role("button", name="Создать роль").click()
    page.locator("li", has_text="Механик-приёмщик 2").first.wait_for()
    roles = {role["key"]: role for role in body(client.get("/api/v1/roles", token=company.owner.token))["items"]}
    assert "contacts:read:all" in roles["mekhanik_priyomschik_2"]["permissions"]
    screens.shoot(page, "role-made")

    # A key typed by hand is kept whatever the name becomes.
    page.get_by_label("Название роли").fill("Кладовщик")
    assert key.input_value() == "kladovschik"
    key.fill("stock")
    page.get_by_label("Название роли").fill("Кладовщица")
    assert key.input_value() == "stock"

    page.goto("/#/settings/custom-fields")
    page.get_by_label("Название поля").fill("Пробег, км")
    assert page.get_by_role("textbox", name="Ключ").input_value() == "probeg_km"
    assert_no_problems(page)
    page.context.close()
