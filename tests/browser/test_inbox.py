"""The inbox in the browser at 1366 and 375 px: unread first, a thread with a reply and delivery ticks, the template
picker once WhatsApp's window has closed, new messages arriving live, the unread count in the nav, and the
conversations on the contact's card in English and Russian."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from playwright.sync_api import expect

from chalicelib.core.config import LOCAL_LIVE_PATH
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.live import service as live_service
from tests.billing import helpers as billing_helpers
from tests.browser.conftest import CONTEXTS, SIGN_IN, Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_live import until
from tests.browser.test_sensitive import log_in
from tests.factories import Member, add_member, signup
from tests.messaging.kit import APP_SECRET, BOT_TOKEN, WHATSAPP, play
from tests.support import ApiClient, body
from webhooks.messengers import (
    Chat,
    telegram_post,
    telegram_requests,
    telegram_update,
    whatsapp_message,
    whatsapp_post,
    whatsapp_status,
)

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _line(client: ApiClient, token: str) -> dict[str, Any]:
    made = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Shop WhatsApp", "settings": WHATSAPP},
                       token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _write(client: ApiClient, line: dict[str, Any], chat: Chat, n: int, text: str) -> None:
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                           whatsapp_message(chat, n, "text", {"body": text}))])
    assert answer.status_code == 200, answer.body


def in_russian(page: Any, member: Member, company: str, path: str) -> None:
    """On a new page, the member signed in with the sign-in form's own request (conftest.SIGN_IN) and the app opened
    at path in Russian, as after choosing Russian and reloading there: the app's first load finds the language in the
    origin's storage and starts at path, restoring the session from the cookie (one load of the app, not two)."""
    lent = CONTEXTS.lent_as(page.context)
    if lent is None:
        page.goto("/static/icon.svg")  # the app's origin, without loading the app
    origin = lent.keeper if lent else page
    status, session = origin.evaluate(SIGN_IN, [member.email, member.password])
    assert status == 200 and not (session["must_change_password"] or session["must_enroll_totp"]), session
    origin.evaluate("() => localStorage.setItem('crm.lang', 'ru')")
    page.goto(f"/#{path}")
    page.locator(".brand-name", has_text=company).wait_for()


