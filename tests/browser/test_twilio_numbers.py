"""A Twilio line's numbers as people type them, on a phone: the line's number and the employees' numbers are kept in
E.164 by the company's country, and two spellings of one number given to two employees are refused in the reader's
language (a Russian company here; a New York plumber met the English side: '(718) 555-0100' was refused with a
regular expression, and '718-555-0101' was taken for a Client identity)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient
from tests.telephony.kit import CREDENTIALS


def test_a_twilio_lines_numbers_are_typed_as_at_home_and_a_number_given_twice_is_refused(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Сантехник на час", country="RU", locale="ru")
    master = add_member(client, company, role="agent", name="ivan")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Сантехник на час")
    page.locator("#lang-switch").select_option("ru")
    page.goto("/#/settings/integrations")
    create = page.get_by_role("form", name="Подключить телефонную линию")
    create.locator("select[name=type]").select_option("twilio")
    create.locator("input[name=name]").fill("Городская линия")
    create.locator("input[name=account_sid]").fill(CREDENTIALS["twilio"]["account_sid"])
    create.locator("input[name=auth_token]").fill(CREDENTIALS["twilio"]["auth_token"])
    create.locator("input[name=caller_id]").fill("8 (495) 123-45-67")
    extensions, employees = create.get_by_label("Внутренний номер", exact=True), create.get_by_label("Сотрудник")
    extensions.first.fill("8 916 123-45-67")
    employees.first.select_option(label="Ivan")
    create.get_by_role("button", name="Добавить номер").click()
    extensions.nth(1).fill("+7 (916) 123-45-67")  # the same phone, written another way, for someone else
    employees.nth(1).select_option(index=1)
    create.get_by_role("button", name="Подключить линию").click()
    create.get_by_text("Один и тот же номер указан у двух сотрудников").wait_for()  # noqa: RUF001
    screens.shoot(page, "twilio-number-twice-ru")
    extensions.nth(1).fill("8 916 765-43-21")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/integrations") and r.request.method == "POST") as made:
        create.get_by_role("button", name="Подключить линию").click()
    assert made.value.status == 201
    settings = made.value.json()["settings"]
    assert settings["caller_id"] == "+74951234567"
    assert settings["extensions"]["+79161234567"] == master.user_id and "+79167654321" in settings["extensions"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)
