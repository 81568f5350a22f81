"""A Kazan heating-repair firm's technicians work from Android phones in Russian: what a walk of their day found.
The client's address on the card was plain text, so a technician at the van copied it by hand into a map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in, russian_phone
from tests.factories import add_member, signup
from tests.support import ApiClient, body

KAZAN = {"line1": "ул. Баумана, д. 44, кв. 12", "city": "Казань", "postal_code": "420111"}


def test_a_clients_address_opens_in_a_map_on_a_phone(browser: Any, live_url: str, app: Any,
                                                     screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Карта", locale="ru", country="RU")
    made = client.post("/api/v1/contacts", {"first_name": "Гульнара", "last_name": "Сафина",
                                            "phones": [{"number": "+79171234567"}], "shipping_address": KAZAN},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    firm = client.post("/api/v1/companies", {"name": "ТСЖ Берлинская", "address": {
        "line1": "1 Friedrichstraße", "city": "Berlin", "postal_code": "10117", "country": "DE"}},
        token=company.owner.token)
    assert firm.status_code == 201, firm.body

    page = russian_phone(browser, live_url, company.owner, "Тепло-Сервис Карта")
    page.goto(f"/#/contacts/{body(made)['id']}")
    where = page.locator("dl.props").first.get_by_role("link", name="открыть на карте")
    expect(where).to_have_text("420111, Казань, ул. Баумана, д. 44, кв. 12")
    href = urlsplit(where.get_attribute("href") or "")
    assert (href.scheme, href.netloc, href.path) == ("https", "yandex.ru", "/maps/")
    assert parse_qs(href.query)["text"] == ["420111, Казань, ул. Баумана, д. 44, кв. 12"]
    assert where.get_attribute("target") == "_blank"
    screens.shoot(page, "contact-address-map")

    # an address in another country opens where that country's people look (the company card's too)
    page.goto(f"/#/companies/{body(firm)['id']}")
    abroad = page.locator("dl.props").first.get_by_role("link", name="открыть на карте")
    expect(abroad).to_have_text("1 Friedrichstraße, 10117 Berlin, DE")
    href = urlsplit(abroad.get_attribute("href") or "")
    assert (href.netloc, href.path) == ("www.google.com", "/maps/search/")
    assert parse_qs(href.query) == {"api": ["1"], "query": ["1 Friedrichstraße, 10117 Berlin, DE"]}
    assert_no_problems(page)
    page.context.close()


def _reminder_dialog(browser: Any, live_url: str, company: Any, name: str) -> tuple[Any, Any]:
    """The dispatcher on her phone, in Russian, with the ready-made reminder rule open."""
    page = russian_phone(browser, live_url, company.owner, name)
    page.goto("/#/settings/automations")
    page.get_by_role("button", name="Напомнить клиенту о записи").click()  # noqa: RUF001
    dialog = page.locator("dialog")
    expect(dialog.locator("[data-test=trigger-type]")).to_have_value("task.due_soon")
    return page, dialog


def test_the_reminders_whatsapp_template_is_in_the_companys_language(browser: Any, live_url: str,
                                                                      app: Any) -> None:
    # A template is approved by WhatsApp in one language; a Kazan firm's Russian one sent as 'en' is refused.
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Шаблон", locale="ru", country="RU", timezone="Europe/Moscow")
    page, dialog = _reminder_dialog(browser, live_url, company, "Тепло-Сервис Шаблон")
    dialog.get_by_label("Канал").select_option("whatsapp")
    expect(dialog.get_by_label("Язык шаблона")).to_have_value("ru")
    dialog.get_by_label("Шаблон WhatsApp (после 24 часов)").fill("napominanie_o_vizite")
    dialog.locator("[data-test=rule-save]").click()
    expect(page.get_by_label("Включено: Напомнить клиенту о записи")).to_be_visible()  # noqa: RUF001
    (rule,) = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
               if rule["trigger"]["type"] == "task.due_soon"]
    assert [(a["channel"], a["template"]) for a in rule["actions"]] == [
        ("whatsapp", {"name": "napominanie_o_vizite", "language": "ru", "parameters": []})]
    assert_no_problems(page)
    page.context.close()


def test_the_reminders_text_is_read_whole_on_a_phone(browser: Any, live_url: str, app: Any) -> None:
    # The dispatcher reads what the client will get before saving: a one-line box showed "{first_name}, напоминаем:
    # {when" and hid the rest, the same for a letter's body.
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Текст", locale="ru", country="RU", timezone="Europe/Moscow")
    page, dialog = _reminder_dialog(browser, live_url, company, "Тепло-Сервис Текст")
    whole = "el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight"
    text = dialog.get_by_label("Текст", exact=True)
    expect(text).to_have_value("{first_name}, напоминаем: {when} {task}, мастер {assignee}. Ждём вас!")
    assert text.evaluate(whole), "the whole reminder is in sight"
    text.fill("{first_name}, добрый день! Напоминаем: {when} к вам приедет мастер {assignee} из «Тепло-Сервиса» "
              "({task}). Если время не подходит, ответьте на это сообщение.")
    assert text.evaluate(whole), "a longer one too"
    dialog.locator("[data-test=action-type]").last.select_option("send_email")
    letter = dialog.get_by_label("Текст ({name}, {title})")
    letter.fill("Здравствуйте, {first_name}! Напоминаем: {when} к вам приедет мастер {assignee}. Ждём вас дома.")
    assert letter.evaluate(whole), "a letter's body as well"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)
    page.context.close()


def test_a_new_orders_card_says_to_confirm_it_before_the_payment(browser: Any, live_url: str, app: Any) -> None:
    # A technician made the order for the parts and labour and had the client's cash in hand: the card said "no
    # payments yet" and had no form (a new order takes no payment), with nothing saying why.
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Оплата", locale="ru", country="RU", timezone="Europe/Moscow")
    artur = add_member(client, company, role="agent", name="artur")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Гульнара", "shipping_address": KAZAN},
                               token=artur.token))
    made = client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact["id"], "lines": [
        {"description": "Датчик NTC Baxi", "quantity": "1", "unit_price_minor": 120000},
        {"description": "Диагностика и замена датчика", "quantity": "1", "unit_price_minor": 250000}]},
        token=artur.token)
    assert made.status_code == 201, made.body
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, artur, "Тепло-Сервис Оплата")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/orders/{body(made)['id']}")
    expect(page.locator("[data-test=pay-after-confirm]")).to_have_text("Подтвердите заказ, чтобы внести оплату.")
    page.get_by_role("button", name="Подтвердить").click()
    payment = page.get_by_role("form", name="Внести оплату")
    expect(payment).to_be_visible()
    expect(page.locator("[data-test=pay-after-confirm]")).to_have_count(0)
    payment.get_by_label("Способ", exact=True).select_option("cash")
    payment.get_by_role("button", name="Внести оплату").click()
    expect(page.get_by_text("Оплачено: 3 700,00 ₽")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)
    page.context.close()


def test_a_technician_opens_the_client_of_the_visit_handed_to_him(browser: Any, live_url: str, app: Any) -> None:
    """The dispatcher's client, a visit handed to a technician (an agent, who reads only his own contacts): his
    task names the client, the card opens with the phone and the address, and offers no change to someone else's
    client. Before, the task did not name the client and the card answered "not found"."""
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Визиты", locale="ru", country="RU")
    technician = add_member(client, company, role="agent", name="technician")
    made = client.post("/api/v1/contacts", {"first_name": "Ильдар", "last_name": "Хасанов",
                                            "phones": [{"number": "+79172223344"}], "shipping_address": KAZAN},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    when = (datetime.now(UTC) + timedelta(days=2)).isoformat()  # upcoming on any clock
    visit = client.post("/api/v1/tasks", {"title": "Обслуживание котла", "kind": "meeting", "due_at": when,
                                           "assignee_id": technician.user_id,
                                           "related": {"type": "contact", "id": body(made)["id"]}},
                        token=company.owner.token)
    assert visit.status_code == 201, visit.body

    page = russian_phone(browser, live_url, technician, "Тепло-Сервис Визиты")
    page.goto("/#/tasks?view=upcoming")
    page.get_by_role("link", name="Ильдар Хасанов").click()
    expect(page.get_by_role("heading", name="Ильдар Хасанов")).to_be_visible()
    props = page.locator("dl.props").first
    where = props.get_by_role("link", name="открыть на карте")
    expect(where).to_have_text("420111, Казань, ул. Баумана, д. 44, кв. 12")
    expect(props).to_contain_text("917")
    expect(page.get_by_text("Изменить", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Удалить")).to_have_count(0)
    assert_no_problems(page)
    page.context.close()


def test_the_dispatcher_sees_every_technicians_visits_in_one_list(browser: Any, live_url: str, app: Any) -> None:
    """The dispatcher chose each technician in turn to see the day's visits; the "everyone" choice lists them all,
    each naming whose it is, in time order."""
    client = ApiClient(app)
    company = signup(client, company="Тепло-Сервис Диспетчер", locale="ru", country="RU")
    for name, days in (("rustem", 3), ("marat", 2)):
        technician = add_member(client, company, role="agent", name=name)
        when = (datetime.now(UTC) + timedelta(days=days)).isoformat()  # upcoming on any clock
        made = client.post("/api/v1/tasks", {"title": f"Обслуживание котла: {name}", "kind": "meeting", "due_at": when,
                                             "assignee_id": technician.user_id}, token=company.owner.token)
        assert made.status_code == 201, made.body

    page = russian_phone(browser, live_url, company.owner, "Тепло-Сервис Диспетчер")
    page.goto("/#/tasks?view=upcoming")
    page.get_by_text("Чьи задачи").first.click()
    page.locator("#whose-pick").select_option(label="Все")  # noqa: RUF001
    rows = page.locator("li[data-task]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Обслуживание котла: marat")
    expect(rows.nth(0).locator("[data-test=task-who]")).to_have_text("Marat")
    expect(rows.nth(1).locator("[data-test=task-who]")).to_have_text("Rustem")
    assert "assignee=everyone" in page.url
    assert_no_problems(page)
    page.context.close()