def test_the_inbox_answers_a_customer_and_hears_of_new_messages_live(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    management = boto3.client("apigatewaymanagementapi", endpoint_url=live_url + LOCAL_LIVE_PATH,
                              region_name="eu-west-1", config=Config(retries={"max_attempts": 1}))
    monkeypatch.setattr(live_service, "management_client", lambda: management)  # the public URL serves nothing
    client = ApiClient(app)
    company = signup(client, company="Inbox Browser Ltd", country="RU")
    line = _line(client, company.owner.token)
    anna = Chat(customer="+79161230101", name="Anna Lebedeva")
    old = Chat(customer="+79161230102", name="Boris Old", start=time.time() - 30 * 3600)
    token = company.owner.token
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Inbox Browser Ltd")
    ctx = TenantContext(tenant_id=company.tenant_id)

    def sockets() -> list[str]:
        with bind(ctx):
            return [c.connection_id for c in live_service.connections(ctx, company.owner.user_id)]

    until(sockets, "the tab's socket")
    open_screen(page, "/inbox", "Inbox")
    none = page.locator(".inbox-list .empty")
    none.wait_for()  # nothing yet: the first chats arrive while it is open
    assert "Connected: WhatsApp." in none.inner_text()  # not told to connect what is connected
    assert none.get_by_role("link").count() == 0
    _write(client, line, old, 1, "Yesterday's question")
    page.locator(".conversation-row", has_text="Boris Old").wait_for()
    assert page.locator(".inbox-list .empty").count() == 0  # not "No conversations yet" above it
    [boris] = body(client.get("/api/v1/conversations", token=token))["items"]
    client.post(f"/api/v1/conversations/{boris['id']}/read", token=token)  # read: Anna's unread one comes first
    _write(client, line, anna, 1, "Do you have it in blue?")
    listed = body(client.get("/api/v1/conversations", token=token))["items"]
    page.locator("[data-test=inbox-count]", has_text="1").wait_for()
    rows = page.locator(".conversation-row .conversation-name")
    assert rows.all_inner_texts()[:2] == ["Anna Lebedeva", "Boris Old"]
    rows.first.click()
    page.locator(".bubble-in", has_text="Do you have it in blue?").wait_for()
    page.locator("[data-test=inbox-count]").wait_for(state="hidden")  # opening the thread read it
    anna_row = page.locator(".conversation-row", has_text="Anna Lebedeva")
    assert anna_row.locator("[data-test=row-unread]").count() == 0  # its row's count too
    page.locator("[data-test=reply-text]").fill("Yes, in blue and in green")
    page.locator("[data-test=reply-send]").click()
    sent = page.locator(".bubble-out", has_text="Yes, in blue and in green")
    sent.wait_for()
    assert sent.locator("[data-test=ticks]").get_attribute("data-status") == "sent"
    assert "Yes, in blue and in green" in anna_row.locator(".conversation-preview").inner_text()  # the row follows
    screens.shoot(page, "thread-desktop")

    anna_id = next(c["id"] for c in listed if c["customer_name"] == "Anna Lebedeva")
    thread = body(client.get(f"/api/v1/conversations/{anna_id}/messages", token=token))["items"]
    wamid = thread[0]["provider_message_id"]
    play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_status(anna, wamid, "read"))])
    _write(client, line, Chat(customer=anna.customer, name=anna.name), 2, "Great, I'll take the green one")
    page.locator(".bubble-in", has_text="I'll take the green one").wait_for()  # live, without a reload
    page.locator(".bubble-out [data-status=read]").wait_for()

    assert page.locator("[data-test=assignee]").input_value() == company.owner.user_id
    page.locator(".conversation-row", has_text="Boris Old").click()
    page.locator("[data-test=template-picker]").wait_for()  # 30 hours since Boris wrote: a template only
    # said so that it holds for a customer who never wrote too (a chat begun from the card): not "last wrote ... ago"
    page.locator(".inbox-thread .notice", has_text="has not written in the last 24 hours").wait_for()
    page.get_by_label("Template name").fill("order_update")
    page.get_by_role("button", name="Send template").click()
    page.locator(".bubble-out", has_text="order_update").wait_for()
    assert_no_problems(page)

    phone = new_page(browser, live_url, viewport=PHONE)
    log_in(phone, company.owner, "Inbox Browser Ltd", at="/inbox")
    open_screen(phone, "/inbox", "Inbox")
    assert phone.evaluate(NO_SIDEWAYS)
    phone.locator(".conversation-row", has_text="Anna Lebedeva").click()
    phone.locator(".bubble-in", has_text="Do you have it in blue?").wait_for()
    assert not phone.locator(".inbox-list").is_visible()  # the thread alone on a phone, with a way back
    assert phone.locator("[data-test=reply-box]").is_visible() and phone.evaluate(NO_SIDEWAYS)
    screens.shoot(phone, "thread-phone")
    phone.locator(".thread-back").click()
    phone.locator(".inbox-list").wait_for()
    assert_no_problems(phone)


