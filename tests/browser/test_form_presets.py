"""Connecting a website form in a manager's words (#20 item 13): step-by-step presets for Tilda, WordPress (Contact
Form 7, Elementor), Wix, any site and your own server; no developer talk about signing secrets or "the first ticked
user". On a phone and a laptop, in English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
TEXT = {
    "en": {"settings": "Settings", "create": "Connect a website form", "name": "Name", "connect": "Connect form",
           "where": "Where is your form?", "tilda": "Site settings → Forms → Other → Webhook",
           "cf7": "CF7 to Webhook", "elementor": "Actions After Submit", "secret": "Only for a server or script",
           "who": "Always one person: the first one ticked below"},
    "ru": {"settings": "Настройки", "create": "Подключить форму сайта", "name": "Название",
           "connect": "Подключить форму", "where": "Где ваша форма?",
           "tilda": "Настройки сайта → Формы → Другое → Webhook",
           "cf7": "CF7 to Webhook", "elementor": "Действия после отправки", "secret": "Нужен только вашему серверу",
           "who": "Всегда одному сотруднику — первому отмеченному ниже"},
}
DEVELOPER_TALK = ["signing secret", "shown only now", "The first ticked user", "Секрет подписи показан",
                  "Первому отмеченному"]


@pytest.mark.parametrize(("size", "lang"), [("laptop", "en"), ("phone", "ru"), ("phone", "en"), ("laptop", "ru")])
def test_a_form_is_connected_step_by_step_for_its_site_builder(browser: Any, live_url: str, screens: Screens,
                                                               size: str, lang: str) -> None:
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    sign_up(page, company="Preset Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    open_screen(page, "/settings/integrations", text["settings"])
    create = page.get_by_role("form", name=text["create"])
    assert create.locator("select[name=responsible_mode] option:checked").inner_text() == text["who"]
    create.get_by_label(text["name"], exact=True).fill("Wedding form")
    create.get_by_role("button", name=text["connect"]).click()
    page.locator('[data-test="integration-secret"]').wait_for()
    assert text["secret"] in page.locator(".secret-box").inner_text()
    panel = page.locator("section[data-integration]", has_text="Wedding form")
    builder = panel.get_by_label(text["where"])
    assert panel.locator("[data-test=preset-tilda]").inner_text().count("\n") >= 3
    assert text["tilda"] in panel.locator("[data-test=preset-tilda]").inner_text()
    builder.select_option("cf7")
    assert text["cf7"] in panel.locator("[data-test=preset-cf7]").inner_text()
    builder.select_option("elementor")
    assert text["elementor"] in panel.locator("[data-test=preset-elementor]").inner_text()
    for key in ("wix", "snippet", "server"):
        builder.select_option(key)
        panel.locator(f"[data-test=preset-{key}] li").first.wait_for()
    words = page.locator("main").inner_text()
    assert not [phrase for phrase in DEVELOPER_TALK if phrase in words], words
    if size == "phone":
        assert_fits_a_phone(page, screens, lang)
    else:
        screens.shoot(page, lang)
    assert_no_problems(page)
    page.context.close()
