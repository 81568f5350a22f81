"""A lead as a manager reads it (#20 items 2, 3 and 12): the customer's own words, the source and the UTM tags on
the contact's card, the deal's timeline and the call-back task; every entry worded in the reader's language (no
"form_submission", no stored English in the Russian app); a lead matched by phone says so. On a phone and a laptop,
in English and in Russian."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
OLGA = {"name": "Ольга Смирнова", "phone": "+7 916 123-45-67", "message": "Хочу букет на свадьбу",
        "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "wedding"}
TEXT = {
    "ru": {"kind": "Заявка с сайта", "form": "Форма «Свадьбы»: Ольга Смирнова",  # noqa: RUF001
           "created": "Контакт создан · из формы «Свадьбы»", "task": "Создана задача: Перезвонить: Ольга Смирнова",
           "source": "из формы «Свадьбы»", "deal": "Заявка с сайта: Ольга Смирнова",  # noqa: RUF001
           "matched": "Привязана к существующему контакту по номеру телефона", "tasks": "Задачи", "stage": "Новая",
           "call_back": "Перезвонить: Ольга Смирнова"},
    "en": {"kind": "Website form", "form": "Form “Свадьбы”: Ольга Смирнова",
           "created": "Contact created · from the form “Свадьбы”", "task": "Task created: Call back: Ольга Смирнова",
           "source": "from the form “Свадьбы”", "deal": "Website form: Ольга Смирнова",
           "matched": "Matched to this existing contact by phone number", "tasks": "Tasks", "stage": "New",
           "call_back": "Call back: Ольга Смирнова"},
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_leads_words_source_and_utm_are_on_the_card_the_deal_and_the_task(
        browser: Any, live_url: str, app: Any, screens: Screens, size: str, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Свадебные цветы", country="RU", locale=lang)
    form = create_form(client, company, name="Свадьбы")
    assert post_form(client, form, OLGA).status_code == 200
    outcome = events(client, company, form)[0]["outcome"]
    text = TEXT[lang]
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    log_in(page, company.owner, "Свадебные цветы")
    page.get_by_label("Language", exact=True).select_option(lang)

    page.goto(f"/#/contacts/{outcome['contact_id']}")
    page.locator("#page-title", has_text="Ольга Смирнова").wait_for()  # first and last names, from one box
    main = page.locator("main")
    card = main.locator("dl.props").first  # the contact's own facts, above its timeline
    card.locator("dd", has_text=text["source"]).wait_for()
    assert card.locator("dd", has_text="yandex / cpc / wedding").count() == 1
    form_entry = main.locator(".timeline li[data-kind=form_submission]")
    assert text["kind"] in form_entry.locator(".when").inner_text()
    assert form_entry.locator(".entry-title").inner_text() == text["form"]
    assert form_entry.locator("[data-test=lead-message]").inner_text() == "Хочу букет на свадьбу"
    assert main.locator(".timeline li", has_text=text["created"]).count() == 1
    # the call-back task, made about the lead's deal, is on the contact's card too (#20 item 11)
    main.locator("[data-links=task] li", has_text=text["call_back"]).wait_for()
    assert main.locator("[data-links=task] li").count() == 1
    timeline = main.locator(".timeline").inner_text()
    assert "form_submission" not in timeline
    if lang == "ru":
        assert not re.search(r"Contact created|Task created|Website form|Call back", timeline), timeline
    if size == "phone":
        assert_fits_a_phone(page, screens, f"contact-{lang}")

    page.goto(f"/#/deals/{outcome['deal_id']}")
    page.locator("#page-title", has_text=text["deal"]).wait_for()
    deal_entry = main.locator(".timeline li[data-kind=form_submission]")
    assert deal_entry.locator("[data-test=lead-message]").inner_text() == "Хочу букет на свадьбу"
    assert main.locator(".timeline li", has_text=text["task"]).count() == 1
    screens.shoot(page, f"deal-{size}-{lang}")

    # The call-back task is due 15 minutes after the lead: in the company's last quarter hour of a day it is due
    # tomorrow on the company's clock, under "upcoming", not "today".
    zone = ZoneInfo(body(client.get("/api/v1/tenant", token=company.owner.token))["timezone"])
    due = datetime.fromisoformat(body(client.get(f"/api/v1/tasks/{outcome['task_id']}",
                                                 token=company.owner.token))["due_at"])
    view = "today" if due.astimezone(zone).date() == datetime.now(zone).date() else "upcoming"
    open_screen(page, f"/tasks?view={view}", text["tasks"])
    task = page.locator(".list li", has=page.locator("[data-test=task-words]"))
    assert task.locator("[data-test=task-words]").inner_text() == "Хочу букет на свадьбу"
    assert task.locator("a.task-related").inner_text() == text["deal"]
    page.goto("/#/deals")
    page.locator(".column h2", has_text=text["stage"]).first.wait_for()
    assert_no_problems(page)
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_lead_matched_by_phone_says_so_on_the_card(browser: Any, live_url: str, app: Any, screens: Screens,
                                                     lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветы у моря", country="RU", locale=lang)  # noqa: RUF001
    known = body(client.post("/api/v1/contacts", {"first_name": "Оля", "phones": [{"number": "+79161234567"}]},
                             token=company.owner.token))
    form = create_form(client, company, name="Свадьбы")
    assert post_form(client, form, OLGA).status_code == 200
    page = new_page(browser, live_url, viewport=VIEWPORTS["phone"])
    log_in(page, company.owner, "Цветы у моря")  # noqa: RUF001
    page.get_by_label("Language", exact=True).select_option(lang)
    page.goto(f"/#/contacts/{known['id']}")
    entry = page.locator(".timeline li[data-kind=form_submission]")
    entry.locator("[data-test=matched]", has_text=TEXT[lang]["matched"]).wait_for()
    assert entry.locator(".entry-title").inner_text() == TEXT[lang]["form"]  # the name the lead gave
    assert_fits_a_phone(page, screens, lang)
    assert_no_problems(page)
    page.context.close()


def test_a_lead_at_the_contacts_limit_says_on_its_deal_why_it_has_no_contact(browser: Any, live_url: str, app: Any,
                                                                               screens: Screens) -> None:
    from tests.billing import helpers

    client = ApiClient(app)
    company = signup(client, company="Полный дом", country="RU", locale="ru")
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for one more contact
    form = create_form(client, company, name="Свадьбы")
    assert post_form(client, form, OLGA).status_code == 200
    outcome = events(client, company, form)[0]["outcome"]
    page = new_page(browser, live_url, viewport=VIEWPORTS["phone"])
    log_in(page, company.owner, "Полный дом")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/deals/{outcome['deal_id']}")
    page.locator("#page-title", has_text=TEXT["ru"]["deal"]).wait_for()
    entry = page.locator("main .timeline li[data-kind=form_submission]")
    entry.locator("[data-test=contact-skipped]",
                  has_text="Не сохранён как контакт: достигнут лимит контактов вашего тарифа").wait_for()  # noqa: RUF001
    assert entry.locator("[data-test=lead-message]").inner_text() == "Хочу букет на свадьбу"  # what she typed
    assert entry.locator(".entry-title").inner_text() == TEXT["ru"]["form"]
    assert_fits_a_phone(page, screens, "contact-skipped")
    assert_no_problems(page)
    page.context.close()
