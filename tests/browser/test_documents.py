"""Documents in a browser (#23): on a deal's card, "Create invoice" makes a numbered PDF shown in a frame (at
1366 px) and offered as a download (at 375 px), the card's documents list it, "Send" e-mails it; Settings →
Requisites and Document templates (with a PDF preview of the template) in Russian on a phone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_calls import S3_LINK, recording_from_s3
from tests.browser.test_sensitive import log_in
from tests.factories import outbox, signup
from tests.support import ApiClient, body

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
SALON_PHONE = {"width": 390, "height": 844}
# A closed panel says it opens: the summary's own triangle, or the one drawn where a phone's flex summary lost it.
MARKER = """(summary) => {
  const own = getComputedStyle(summary), drawn = getComputedStyle(summary, '::before');
  return (own.display === 'list-item' && own.listStyleType !== 'none')
    || (drawn.content !== 'none' && parseFloat(drawn.width) > 0 && drawn.borderRightStyle !== 'none');
}"""


def deal_documents_in_russian(browser: Any, live_url: str, company: Any, name: str, deal_id: str,
                              viewport: dict[str, int]) -> tuple[Any, Any]:
    """The owner on the deal's card, the app in Russian, its documents panel opened: (page, panel)."""
    page = new_page(browser, live_url, viewport=viewport)
    log_in(page, company.owner, name)
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Сделки").wait_for()
    page.goto(f"/#/deals/{deal_id}")
    panel = page.locator(".doc-panel")
    panel.locator("summary").click()
    return page, panel


