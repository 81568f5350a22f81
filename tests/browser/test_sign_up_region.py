"""Sign-up in the company's own terms (#20 items 4 and 6): the country and time zone preset from the browser's
clock, the zone following the country chosen, and problems said as a person would say them, on a phone and a laptop,
in English and in Russian."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone
from tests.browser.test_app import BENIGN
from tests.factories import PASSWORD, unique_email

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
TEXT = {
    "en": {"company": "Company name", "name": "Your name", "email": "E-mail", "password": "Password",
           "submit": "Sign up", "required": "Required", "bad_email": "Enter an e-mail address like name@example.com",
           "country": "Russia", "zone": "Time zone"},
    "ru": {"company": "Название компании", "name": "Ваше имя", "email": "Эл. почта", "password": "Пароль",
           "submit": "Зарегистрироваться", "required": "Обязательное поле",
           "bad_email": "Введите адрес вида name@example.com", "country": "Россия", "zone": "Часовой пояс"},
}


def moscow_page(browser: Any, live_url: str, viewport: dict[str, int]) -> Any:
    """A browser in Moscow with an English (US) interface: the computer says where it is, the language does not."""
    context = browser.new_context(base_url=live_url, viewport=viewport, locale="en-US", timezone_id="Europe/Moscow")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return page


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_sign_up_presets_russia_and_moscow_time_and_speaks_plainly(browser: Any, live_url: str, screens: Screens,
                                                                    size: str, lang: str) -> None:
    text = TEXT[lang]
    page = moscow_page(browser, live_url, VIEWPORTS[size])
    page.goto("/#/signup")
    page.get_by_label("Language", exact=True).first.select_option(lang)
    page.get_by_label(text["company"]).wait_for()
    country = page.locator("select[name=country]")
    zone = page.get_by_label(text["zone"])
    assert country.input_value() == "RU", "not the United States for a computer in Moscow"
    assert country.locator("option:checked").inner_text() == text["country"]
    assert zone.input_value() == "Europe/Moscow"
    # the zone follows the country until it is chosen by hand
    country.select_option("KZ")
    assert zone.input_value() == "Asia/Almaty"
    country.select_option("RU")
    assert zone.input_value() == "Europe/Moscow"

    page.get_by_label(text["email"]).fill("ab")
    page.get_by_role("button", name=text["submit"]).click()
    company_error = page.locator("[name=company_name] ~ .field-error")
    company_error.filter(has_text=text["required"]).wait_for()
    assert page.locator("[name=email] ~ .field-error").inner_text() == text["bad_email"]
    assert not re.search("String should|Value error|should have", page.locator("main").inner_text())
    if size == "phone":
        assert_fits_a_phone(page, screens, f"errors-{lang}")

    zone.select_option("Asia/Yekaterinburg")
    country.select_option("KZ")  # chosen by hand: the zone stays
    assert zone.input_value() == "Asia/Yekaterinburg"
    country.select_option("RU")
    page.get_by_label(text["company"]).fill("Цветы на Урале")
    page.get_by_label(text["name"]).fill("Ольга Смирнова")
    page.get_by_label(text["email"]).fill(unique_email("ural"))
    page.get_by_label(text["password"]).fill(PASSWORD)
    page.get_by_role("button", name=text["submit"]).click()
    page.wait_for_url(re.compile(r"#/tasks"))
    page.goto("/#/settings/company")
    assert page.locator("select[name=timezone]").input_value() == "Asia/Yekaterinburg"
    assert page.locator("select[name=country]").input_value() == "RU"
    screens.shoot(page, f"{size}-{lang}")
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
