"""Field rules in the browser (#21 item 10): Settings → Roles sets a field read-only or hidden per record type, in
English and Russian; a member with the role sees no hidden field on the card and is offered no read-only one."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Screens, new_page, sign_in_by_request
from tests.browser.test_app import BENIGN, open_screen
from tests.factories import add_member, signup
from tests.support import ApiClient, body

PHONE = "+12025550177"


def sign_in(page: Any, email: str, password: str, company: str, *, russian: bool = False) -> None:
    if not sign_in_by_request(page, email, password):
        page.goto("/#/login")
        page.get_by_label("Эл. почта" if russian else "E-mail").fill(email)
        page.get_by_label("Пароль" if russian else "Password").fill(password)
        page.get_by_role("button", name="Войти" if russian else "Log in").click()
    page.locator(".brand-name", has_text=company).wait_for()


def test_the_role_editor_sets_field_rules_that_the_card_follows(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Field Rules Bakery", country="US")
    owner = company.owner
    client.post("/api/v1/custom-fields", {"entity": "contact", "key": "loyalty", "label": "Loyalty code",
                                          "type": "text"}, token=owner.token)
    contact = body(client.post("/api/v1/contacts", {"first_name": "Greta", "last_name": "Grain",
                                                    "phones": [{"number": PHONE}],
                                                    "emails": [{"address": "greta.rules@example.com"}],
                                                    "custom": {"loyalty": "LOYAL-31"}}, token=owner.token))

    page = new_page(browser, live_url)
    sign_in(page, owner.email, owner.password, "Field Rules Bakery")
    open_screen(page, "/settings/roles", "Settings")
    page.get_by_label("Role name").fill("Counter clerk")
    page.get_by_label("Key", exact=True).fill("counter")
    for label in ("Contacts: View", "Contacts: Edit", "Tasks: View"):
        page.get_by_label(label).check()
    create = page.get_by_role("form", name="Create a role")
    create.locator(".field-rules summary", has_text="Contacts").click()  # the permissions' groups name it too
    create.get_by_label("Contacts: Phones").select_option("hidden")
    create.get_by_label("Contacts: E-mails").select_option("readonly")
    create.get_by_label("Contacts: Loyalty code").select_option("hidden")
    screens.shoot(page, "role-field-rules")
    page.get_by_role("button", name="Create role").click()
    page.locator(".list li", has_text="Counter clerk").locator(".meta", has_text="3 permissions").wait_for()
    role = next(r for r in body(client.get("/api/v1/roles", token=owner.token))["items"] if r["key"] == "counter")
    assert {"contacts.phones:hidden", "contacts.emails:readonly", "contacts.custom.loyalty:hidden"} \
        <= set(role["permissions"])

    # The role's editor shows the rules it holds, and changes them (E-mails back to editable).
    page.get_by_role("button", name="Edit the role Counter clerk").click()
    edit = page.get_by_role("form", name="Edit the role Counter clerk")
    assert edit.get_by_label("Contacts: Phones").input_value() == "hidden"
    edit.get_by_label("Contacts: E-mails").select_option("edit")
    edit.get_by_role("button", name="Save").click()
    edit.wait_for(state="detached")  # saved: the screen is drawn again
    role = next(r for r in body(client.get("/api/v1/roles", token=owner.token))["items"] if r["key"] == "counter")
    assert "contacts.emails:readonly" not in role["permissions"] and "contacts.phones:hidden" in role["permissions"]
    page.context.close()

    clerk = add_member(client, company, role="counter", name="clerkcarl")
    page = new_page(browser, live_url)
    sign_in(page, clerk.email, clerk.password, "Field Rules Bakery")
    open_screen(page, f"/contacts/{contact['id']}", "Greta Grain")
    main = page.locator("main")
    main.get_by_text("greta.rules@example.com").first.wait_for()
    assert PHONE.removeprefix("+1") not in main.inner_text() and "LOYAL-31" not in main.inner_text()
    page.locator("summary", has_text="Edit").first.click()
    assert page.get_by_label("Phones 1").count() == 0 and page.get_by_label("Loyalty code").count() == 0
    page.get_by_label("Last name").fill("Grainger")
    page.get_by_role("button", name="Save").click()
    page.locator("#page-title", has_text="Greta Grainger").wait_for()
    screens.shoot(page, "card-with-hidden-fields")
    owner_view = body(client.get(f"/api/v1/contacts/{contact['id']}", token=owner.token))
    assert owner_view["phones"][0]["number"] == PHONE and owner_view["custom"]["loyalty"] == "LOYAL-31"
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()


def test_the_field_grid_speaks_russian(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Пекарня правил", country="RU")
    page = new_page(browser, live_url, locale="ru-RU")
    sign_in(page, company.owner.email, company.owner.password, "Пекарня правил", russian=True)
    open_screen(page, "/settings/roles", "Настройки")
    create = page.get_by_role("form", name="Новая роль")
    # The record types come in the menu's order, as the permissions grid above them does.
    kinds_in_order = create.locator(".field-rules details > summary").all_inner_texts()
    assert kinds_in_order == ["Контакты", "Компании", "Сделки", "Переписки", "Обращения", "Звонки", "Товары", "Заказы"]
    create.locator("summary", has_text="Контакты").click()
    phones = create.get_by_label("Контакты: Телефоны")
    assert phones.locator("option").all_inner_texts() == ["Просмотр и изменение", "Только чтение", "Скрыто"]
    assert "Ограничьте поле" in create.inner_text()
    # Every record type and field is named in Russian, none by its API key ("calls", "products", "total minor").
    kinds = create.locator("th[scope=row]").all_inner_texts() + create.locator("details > summary").all_inner_texts()
    fields = [(select.get_attribute("aria-label") or "").split(": ", 1)[-1]
              for select in create.locator("details select").all()]
    english = [name for name in kinds + fields
               if name.strip() not in ("", "IBAN") and not re.search("[\u0430-\u044f\u0451]", name, re.I)]
    assert len(kinds) > 20 and len(fields) > 40 and not english, english
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