def test_the_contact_card_shows_its_conversations_in_russian(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Card Ltd", country="RU")
    line = _line(client, company.owner.token)
    _write(client, line, Chat(customer="+79161230103", name="Vera Klimova"), 1, "Zdravstvuyte!")
    contact_id = body(client.get("/api/v1/conversations", token=company.owner.token))["items"][0]["contact_id"]
    page = new_page(browser, live_url, viewport=PHONE)
    in_russian(page, company.owner, "Card Ltd", f"/contacts/{contact_id}")
    page.locator("[data-test=card-conversations]").locator("summary", has_text="Переписка").click()
    page.locator(".card-thread .bubble-in", has_text="Zdravstvuyte!").wait_for()
    page.locator("[data-test=whatsapp-link]").wait_for()
    assert page.locator("[data-test=reply-box]").is_visible()
    assert page.evaluate(NO_SIDEWAYS)
    # Where she came from and her message on the timeline, in Russian (not "whatsapp:Shop WhatsApp" and
    # "WhatsApp message received", the API's own words).
    assert "из WhatsApp" in page.locator("main .props").first.inner_text()
    page.locator(".timeline", has_text="WhatsApp: входящее сообщение").wait_for()
    assert "message received" not in page.locator(".timeline").inner_text()
    screens.shoot(page, "card-phone")
    assert_no_problems(page)


def test_a_whatsapp_line_is_connected_in_settings_with_the_steps_at_meta(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Setup Chats Ltd", country="RU")
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Setup Chats Ltd", at="/inbox")
    open_screen(page, "/inbox", "Inbox")  # nothing connected yet: the inbox says so and leads to where it is done
    page.locator(".inbox-list .empty", has_text="once WhatsApp, Telegram or a mailbox is connected").get_by_role(
        "link", name="Connect WhatsApp or Telegram").click()
    page.locator("#page-title", has_text="Settings").wait_for()
    connect = page.locator("section.panel",
                           has=page.get_by_role("heading", name="Connect WhatsApp, Telegram or a mailbox"))
    connect.get_by_label("Name").fill("Shop WhatsApp")
    connect.get_by_label("Phone number ID").fill("106540352242922")
    connect.get_by_label("WhatsApp Business Account ID").fill("102290129340398")
    connect.get_by_label("Access token").fill("EAAG-browser-token-0001")
    connect.get_by_label("App secret").fill("browser-app-secret-01")
    connect.get_by_role("button", name="Connect").click()
    secret = page.locator("[data-test=integration-secret]")
    secret.wait_for()
    assert secret.inner_text().startswith("whsec_")  # the verify token to paste at Meta, shown once
    said = page.locator(".secret-box").inner_text()  # not a website form's "a server ... that sends leads"
    assert "verify token to paste at Meta" in said and "leads" not in said
    panel = page.locator("[data-integration]", has_text="Shop WhatsApp")
    assert "/hooks/whatsapp/" in panel.locator("[data-test=webhook-url]").input_value()
    assert panel.get_by_label("Webhook address").count() == 1  # not "Address to paste into your site"
    panel.get_by_role("button", name="New secret").wait_for()  # the steps' "rotate it for a new one"
    assert "browser-app-secret" not in page.content() and "EAAG-browser" not in page.content()
    screens.shoot(page, "whatsapp-setup")

    # A Telegram bot: nothing to paste at Telegram, but the address the CRM gave it and the secret token it sends
    # are on the screen (shown nowhere before), which is what the simulator (or a check by hand) needs.
    connect.get_by_label("Channel").select_option("telegram")
    connect.get_by_label("Name").fill("Shop bot")
    connect.get_by_label("Bot token").fill(BOT_TOKEN)
    connect.get_by_role("button", name="Connect").click()
    page.locator(".secret-box", has_text="X-Telegram-Bot-Api-Secret-Token").wait_for()
    token = page.locator("[data-test=integration-secret]").inner_text()
    bot = page.locator("[data-integration]", has_text="Shop bot")
    url = bot.locator("[data-test=webhook-url]").input_value()
    assert "/hooks/telegram/" in url and f"…{token[-4:]}" in bot.locator(".meta").first.inner_text()
    answers = play(client, telegram_requests(url, secret_token=token, chat=Chat(chat_id=515151, name="Ivan Petrov")))
    assert {answer.status_code for answer in answers} == {200}
    bot.get_by_role("button", name="New secret").click()
    page.get_by_role("dialog").get_by_role("button", name="New secret").click()
    expect(page.locator("[data-test=integration-secret]")).not_to_have_text(token)
    page.set_viewport_size(PHONE)
    page.evaluate("() => localStorage.setItem('crm.lang', 'ru')")
    page.reload()
    bot.locator("li", has_text="X-Telegram-Bot-Api-Secret-Token").wait_for()
    assert "/hooks/telegram/" in bot.get_by_label("Адрес вебхука").input_value()
    bot.get_by_role("button", name="Новый секрет").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "telegram-setup-phone")
    assert_no_problems(page)


def test_a_photo_without_words_is_previewed_as_a_photo_in_russian(browser: Any, live_url: str, app: Any,
                                                                  screens: Screens) -> None:
    # A walk's owner saw '[image]' under a customer's name in the list (the API's preview of a file alone) while the
    # thread said 'Фото'.
    client = ApiClient(app)
    company = signup(client, company="Photo Ltd", country="RU")
    line = _line(client, company.owner.token)
    chat = Chat(customer="+79161230104", name="Pavel Foto")
    [answer] = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET, whatsapp_message(
        chat, 1, "image", {"mime_type": "image/jpeg", "sha256": "c0ffee", "id": "1234567890123"}))])
    assert answer.status_code == 200, answer.body
    page = new_page(browser, live_url, viewport=PHONE)
    in_russian(page, company.owner, "Photo Ltd", "/inbox")
    row = page.locator(".conversation-row", has_text="Pavel Foto")
    expect(row.locator(".conversation-preview")).to_have_text("📎 Фото")
    screens.shoot(page, "photo-preview-phone")
    assert_no_problems(page)


