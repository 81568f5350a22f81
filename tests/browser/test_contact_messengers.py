"""The contact card shows how a customer is reached in messengers, not only their phones: a WhatsApp number that is
not one of their phones, a Telegram username as a t.me link, else the Telegram chat id a chat came from; the edit
form changes the WhatsApp number and the username and keeps the chat id. Before, the card showed none of them: a
Telegram-only customer's card had a name and nothing to reach them by."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_card_shows_and_edits_a_customers_messengers_on_a_phone_in_russian(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветочная лавка", country="RU", locale="ru")
    token = company.owner.token
    made = [client.post("/api/v1/contacts", data, token=token) for data in (
        {"first_name": "Ольга", "phones": [{"number": "+7 916 123-45-67"}],
         "messengers": {"whatsapp": "+7 916 765-43-21", "telegram_id": "5551234"}},
        {"first_name": "Ахмед", "phones": [{"number": "+7 916 000-11-22"}],
         "messengers": {"whatsapp": "+7 916 000-11-22", "telegram_username": "akhmed_flowers"}})]
    assert [answer.status_code for answer in made] == [201, 201], [answer.body for answer in made]
    olga, akhmed = (body(answer) for answer in made)

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Цветочная лавка")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/contacts/{olga['id']}")
    facts = page.locator("dl.props").first
    facts.get_by_text("ID чата 5551234").wait_for()  # the Telegram chat it came from, though it has no username
    assert facts.get_by_role("link", name="+7 916 765-43-21").get_attribute("href") == "https://wa.me/79167654321"
    screens.shoot(page, "contact-messengers-ru")

    page.goto(f"/#/contacts/{akhmed['id']}")
    telegram = facts.get_by_role("link", name="@akhmed_flowers")
    assert telegram.get_attribute("href") == "https://t.me/akhmed_flowers"
    assert facts.locator("dt", has_text="WhatsApp").count() == 0  # the number is its phone's: shown once, there
    page.locator("summary", has_text="Изменить").click()
    page.get_by_label("Имя пользователя в Telegram").fill("@akhmed_roses")
    page.get_by_role("textbox", name="WhatsApp").fill("+7 916 000-33-44")
    page.get_by_role("button", name="Сохранить").click()
    facts.get_by_role("link", name="@akhmed_roses").wait_for()
    saved = body(client.get(f"/api/v1/contacts/{akhmed['id']}", token=token))
    assert (saved["messengers"]["whatsapp"], saved["messengers"]["telegram_username"]) == ("+79160003344",
                                                                                           "akhmed_roses")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)
