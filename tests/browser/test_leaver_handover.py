"""A colleague leaves: the owner deactivates her, then finds her contacts and companies through the lists' Filters
(she is listed there, marked as deactivated) and hands them to a colleague in bulk, and finds her open tasks on the
Tasks screen (Whose tasks) and gives each to a colleague (Change → Assignee); on a phone, in Russian."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def test_a_leavers_contacts_are_found_by_the_filter_and_handed_to_a_colleague(browser: Any, live_url: str, app: Any,
                                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Нева", locale="ru", country="RU")
    owner = company.owner
    anna = add_member(client, company, role="agent", name="anna")
    petr = add_member(client, company, role="agent", name="petr")
    for name in ("Сергей Волков", "Мария Кузнецова"):
        made = client.post("/api/v1/contacts", {"first_name": name}, token=anna.token)
        assert made.status_code == 201, made.body
    made = client.post("/api/v1/contacts", {"first_name": "Алексей Иванов"}, token=petr.token)
    assert made.status_code == 201, made.body
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=owner.token)
    assert gone.status_code == 200, gone.body

    page = russian_phone(browser, live_url, owner, "Автосервис Нева")
    page.goto("/#/contacts")
    page.locator(".contact-list li", has_text="Алексей Иванов").wait_for()
    page.get_by_text("Фильтры", exact=True).click()
    responsible = page.locator("details.filters").get_by_label("Ответственный")
    responsible.select_option(label="Anna (отключён)")
    page.get_by_role("button", name="Применить фильтры").click()
    rows = page.locator(".contact-list li")
    expect(rows).to_have_count(2)
    expect(page.locator(".contact-list")).not_to_contain_text("Алексей Иванов")
    assert_fits_a_phone(page, screens, "leaver-contacts")

    page.get_by_label("Выбрать все показанные").check()
    page.get_by_label("Действие", exact=True).select_option("assign")
    page.locator("form.bulk-bar").get_by_label("Ответственный").select_option(label="Petr")
    page.get_by_role("button", name="Применить", exact=True).click()
    expect(rows).to_have_count(0)
    mine = body(client.get("/api/v1/contacts", token=petr.token))["items"]
    assert sorted(contact["first_name"] for contact in mine) == ["Алексей Иванов", "Мария Кузнецова", "Сергей Волков"]
    screens.shoot(page, "handed-over")
    assert_no_problems(page)
    page.context.close()


def test_a_leavers_open_task_is_found_on_the_tasks_screen_and_given_to_a_colleague(browser: Any, live_url: str,
                                                                                    app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Тосно", locale="ru", country="RU")
    owner = company.owner
    anna = add_member(client, company, role="agent", name="anna")
    petr = add_member(client, company, role="agent", name="petr")
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()  # upcoming on any company clock
    made = client.post("/api/v1/tasks", {"title": "Заказать запчасти Kia", "assignee_id": anna.user_id,
                                         "due_at": due}, token=owner.token)
    assert made.status_code == 201, made.body
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=owner.token)
    assert gone.status_code == 200, gone.body

    page = russian_phone(browser, live_url, owner, "Автосервис Тосно")
    page.goto("/#/tasks?view=upcoming")
    page.get_by_text("Чьи задачи", exact=True).click()
    page.locator("#whose-pick").select_option(label="Anna (отключён)")
    row = page.locator("li[data-task]", has_text="Заказать запчасти Kia")
    row.wait_for()
    assert "assignee=" in page.url
    assert_fits_a_phone(page, screens, "leaver-tasks")
    row.get_by_role("button", name="Изменить «Заказать запчасти Kia»").click()
    dialog = page.get_by_role("dialog")
    assignee = dialog.get_by_label("Исполнитель")
    expect(assignee.locator("option").first).to_have_text("Anna (отключён)")
    assignee.select_option(label="Petr")
    dialog.get_by_role("button", name="Сохранить").click()
    page.locator(".toast", has_text="Задача поставлена: Petr").wait_for()
    expect(row).to_have_count(0)
    theirs = body(client.get("/api/v1/tasks?view=upcoming", token=petr.token))["items"]
    assert [task["title"] for task in theirs] == ["Заказать запчасти Kia"]
    screens.shoot(page, "task-handed-over")
    assert_no_problems(page)
    page.context.close()


def test_deactivating_a_colleague_says_where_their_records_are_handed_over(browser: Any, live_url: str, app: Any,
                                                                            screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Лахта", locale="ru", country="RU")
    add_member(client, company, role="agent", name="anna")
    page = russian_phone(browser, live_url, company.owner, "Автосервис Лахта")
    page.goto("/#/settings/users")
    page.get_by_role("button", name="Отключить").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("останутся за ним, пока вы не передадите их коллеге")
    expect(dialog).to_contain_text("«Чьи задачи»")
    screens.shoot(page, "deactivate-confirm")
    dialog.get_by_role("button", name="Отключить").click()
    page.locator(".toast", has_text="Пользователь отключён").wait_for()
    assert_no_problems(page)
    page.context.close()


def test_a_lines_extension_of_a_colleague_who_left_is_marked_so(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Охта", locale="ru", country="RU")
    owner = company.owner
    anna = add_member(client, company, role="agent", name="anna")
    made = client.post("/api/v1/integrations", {"type": "pbx", "name": "Телефония", "settings": {
        "extensions": {"101": owner.user_id, "102": anna.user_id}}}, token=owner.token)
    assert made.status_code == 201, made.body
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=owner.token)
    assert gone.status_code == 200, gone.body
    page = russian_phone(browser, live_url, owner, "Автосервис Охта")
    page.goto("/#/settings/integrations")
    panel = page.locator("section[data-integration]", has_text="Телефония")
    panel.locator("summary", has_text="Настройки").click()
    employees = panel.get_by_label("Сотрудник", exact=True)
    expect(employees.nth(1).locator("option:checked")).to_have_text("Anna (отключён)")
    expect(employees.nth(0).locator("option:checked")).to_have_text("Olga Owner")
    assert_no_problems(page)
    page.context.close()
