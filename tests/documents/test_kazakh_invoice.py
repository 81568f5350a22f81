"""An Almaty shop's invoice in Russian reads as a Kazakh accountant expects: the seller's БИН/ИИН and ИИК (not a
Russian ИНН and расчётный счёт), the VAT at 12 %, the total in words in tenge, and a customer's Kazakh name in
Kazakh letters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.test_uk_invoice import document_text, seller_with_an_order
from tests.factories import Company
from tests.support import ApiClient

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
