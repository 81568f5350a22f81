"""A Kazan beauty salon's walk on a phone in Russian (390 px): the owner's WhatsApp campaign to her customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import Company, signup
from tests.messaging.kit import create_line
from tests.support import ApiClient, body

PHONE = {"width": 390, "height": 844}


def salon(client: ApiClient, name: str) -> Company:
    """A salon in Kazan: Russian, on Moscow's clock."""
    return signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")


def test_the_owner_tests_a_whatsapp_campaign_on_her_own_number_as_she_types_it(browser: Any, live_url: str, app: Any,
                                                                               screens: Screens) -> None:
    # She typed her number as she writes it ('8 917 000-11-22') and was told 'check the marked fields', with nothing
    # marked: the test send now takes it, and a number that is none is named as such.
    client = ApiClient(app)
    company = salon(client, "Салон Лилия")
    token = company.owner.token
    line = create_line(client, company, "whatsapp")
    segment = body(client.post("/api/v1/segments", {"name": "Клиентки", "conditions": [
        {"type": "tag_has", "value": "клиентка"}]}, token=token))
    campaign = body(client.post("/api/v1/campaigns", {
        "name": "Декабрь: окрашивание", "channel": "whatsapp", "segment_id": segment["id"],
        "integration_id": line["id"], "template": {"name": "december_ru", "language": "ru",
                                                   "parameters": ["{first_name}", "20%"]}}, token=token))
    page = russian_phone(browser, live_url, company.owner, "Салон Лилия")
    page.locator(".main-nav", has_text="Рассылки").wait_for()
    page.goto(f"/#/campaigns/{campaign['id']}/edit")
    # the hint says the CRM fills the last variable with the unsubscribe link; a field of her own naming is refused
    page.locator("label", has_text="кроме последней: её CRM заполнит ссылкой для отписки сама").wait_for()
    variables = page.locator("textarea[name=template_parameters]")
    variables.fill("{first_name}\n20%\n{unsubscribe_url}")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.locator(".form-status", has_text="{unsubscribe_url} — такого поля подстановки здесь нет").wait_for()
    assert body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=token))["template"]["parameters"] == [
        "{first_name}", "20%"]
    variables.fill("{first_name}\n20%")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.locator(".toast", has_text="Черновик сохранён").wait_for()
    # the preview's customer is named as the salon's customers are, not 'Anna'
    page.locator("[data-test=campaign-preview] li", has_text="Анна").wait_for()
    number = page.locator("[data-test=test-to]")
    number.fill("917 000")
    page.locator("[data-test=test-send]").click()
    page.locator(".toast", has_text="Неверный номер телефона").wait_for()
    assert page.locator("[data-test=send-now]").is_disabled()
    number.fill("8 917 000-11-22")
    page.locator("[data-test=test-send]").click()
    page.locator(".toast", has_text="Тест отправлен на 79170001122").wait_for()
    page.locator("[data-test=send-now]:not([disabled])").wait_for()
    # the preview's last variable, the unsubscribe link, wraps: the screen ran to 1,275 px sideways
    page.locator("[data-test=campaign-preview] li", has_text="/m/u/").wait_for()
    fits_the_phone(page, screens, "campaign-test-phone-ru")
    # She schedules it for 10:00 of a day in ten days from a browser on another clock (Berlin's): 10:00 in Kazan,
    # the company's clock every time of the app is shown on, not 10:00 in Berlin (it read '(your time)')
    # a segment made a minute ago is still being built: said in Russian (it was English)
    page.locator("[data-test=send-now]").click()
    page.locator("dialog").get_by_role("button", name="Отправить сейчас").click()
    page.locator(".toast", has_text="Сегмент ещё собирается: отправьте через минуту.").wait_for()
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):  # the segment's members placed, as the segments job does within a minute
        assert jobs.build(ctx, segment["id"])
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    page.locator("[data-test=send-at]").fill(f"{day}T10:00")
    page.locator(".hint", has_text="По времени компании: Europe/Moscow").wait_for()
    page.get_by_role("button", name="Запланировать").click()
    page.locator("[data-test=campaign-results]").wait_for()
    scheduled = body(client.get(f"/api/v1/campaigns/{campaign['id']}", token=token))
    assert (scheduled["status"], scheduled["scheduled_at"][:16]) == ("scheduled", f"{day}T07:00")
    assert_no_problems(page)