def test_a_chat_at_the_contacts_limit_comes_in_and_says_why_it_has_no_contact(browser: Any, live_url: str, app: Any,
                                                                              screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Full Chat Ltd", country="RU")
    line = _line(client, company.owner.token)
    limit = billing_helpers.usage(client, company)["contacts"]["limit"]
    billing_helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for one more contact
    _write(client, line, Chat(customer="+79161230104", name="Gleb Orlov"), 1, "Можно заказать на завтра?")
    [conversation] = body(client.get("/api/v1/conversations", token=company.owner.token))["items"]
    page = new_page(browser, live_url, viewport=PHONE)
    in_russian(page, company.owner, "Full Chat Ltd", f"/inbox/{conversation['id']}")
    page.locator(".bubble-in", has_text="Можно заказать на завтра?").wait_for()
    notice = page.locator("[data-test=contact-skipped]")
    expect(notice).to_contain_text("Отправитель не сохранён как контакт: достигнут лимит контактов вашего тарифа")
    expect(notice.get_by_role("link", name="Увеличить лимит")).to_have_attribute("href", "#/settings/billing")
    assert page.locator(".thread-actions a", has_text="Контакт").count() == 0
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "contacts-full-phone")
    assert_no_problems(page)


def test_a_telegram_start_reads_as_the_chat_opening_not_as_a_command(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens) -> None:
    # A walk's shop saw '/start' as the first thing each Telegram customer 'wrote' (what Telegram sends when someone
    # opens the bot), in the list and in the thread.
    client = ApiClient(app)
    company = signup(client, company="Start Ltd", country="RU")
    made = client.post("/api/v1/integrations", {"type": "telegram", "name": "Shop bot",
                                                "settings": {"bot_token": BOT_TOKEN}}, token=company.owner.token)
    assert made.status_code == 201, made.body
    line = body(made)
    chat = Chat(chat_id=5550101, name="Svetlana Start")
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"],
                                           telegram_update(chat, 8801, {"message_id": 1, "text": "/start"}))])
    assert answer.status_code == 200, answer.body
    page = new_page(browser, live_url, viewport=PHONE)
    in_russian(page, company.owner, "Start Ltd", "/inbox")
    opened = "Открыт чат с вашим ботом (/start)"  # noqa: RUF001
    row = page.locator(".conversation-row", has_text="Svetlana Start")
    expect(row.locator(".conversation-preview")).to_have_text(opened)
    row.locator("a").click()
    expect(page.locator(".bubble-in .bubble-text")).to_have_text(opened)
    screens.shoot(page, "bot-start-phone")
    assert_no_problems(page)


def test_an_agent_s_thread_with_a_colleague_s_customer_names_them_with_no_dead_link(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    """An agent handed the owner's customer's chat pressed 'Карточка контакта' and landed on 'not found' (the contact
    is the owner's). On a phone in Russian the thread now names the customer, with no link; the owner, who may open
    the card, keeps the button (390 px)."""
    client = ApiClient(app)
    company = signup(client, company="Handed Chat Ltd", country="RU")
    agent = add_member(client, company, role="agent", name="chatagent")
    made = client.post("/api/v1/contacts", {"first_name": "Vera", "last_name": "Lindqvist",
                                            "phones": [{"number": "+79161230188"}]}, token=company.owner.token)
    assert made.status_code == 201, made.body
    line = _line(client, company.owner.token)
    _write(client, line, Chat(customer="+79161230188", name="Verochka"), 1, "Где мой заказ?")
    [conversation] = body(client.get("/api/v1/conversations", token=company.owner.token))["items"]
    handed = client.post(f"/api/v1/conversations/{conversation['id']}/assign",
                         {"version": conversation["version"], "assignee_id": agent.user_id}, token=company.owner.token)
    assert handed.status_code == 200, handed.body

    page = new_page(browser, live_url, viewport={"width": 390, "height": 780})
    in_russian(page, agent, "Handed Chat Ltd", f"/inbox/{conversation['id']}")
    page.locator(".bubble-in", has_text="Где мой заказ?").wait_for()
    actions = page.locator(".thread-actions")
    expect(actions.locator("[data-test=thread-contact-name]")).to_have_text("Контакт: Vera Lindqvist")
    assert actions.locator("a[href^='#/contacts/']").count() == 0
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "thread-colleague-contact-phone")
    assert_no_problems(page)

    owner = new_page(browser, live_url, viewport={"width": 390, "height": 780})
    in_russian(owner, company.owner, "Handed Chat Ltd", f"/inbox/{conversation['id']}")
    link = owner.locator(".thread-actions [data-test=thread-contact]")
    expect(link).to_have_text("Контакт: Vera Lindqvist")  # named as for the agent, and a link
    link.click()
    owner.locator("#page-title", has_text="Vera Lindqvist").wait_for()
    assert_no_problems(owner)
