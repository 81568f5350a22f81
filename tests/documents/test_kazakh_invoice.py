"""An Almaty shop's invoice in Russian reads as a Kazakh accountant expects: the seller's БИН/ИИН and ИИК (not a
Russian ИНН and расчётный счёт), the VAT at 12 %, the total in words in tenge, and a customer's Kazakh name in
Kazakh letters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.channels import transport
from tests.documents.test_documents import fetch, pdf_text
from tests.documents.test_uk_invoice import document_text, seller_with_an_order
from tests.factories import Company
from tests.messaging.kit import create_line, inbox, play
from tests.support import ApiClient, body
from webhooks.messengers import Chat, telegram_post, telegram_update

REQUISITES = {"legal_name": "ТОО «Алма Декор»", "tax_id": "180540012345", "address": "050000, г. Алматы, пр. Абая, 150",  # noqa: RUF001
              "bank_name": "АО «Kaspi Bank»", "bank_code": "CASPKZKA", "bank_account": "KZ86722S000012345678",  # noqa: RUF001
              "document_locale": "ru"}


@pytest.fixture(scope="module")
def alma(app: Any) -> Company:
    return seller_with_an_order(app, "Алма Декор", "KZ", "Asia/Almaty", REQUISITES, ("Гүлнұр", "Әбдіқадырова"),
                                "KZT", {"description": "Ваза керамическая Шаңырақ", "quantity": "2",
                                        "unit_price_minor": 1275000, "tax_rate": "12"})


def test_a_kazakh_invoice_names_the_bin_and_the_iik(client: ApiClient, alma: Company) -> None:
    invoice = document_text(client, alma, "invoice")
    assert "Поставщик: ТОО «Алма Декор», БИН/ИИН 180540012345" in invoice, invoice  # noqa: RUF001
    assert "ИИК: KZ86722S000012345678" in invoice, invoice
    assert "ИНН" not in invoice and "Расчётный счёт" not in invoice, invoice
    assert "Банк: АО «Kaspi Bank», БИК CASPKZKA" in invoice, invoice  # noqa: RUF001
    # the Kazakh letters print, the VAT is 12 % on top, the total in words is in tenge and tiyn
    assert "Покупатель: Гүлнұр Әбдіқадырова" in invoice and "Ваза керамическая Шаңырақ" in invoice, invoice
    assert "НДС: 3 060,00 ₸" in invoice and "Итого к оплате: 28 560,00 ₸" in invoice, invoice
    assert "Двадцать восемь тысяч пятьсот шестьдесят тенге 00 тиынов" in invoice, invoice


def test_the_delivery_note_names_the_bin_too(client: ApiClient, alma: Company) -> None:
    note = document_text(client, alma, "delivery_note")
    assert "БИН/ИИН 180540012345" in note and "ИНН" not in note, note


def test_prices_with_vat_in_them_print_as_paid_with_the_vat_they_include(client: ApiClient, alma: Company) -> None:
    # A shop's prices include its 12 % VAT; the invoice of such an order read "1 x 24 500,00 ₸ = 21 875,00 ₸",
    # the line's amount without the VAT beside its price with it, then "Итого без НДС". It now reads as a Kazakh
    # (or Russian) invoice of prices with VAT reads: the lines at their prices, the total, and the VAT it includes.
    token = alma.owner.token
    buyer = body(client.get("/api/v1/contacts", token=token))["items"][0]
    made = client.post("/api/v1/orders", {"currency": "KZT", "contact_id": buyer["id"], "price_mode": "inclusive",
                                          "lines": [{"description": "Плед шерстяной", "quantity": "1",
                                                     "unit_price_minor": 2450000, "tax_rate": "12"},
                                                    {"description": "Свеча ароматическая", "quantity": "3",
                                                     "unit_price_minor": 350000, "tax_rate": "12"}]}, token=token)
    assert made.status_code == 201, made.body
    order = body(made)
    document = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token)
    assert document.status_code == 201, document.body
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{body(document)['id']}/link", token=token))["url"]))
    plaid = next(line for line in text.splitlines() if "Плед шерстяной" in line)
    candles = next(line for line in text.splitlines() if "Свеча ароматическая" in line)
    assert plaid.endswith("24 500,00 ₸ 12% 24 500,00 ₸"), text
    assert candles.endswith("3 500,00 ₸ 12% 10 500,00 ₸"), text
    assert "Итого к оплате: 35 000,00 ₸" in text and "В том числе НДС 12%: 3 750,00 ₸" in text, text  # noqa: RUF001
    assert "Итого без НДС" not in text and "21 875,00" not in text, text


def test_the_chat_message_carrying_an_invoice_says_its_total_in_whole_tenge(client: ApiClient, alma: Company) -> None:
    # The customer's Telegram got "Счёт на оплату № 3 на сумму 8 900,00 ₸ во вложении.": tiyn no shop writes to a
    # customer. The message says "8 900 ₸"; the PDF prints the total as accountants do, with its tiyn.
    token = alma.owner.token
    line = create_line(client, alma, "telegram")
    chat = Chat(chat_id=5550101, name="Әсел Қайратқызы")
    [answer] = play(client, [telegram_post(line["webhook_url"], line["secret"],
                                           telegram_update(chat, 1, {"message_id": 1, "text": "Шот жіберіңізші"}))])
    assert answer.status_code == 200, answer.body
    [conversation] = inbox(client, alma)
    deal = body(client.post("/api/v1/deals", {"title": "Подушка «Степь»", "contact_ids": [conversation["contact_id"]],
                                              "amount": {"minor": 890000, "currency": "KZT"}}, token=token))
    document = body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"}, token=token))
    sent = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": "messenger"}, token=token)
    assert sent.status_code == 200, sent.body
    request = [r for r in transport.sandbox_requests("telegram") if r["url"].endswith("/sendDocument")][-1]
    caption = json.loads(request["body"])["caption"]
    assert caption == f"Счёт на оплату № {document['number']} на сумму 8\u00a0900\u00a0₸ во вложении.", caption
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    assert "Итого к оплате: 8 900,00 ₸" in text, text
