"""The settings screens added for custom fields, pipelines, integrations, audit and data: in Russian on a 360 px
phone, every text translated (a missing one logs an error), nothing scrolling sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import NARROW, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import BENIGN, sign_up

SCREENS = [
    ("/settings/custom-fields", "Новое поле"),
    ("/settings/custom-fields?entity=deal", "Поля: Сделки"),
    ("/settings/pipelines", "Новая воронка"),
    ("/settings/integrations", "Подключить форму сайта"),
    ("/settings/audit", "Проверить цепочку"),
    ("/settings/audit/reads", "Защищённые значения никто не просматривал"),
    ("/settings/data", "Удалить компанию"),
]


@pytest.mark.parametrize(("path", "text"), SCREENS, ids=[path for path, _ in SCREENS])
def test_new_settings_screen_in_russian_on_a_small_phone(browser: Any, live_url: str, screens: Screens, path: str,
                                                          text: str) -> None:
    page = new_page(browser, live_url, viewport=NARROW)
    sign_up(page, company="Телефонная пекарня")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Сделки").wait_for()
    page.goto(f"/#{path}")
    page.locator("main", has_text=text).first.wait_for()
    page.locator("#page-title", has_text="Настройки").wait_for()
    assert_fits_a_phone(page, screens, "ru")
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
