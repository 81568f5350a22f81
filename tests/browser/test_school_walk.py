# ruff: noqa: RUF001
"""An English school in Yekaterinburg on a phone, in Russian: the administrator who books trial lessons sets up the
parents' reminder from the ready-made rule."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_trial_lesson_reminder_leaves_the_managers_call_backs_out(browser: Any, live_url: str, app: Any) -> None:
    # The ready-made reminder reminded parents of every task about them with a time, the call-back a web lead makes
    # for the manager too («напоминаем: Перезвонить: Мария Иванова»). It now ticks to-dos and meetings (a trial lesson,
    # a visit) and leaves calls and e-mails out; the boxes say so and can be changed.
    client = ApiClient(app)
    company = signup(client, company="Английский с Анной", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    page = russian_phone(browser, live_url, company.owner, "Английский с Анной")
    page.evaluate("() => { location.hash = '#/settings/automations'; }")
    page.get_by_role("button", name="Напомнить клиенту о записи").click()
    kinds = page.locator("dialog").get_by_role("group", name="О каких задачах напоминать клиенту")
    for kind, ticked in (("Дело", True), ("Звонок", False), ("Встреча", True), ("Письмо", False)):
        expect(kinds.get_by_label(kind, exact=True)).to_be_checked(checked=ticked)
    kinds.get_by_label("Дело", exact=True).uncheck()  # the school books trial lessons as meetings only
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    page.locator("dialog [data-test=rule-save]").click()
    expect(page.get_by_label("Включено: Напомнить клиенту о записи")).to_be_visible()
    [rule] = [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
              if rule["trigger"]["type"] == "task.due_soon"]
    assert rule["trigger"] == {"type": "task.due_soon", "minutes_before": 1440, "task_kinds": ["meeting"]}
    assert_no_problems(page)


def test_the_card_says_the_web_lead_was_matched_by_the_parents_telegram(browser: Any, live_url: str,
                                                                          app: Any) -> None:
    # A parent wrote to the bot first, then sent the site's form with her @username: the lead joined her contact,
    # and the card says why, as it does for a phone or an e-mail (it said 'по номеру телефона' for anything else).
    from tests.integrations.helpers import create_form, post_form
    from tests.messaging.kit import create_line, play
    from webhooks.messengers import telegram_post

    client = ApiClient(app)
    company = signup(client, company="Английский с Анной", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    token = company.owner.token
    line = create_line(client, company, "telegram")
    parent = {"id": 55501, "is_bot": False, "first_name": "Елена", "username": "elena_k"}
    update = {"update_id": 1, "message": {"message_id": 1, "from": parent, "chat": {**parent, "type": "private"},
                                          "date": 1796000000, "text": "Здравствуйте!"}}
    assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    [contact] = body(client.get("/api/v1/contacts", token=token))["items"]
    form = create_form(client, company, name="Пробный урок")
    assert post_form(client, form, {"name": "Елена", "phone": "8 912 345-67-89", "telegram": "elena_k"}).status_code \
        == 200
    page = russian_phone(browser, live_url, company.owner, "Английский с Анной")
    page.evaluate(f"() => {{ location.hash = '#/contacts/{contact['id']}'; }}")
    expect(page.locator("[data-test=matched]")).to_have_text("Привязана к существующему контакту по нику в Telegram")
    expect(page.locator(".entry-facts").first).to_contain_text("912 345")  # the phone she typed, on the lead
    assert_no_problems(page)


def test_the_owner_finds_yekaterinburg_time_by_its_russian_name(browser: Any, live_url: str) -> None:
    # Anna signed the school up from a laptop set to Berlin time: the zone box offered Moscow and 400 English names
    # in the alphabet's order ("Asia/Yekaterinburg" among them, nothing saying it was Ekaterinburg or UTC+5). The
    # country's zones now come first, each with its offset and its name in the reader's language.
    from tests.browser.conftest import new_page
    from tests.factories import PASSWORD, unique_email

    page = new_page(browser, live_url, viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page.goto("/#/signup")
    page.locator("#lang-switch").select_option("ru")
    page.locator("select[name=country]").select_option("RU")
    zone = page.locator("select[name=timezone]")
    assert zone.input_value() == "Europe/Moscow"
    first = zone.locator("option").all_inner_texts()[:25]
    assert "Europe/Moscow (GMT+3, Москва, стандартное время)" in first
    ural = "Asia/Yekaterinburg (GMT+5, Екатеринбург, стандартное время)"
    assert ural in first
    zone.select_option(label=ural)
    page.get_by_label("Название компании").fill("Английский с Анной")
    page.get_by_label("Ваше имя").fill("Анна Смирнова")
    page.get_by_label("Эл. почта").fill(unique_email("anna"))
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_url("**/#/tasks")
    page.goto("/#/settings/company")
    expect(page.locator("select[name=timezone] option:checked")).to_have_text(ural)
    assert_no_problems(page)


def test_a_parent_on_a_phone_reads_the_thank_you_page(browser: Any, live_url: str, app: Any) -> None:
    # A site's form posted by the browser itself (no script, or a builder's plain form) lands on the CRM's thank-you
    # page; on a parent's phone it was laid out for a 980 px desktop, its words a few pixels high.
    from urllib.parse import urlsplit

    from tests.integrations.helpers import create_form

    client = ApiClient(app)
    company = signup(client, company="Английский с Анной", locale="ru", country="RU", timezone="Asia/Yekaterinburg")
    form = create_form(client, company, name="Пробный урок")
    hook = live_url + urlsplit(form["webhook_url"]).path
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    page.set_content(f'<form method="post" action="{hook}"><input name="name" value="Елена">'
                     '<input name="phone" value="+7 912 345-67-89"><button>Записаться</button></form>')
    with page.expect_navigation():
        page.click("button")
    assert "Спасибо! Мы получили вашу заявку" in page.inner_text("body")
    assert page.evaluate("() => document.documentElement.clientWidth") == 390, "laid out for the phone's width"
    context.close()