def test_an_invoice_from_the_deal_card_previewed_downloaded_and_sent(browser: Any, live_url: str, app: Any,
                                                                      screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Paper Flowers")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Iris", "emails": [{"address": "iris@example.com"}]},
                               token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Paper roses", "amount": {"minor": 12550, "currency": "USD"},
                                              "contact_ids": [contact["id"]]}, token=token))
    page = new_page(browser, live_url, viewport=WIDE)
    page.route(S3_LINK, recording_from_s3)
    log_in(page, company.owner, "Paper Flowers", at=f"/deals/{deal['id']}")
    panel = page.locator(".doc-panel")
    assert panel.locator("summary").evaluate(MARKER), "the closed Documents panel shows no sign that it opens"
    panel.locator("summary").click()
    expect(panel.locator(".doc-list")).to_contain_text("No documents yet.")
    # No requisites yet: the invoice would name the seller by the company's name alone, and the panel says so.
    notice = panel.locator("[data-test=requisites-missing]")
    expect(notice).to_contain_text("requisites are not filled in")
    expect(notice.get_by_role("link", name="Settings → Requisites")).to_have_attribute("href", "#/settings/requisites")
    panel.get_by_role("button", name="Create invoice").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^Invoice INV-\d{4}-0001$"), timeout=15_000)
    expect(dialog.locator("iframe.doc-frame")).to_have_attribute("src", re.compile(r"amazonaws\.com/.+documents"))
    expect(dialog.locator("[data-doc-download]")).to_have_attribute("href", re.compile("attachment"))
    screens.shoot(page, "invoice-1366")
    dialog.get_by_role("button", name="Close").click()
    row = panel.locator(".doc-row").first
    expect(row).to_contain_text("$125.50")

    # On a phone: no frame, a download link and one that opens the PDF.
    page.set_viewport_size(PHONE)
    assert panel.locator("summary").evaluate(MARKER), "a phone's summary lost its triangle"
    row.get_by_role("button", name="Open").click()
    expect(dialog.locator("iframe")).to_have_count(0)
    expect(dialog.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(dialog.get_by_role("link", name="Open")).to_be_visible()
    fits_the_phone(page, screens, "invoice-375")
    dialog.get_by_role("button", name="Close").click()

    mails = len(outbox("iris@example.com"))
    row.get_by_role("button", name="Send").click()
    send = page.get_by_role("form", name=re.compile("Send INV-"))
    expect(send.get_by_label(re.compile("E-mail address"))).to_have_value("iris@example.com")
    send.get_by_role("button", name="Send").click()
    page.locator(".toast", has_text="Sent").wait_for()
    assert len(outbox("iris@example.com")) == mails + 1
    expect(panel.locator(".doc-row").first).to_contain_text("Sent by e-mail")
    assert_no_problems(page)


def test_requisites_and_a_template_with_its_preview_in_russian_on_a_phone(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Бумажные цветы", locale="ru", country="RU")
    deal = body(client.post("/api/v1/deals", {"title": "Бумажные розы"}, token=company.owner.token))
    page, panel = deal_documents_in_russian(browser, live_url, company, "Бумажные цветы", deal["id"], PHONE)
    notice = panel.locator("[data-test=requisites-missing]")
    expect(notice).to_contain_text("Реквизиты компании не заполнены")
    notice.get_by_role("link", name="Настройки → Реквизиты").click()  # the way to where they are filled in
    form = page.get_by_role("form", name="Реквизиты")
    form.get_by_label("Полное наименование").fill("ООО «Бумажные цветы»")  # noqa: RUF001
    form.get_by_label("ИНН").fill("7701234567")
    form.get_by_role("button", name="Сохранить").click()
    page.locator(".toast").first.wait_for()
    saved = body(client.get("/api/v1/document-settings/requisites", token=company.owner.token))
    assert saved["legal_name"] == "ООО «Бумажные цветы»" and saved["tax_id"] == "7701234567"  # noqa: RUF001

    page.goto("/#/settings/documents")
    editor = page.get_by_role("form", name="Новый шаблон")
    editor.get_by_label("Название").fill("Мой счёт")
    editor.get_by_label("Язык встроенного текста").select_option("ru")
    expect(editor.get_by_label("Шаблон")).to_have_value(re.compile("Поставщик"))
    editor.get_by_role("button", name="Предпросмотр").click()
    expect(page.locator(".doc-preview iframe")).to_have_attribute("src", re.compile("^blob:"))
    editor.get_by_label("Шаблон").fill("<p>{{ customer.name }</p>")
    editor.get_by_role("button", name="Предпросмотр").click()
    expect(page.locator(".doc-preview [role=alert]")).to_contain_text("1")
    editor.get_by_label("Шаблон").fill("<h1>Счёт {{ document.number }}</h1>")
    editor.get_by_role("button", name="Сохранить").click()
    page.locator(".doc-row", has_text="Мой счёт").wait_for()
    fits_the_phone(page, screens, "templates-375-ru")
    assert_no_problems(page)



def test_a_document_that_cannot_be_sent_says_why_in_russian(browser: Any, live_url: str, app: Any) -> None:
    # The send form answered a Russian owner in the API's English ("The contact has no WhatsApp or Telegram chat on
    # a line") when the customer had no chat, and likewise when they had no e-mail address.
    client = ApiClient(app)
    company = signup(client, company="Снабжение", locale="ru", country="RU")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Иван", "phones": [{"number": "+79161234567"}]},
                               token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Поставка", "contact_ids": [contact["id"]]}, token=token))
    body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"}, token=token))
    page, panel = deal_documents_in_russian(browser, live_url, company, "Снабжение", deal["id"], PHONE)
    panel.locator(".doc-row").first.get_by_role("button", name="Отправить").click()
    send = page.get_by_role("form", name="Отправить документ № 1")  # a Russian company's first invoice: no prefix
    # a customer without an e-mail address is offered her chat first (tests/browser/test_salon_walk.py)
    send.get_by_role("button", name="Отправить").click()
    expect(send).to_contain_text("У клиента ещё нет чата с компанией в WhatsApp или Telegram")  # noqa: RUF001
    send.locator("select[name=channel]").select_option("email")
    send.get_by_role("button", name="Отправить").click()
    expect(send).to_contain_text("У клиента нет адреса e-mail: введите его")  # noqa: RUF001
    assert "chat on a line" not in send.inner_text() and "give one" not in send.inner_text()
    send.get_by_label(re.compile("Адрес e-mail")).fill("ivan@example.com")
    send.get_by_role("button", name="Отправить").click()
    # the row and the deal's timeline say how it went in Russian, not "Sent 1 by email"
    expect(panel.locator(".doc-row").first).to_contain_text("Отправлено по e-mail")
    page.reload()
    timeline = page.locator(".timeline").first
    expect(timeline).to_contain_text("Документ № 1 отправлен: по e-mail")
    assert "by email" not in timeline.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(page)


def test_a_salon_numbers_its_invoices_the_russian_way_and_chooses_a_prefix(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    # A Kazan salon's invoice read "Счёт INV-2026-0001": a Russian invoice is "Счёт № 1" of the year, and the
    # company may give its own prefix in Settings → Requisites (the next documents take it, issued ones keep theirs)
    client = ApiClient(app)
    company = signup(client, company="Салон Алсу", locale="ru", country="RU", timezone="Europe/Moscow")
    token = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Свадебная причёска",
                                              "amount": {"minor": 450000, "currency": "RUB"}}, token=token))
    page, panel = deal_documents_in_russian(browser, live_url, company, "Салон Алсу", deal["id"], SALON_PHONE)
    panel.get_by_role("button", name="Выставить счёт").click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text("Счёт № 1", timeout=15_000)
    dialog.get_by_role("button", name="Закрыть").click()

    page.goto("/#/settings/requisites")
    form = page.get_by_role("form", name="Реквизиты")
    prefix = form.get_by_label("Префикс номера счёта")
    expect(prefix).to_have_value("")
    expect(form.locator(".doc-prefixes")).to_contain_text("без префикса — 1, 2, 3… с начала каждого года")  # noqa: RUF001
    prefix.fill("СЧ-")  # a prefix ends in a letter or a digit: the number adds "-2026-0002" itself
    form.get_by_role("button", name="Сохранить").click()
    expect(prefix).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("Неверный формат")
    prefix.fill("СЧ")
    form.get_by_role("button", name="Сохранить").click()
    page.locator(".toast", has_text="Сохранено").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SALON_PHONE["width"]
    screens.shoot(page, "requisites-prefixes-390-ru")
    saved = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert saved["number_prefixes"] == {"quote": "", "invoice": "СЧ", "delivery_note": "", "act": ""}

    page.goto(f"/#/deals/{deal['id']}")
    panel.locator("summary").click()
    panel.get_by_role("button", name="Выставить счёт").click()
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^Счёт № СЧ-\d{4}-0002$"), timeout=15_000)
    dialog.get_by_role("button", name="Закрыть").click()
    rows = panel.locator(".doc-row strong")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_have_text("Счёт № 1")  # the first invoice keeps its number
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SALON_PHONE["width"]
    assert_no_problems(page)
