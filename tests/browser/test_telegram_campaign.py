# ruff: noqa: RUF001
"""A salon sends a Telegram campaign from a phone, in Russian: its clients' consent to Telegram on the card, the
wizard's Telegram channel and bot, a test to the owner's own chat with the bot (chosen from the bot's chats, since a bot
cannot write first), then the send and its results."""

from __future__ import annotations

from typing import Any

from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.campaigns.helpers import queue
from tests.factories import signup
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_update

PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_telegram_campaign_from_a_phone_in_russian(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Салон Лилия", locale="ru", country="RU")
    owner = company.owner.token
    line = create_line(client, company, "telegram")
    for chat_id, name in ((777401, "Ольга Владелица"), (777402, "Мария Клиентка")):
        update = telegram_update(Chat(chat_id=chat_id, name=name), chat_id, {"message_id": 1, "text": "Привет"})
        assert play(client, [telegram_post(line["webhook_url"], line["secret"], update)])[0].status_code == 200
    maria = next(c for c in inbox(client, company) if c["customer_name"] == "Мария Клиентка")
    client.patch(f"/api/v1/contacts/{maria['contact_id']}", {"tags": ["тг"], "version": 1}, token=owner)
    segment = body(client.post("/api/v1/segments", {"name": "Клиенты в Telegram", "conditions": [
        {"type": "tag_has", "value": "тг"}]}, token=owner))
    with bind(ctx := TenantContext(tenant_id=company.tenant_id)):
        assert jobs.build(ctx, segment["id"])

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Салон Лилия")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/contacts/{maria['contact_id']}")
    page.locator("[data-test=consent-panel] summary").click()
    page.locator("[data-test=consent-telegram]").select_option("granted")
    page.locator("[data-test=consent-save]").click()
    page.locator("[data-test=consent-panel]", has_text="Отмечено в карточке").wait_for()

    page.goto("/#/campaigns/new")
    page.get_by_label("Название").fill("Весенние скидки")
    page.get_by_label("Канал").select_option("telegram")
    page.get_by_label("Сегмент").select_option(segment["id"])
    page.get_by_label("Отправлять с линии").select_option(line["id"])
    page.locator("[data-test=campaign-body]").fill("{first_name}, скидка 20% на маникюр")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.locator("[data-test=campaign-preview]", has_text="Анна, скидка 20% на маникюр").wait_for()
    page.get_by_text("Бот пишет только тем, кто написал ему первым").wait_for()
    page.locator("[data-test=test-send]").click()  # no chat chosen: said, nothing sent
    page.get_by_text("напишите ему из своего Telegram", exact=False).first.wait_for()
    assert page.locator("[data-test=send-now]").is_disabled()
    page.get_by_label("Ваш чат с ботом").select_option(label="Ольга Владелица")
    page.locator("[data-test=test-send]").click()
    page.get_by_text("Тест отправлен в чат: Ольга Владелица").wait_for()
    page.locator("[data-test=send-now]:not([disabled])").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "telegram-campaign-phone-ru")
    campaigns = queue()
    page.locator("[data-test=send-now]").click()
    page.locator("dialog").get_by_role("button", name="Отправить сейчас").click()
    page.locator("[data-test=campaign-results]").wait_for()
    campaigns.drain()
    page.reload()
    page.locator("[data-test=campaign-messages] [data-delivery=delivered]", has_text="Доставлено").wait_for()
    assert page.locator("[data-stat=delivered] .stat-value").inner_text() == "1"
    assert page.evaluate(NO_SIDEWAYS)
    assert_no_problems(page)