def test_the_administrator_keeps_a_customers_birthday_on_her_card(browser: Any, live_url: str, app: Any,
                                                                  screens: Screens) -> None:
    # The salon's birthday greeting and its 'birthday this month' segment read a contact's birthday, which the card's
    # editor did not offer: only an import or the API could give one
    client = ApiClient(app)
    company = salon(client, "Салон Лилия ДР")
    token = company.owner.token
    guzel = body(client.post("/api/v1/contacts", {"first_name": "Гузель", "phones": [{"number": "+79033401122"}]},
                             token=token))
    page = russian_phone(browser, live_url, company.owner, "Салон Лилия ДР")
    page.locator(".main-nav", has_text="Контакты").wait_for()
    page.goto(f"/#/contacts/{guzel['id']}")
    page.locator("summary", has_text="Изменить").click()
    page.get_by_label("День рождения").fill("1990-03-15")
    page.get_by_role("button", name="Сохранить").click()
    page.locator(".props", has_text="15 мар. 1990").wait_for()
    assert body(client.get(f"/api/v1/contacts/{guzel['id']}", token=token))["birthday"] == "1990-03-15"
    page.locator("summary", has_text="Изменить").click()
    page.get_by_label("Имя", exact=True).fill("Гузель Рашидовна")  # another change keeps it
    page.get_by_role("button", name="Сохранить").click()
    page.locator("#page-title", has_text="Гузель Рашидовна").wait_for()
    assert body(client.get(f"/api/v1/contacts/{guzel['id']}", token=token))["birthday"] == "1990-03-15"
    fits_the_phone(page, screens, "birthday-card-phone-ru")
    assert_no_problems(page)


def test_the_administrator_sends_an_invoice_to_a_telegram_customers_chat(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    # A customer who writes on Telegram has no e-mail address: the send dialog offered e-mail first and answered
    # 'the customer has no e-mail address', and kept the address box when the chat was chosen
    from chalicelib.channels import transport
    from tests.messaging.kit import inbox, play
    from webhooks.messengers import Chat, telegram_post, telegram_update

    client = ApiClient(app)
    company = salon(client, "Салон Лилия Счета")
    token = company.owner.token
    line = create_line(client, company, "telegram")
    chat = Chat(chat_id=5550001, name="Альбина Галиева")
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"], telegram_update(
        chat, 1, {"message_id": 1, "text": "Можно счёт за сертификат?"}))])
    assert answer.status_code == 200, answer.body
    [conversation] = inbox(client, company)
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": conversation["contact_id"], "lines": [
        {"description": "Подарочный сертификат", "quantity": "1", "unit_price_minor": 300000}]}, token=token))
    page = russian_phone(browser, live_url, company.owner, "Салон Лилия Счета")
    page.locator(".main-nav", has_text="Заказы").wait_for()
    page.goto(f"/#/orders/{order['id']}")
    page.locator("summary", has_text="Документы").click()
    page.get_by_role("button", name="Выставить счёт").click()
    page.locator("dialog.doc-dialog[open]").get_by_role("button", name="Закрыть").click()  # the PDF, shown at once
    page.locator(".doc-row", has_text="Счёт").get_by_role("button", name="Отправить").click()
    dialog = page.locator("dialog[open]")
    assert dialog.locator("select[name=channel]").input_value() == "messenger"
    assert dialog.locator("input[name=to]").is_hidden()
    dialog.locator("select[name=channel]").select_option("email")
    assert dialog.locator("input[name=to]").is_visible()
    dialog.locator("select[name=channel]").select_option("messenger")
    fits_the_phone(page, screens, "invoice-send-phone-ru")
    transport.clear_sandbox()
    dialog.get_by_role("button", name="Отправить").click()
    page.locator(".doc-row", has_text="Отправлено в Telegram").wait_for()
    assert [r for r in transport.sandbox_requests("telegram") if r["url"].endswith("/sendDocument")]
    assert_no_problems(page)
