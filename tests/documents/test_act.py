"""An act of services rendered (Акт об оказании услуг): a dental clinic, a web agency or a heating firm closes a job
with one, signed by both sides. Issued from a deal or an order like the other documents, numbered in its own series
("Акт № 3 от 07.12.2026" for a Russian company, ACT-2026-0001 in English), based on the invoice it follows, else on
its deal or order, and read back from its PDF as the accountant reads it."""  # noqa: RUF002

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.documents.test_documents import REQUISITES, fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body

DONE = ("Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объему, качеству и срокам "
        "оказания услуг не имеет.")


def a_clinic(client: ApiClient, name: str) -> Company:
    """A Russian clinic with its requisites, a patient and the client company she works for."""
    company = signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    contact = body(client.post("/api/v1/contacts", {"first_name": "Ольга", "last_name": "Смирнова",
                                                    "emails": [{"address": "olga@example.com"}]}, token=token))
    buyer = body(client.post("/api/v1/companies", {"name": "ООО «Лютик»", "tax_number": "1655123456"},  # noqa: RUF001
                             token=token))
    company.extra.update(contact=contact, buyer=buyer)
    return company


@pytest.fixture(scope="module")
def clinic(app: Any) -> Company:
    return a_clinic(ApiClient(app), "Стоматология Улыбка")


def new_deal(client: ApiClient, company: Company, title: str, minor: int) -> dict[str, Any]:
    return body(client.post("/api/v1/deals", {
        "title": title, "amount": {"minor": minor, "currency": "RUB"}, "contact_ids": [company.extra["contact"]["id"]],
        "company_id": company.extra["buyer"]["id"]}, token=company.owner.token))


def issued(client: ApiClient, company: Company, path: str, doc_type: str = "act",
           **fields: Any) -> tuple[dict[str, Any], str]:
    """A document of a record (path: deals/<id> or orders/<id>) and its PDF's text."""
    made = client.post(f"/api/v1/{path}/documents", {"type": doc_type, **fields}, token=company.owner.token)
    assert made.status_code == 201, made.body
    document = body(made)
    link = body(client.get(f"/api/v1/documents/{document['id']}/link", token=company.owner.token))
    return document, pdf_text(fetch(link["url"]))


def flat(text: str) -> str:
    """The text with its lines joined (a long sentence wraps in the PDF)."""
    return re.sub(r"\s+", " ", text)


def test_an_act_of_a_deal_reads_as_a_russian_accountant_expects(client: ApiClient, clinic: Company) -> None:
    deal = new_deal(client, clinic, "Лечение кариеса", 1234550)
    invoice, invoice_text = issued(client, clinic, f"deals/{deal['id']}", "invoice")
    act, text = issued(client, clinic, f"deals/{deal['id']}")
    assert act["type"] == "act" and act["number"].isdigit(), act  # a Russian company's: the year's 1, 2 ...
    assert act["total_minor"] == 1234550 and act["customer"]["name"] == "ООО «Лютик»"  # noqa: RUF001
    invoice_day = re.search(rf"Счёт на оплату № {invoice['number']} от (\d\d\.\d\d\.\d{{4}})", invoice_text)
    assert invoice_day, invoice_text
    assert re.search(rf"^Акт № {act['number']} от \d\d\.\d\d\.\d{{4}}$", text, re.MULTILINE), text
    for expected in (f"Основание: Счёт на оплату № {invoice['number']} от {invoice_day[1]}",
                     "Исполнитель: ООО «Ромашка», ИНН 7701234567",  # noqa: RUF001
                     "Заказчик: ООО «Лютик», ИНН 1655123456",  # noqa: RUF001
                     "№ Наименование работ, услуг Кол-во Ед. Цена Сумма",
                     "1 Лечение кариеса 1 12 345,50 ₽ 12 345,50 ₽", "Итого: 12 345,50 ₽\nБез НДС",  # noqa: RUF001
                     "Всего оказано услуг 1, на сумму 12 345,50 ₽",  # noqa: RUF001
                     "Двенадцать тысяч триста сорок пять рублей 50 копеек",
                     "Исполнитель Заказчик", "ООО «Ромашка» ООО «Лютик»", "/ Иванов И. И.",  # noqa: RUF001
                     "подпись / Ф.И.О. подпись / Ф.И.О.", "М.П. М.П."):  # noqa: RUF001
        assert expected in text, (expected, text)
    assert DONE in flat(text), text
    # an act is no invoice: no bank details, no "pay within", no "По сделке"
    for absent in ("БИК", "Оплатить", "По сделке", "Поставщик", "Покупатель"):
        assert absent not in text, (absent, text)
    # its own series: an invoice between two acts takes the invoices' next number, not the acts'
    between, _ = issued(client, clinic, f"deals/{deal['id']}", "invoice")
    again, _ = issued(client, clinic, f"deals/{deal['id']}")
    assert int(again["number"]) == int(act["number"]) + 1, (act, again)
    assert int(between["number"]) == int(invoice["number"]) + 1, (invoice, between)
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=clinic.owner.token))
    entry = next(e for e in card["timeline"] if e["kind"] == "document" and e["data"]["document_id"] == act["id"])
    assert entry["data"]["type"] == "act" and entry["data"]["number"] == act["number"], entry
    listed = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=clinic.owner.token))["items"]
    assert [d["type"] for d in listed] == ["invoice", "act", "invoice", "act"]


def test_an_act_without_an_invoice_is_based_on_its_deal_and_says_a_vat_exemption(client: ApiClient,
                                                                                  clinic: Company) -> None:
    deal = new_deal(client, clinic, "Имплантация", 5000000)
    _, text = issued(client, clinic, f"deals/{deal['id']}", vat_treatment="exempt",
                     vat_exemption_reason="подп. 2 п. 2 ст. 149 НК РФ")  # noqa: RUF001
    for expected in ("Основание: Сделка «Имплантация»", "Без НДС",
                     "Освобождено от НДС: подп. 2 п. 2 ст. 149 НК РФ", "Всего оказано услуг 1, на сумму 50 000,00 ₽"):  # noqa: RUF001
        assert expected in text, (expected, text)


def test_an_act_of_an_order_with_vat_in_its_prices(client: ApiClient, clinic: Company) -> None:
    # a heating firm's service visit: two services priced with their VAT in, the total and the VAT it includes
    token = clinic.owner.token
    made = client.post("/api/v1/orders", {
        "currency": "RUB", "price_mode": "inclusive", "contact_id": clinic.extra["contact"]["id"], "lines": [
            {"description": "Обслуживание котла", "quantity": "1", "unit_price_minor": 600000,
             "tax_rate": "20"},
            {"description": "Выезд мастера", "quantity": "2", "unit_price_minor": 120000,
             "tax_rate": "20"}]}, token=token)
    assert made.status_code == 201, made.body
    order = body(made).get("order", body(made))
    act, text = issued(client, clinic, f"orders/{order['id']}")
    assert act["source"] == {"kind": "order", "id": order["id"]} and act["total_minor"] == 840000, act
    for expected in ("1 Обслуживание котла 1 6 000,00 ₽ 6 000,00 ₽", "2 Выезд мастера 2 1 200,00 ₽ 2 400,00 ₽",
                     "Итого: 8 400,00 ₽\nВ том числе НДС 20%: 1 400,00 ₽",  # noqa: RUF001
                     "Всего оказано услуг 2, на сумму 8 400,00 ₽", "Восемь тысяч четыреста рублей 00 копеек",  # noqa: RUF001
                     "Заказчик: Ольга Смирнова"):
        assert expected in text, (expected, text)
    assert re.search(rf"Основание: Заказ № {order['number']} от \d\d\.\d\d\.\d{{4}}", text), text
    # once the order has its invoice, the next act follows it
    invoice, _ = issued(client, clinic, f"orders/{order['id']}", "invoice")
    _, text = issued(client, clinic, f"orders/{order['id']}")
    assert re.search(rf"Основание: Счёт на оплату № {invoice['number']} от \d\d\.\d\d\.\d{{4}}", text), text


def test_an_act_takes_its_own_prefix_and_is_sent_by_email(client: ApiClient) -> None:
    from tests.factories import outbox

    clinic = a_clinic(client, "Клиника Жемчуг")
    token = clinic.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert settings["number_prefixes"]["act"] == ""
    saved = client.put("/api/v1/document-settings/requisites", {
        **REQUISITES, "version": settings["version"], "number_prefixes": {"act": "АКТ"}}, token=token)  # noqa: RUF001
    assert saved.status_code == 200 and body(saved)["number_prefixes"]["act"] == "АКТ", saved.body  # noqa: RUF001
    deal = new_deal(client, clinic, "Отбеливание", 1500000)
    act, text = issued(client, clinic, f"deals/{deal['id']}")
    assert re.fullmatch(r"АКТ-\d{4}-\d{4}", act["number"]) and f"Акт № {act['number']} от " in text, (act, text)  # noqa: RUF001
    before = len(outbox("olga@example.com"))
    sent = client.post(f"/api/v1/documents/{act['id']}/send", {"channel": "email"}, token=token)
    assert sent.status_code == 200, sent.body
    raw = outbox("olga@example.com")[before:][0].raw_data
    filename = f"act-{act['number'][4:]}.pdf"  # ASCII, for headers and mail clients
    assert f'filename="{filename}"' in raw, raw[:2000]
    assert client.put("/api/v1/document-settings/requisites", {
        **REQUISITES, "version": body(saved)["version"], "number_prefixes": {"act": "АКТ-"}},  # noqa: RUF001
        token=token).status_code == 422


def test_an_english_certificate_of_services_rendered(client: ApiClient) -> None:
    company = signup(client, company="Bay Plumbing", country="US", timezone="America/New_York")
    token = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Water heater install",
                                              "amount": {"minor": 120000, "currency": "USD"}}, token=token))
    act, text = issued(client, company, f"deals/{deal['id']}")
    assert re.fullmatch(r"ACT-\d{4}-0001", act["number"]), act
    assert re.search(rf"Certificate of services rendered No\. {act['number']} dated", flat(text)), text
    for expected in ("Basis: Deal “Water heater install”", "Contractor: Bay Plumbing",
                     "No. Services Qty Unit Price Amount", "Total: $1,200.00\nNo tax",
                     "Total services rendered: 1, amounting to $1,200.00", "signature / full name", "Seal Seal"):
        assert expected in text, (expected, text)
    assert "The services above were rendered in full and on time. The Customer has no claims" in flat(text), text
    assert "dollars" not in text and "Please pay" not in text, text  # an amount in words is a Russian form
    invoice, _ = issued(client, company, f"deals/{deal['id']}", "invoice")
    _, text = issued(client, company, f"deals/{deal['id']}")
    assert re.search(rf"Basis: Invoice {invoice['number']} dated \w+ \d+, \d{{4}}", text), text  # a US date


def test_the_built_in_act_is_offered_and_previewed(client: ApiClient, clinic: Company) -> None:
    import base64

    built_in = body(client.get("/api/v1/document-templates/built-in", token=clinic.owner.token))["items"]
    assert {(t["type"], t["locale"]) for t in built_in} >= {("act", "en"), ("act", "ru"), ("act", "de")}
    act = next(t["body"] for t in built_in if t["type"] == "act" and t["locale"] == "ru")
    answer = body(client.post("/api/v1/document-templates/preview", {"type": "act", "body": act, "locale": "ru"},
                              token=clinic.owner.token))
    text = pdf_text(base64.b64decode(answer["pdf_base64"]))
    # the number the company's next act would take
    assert re.search(r"^Акт № \d+ от \d\d\.\d\d\.\d{4}$", text, re.MULTILINE), text
    assert "Основание: Сделка «Sample deal»" in text and "М.П." in text, text  # noqa: RUF001


def test_a_german_leistungsnachweis() -> None:
    from tests.documents.test_german_documents import render

    text = render("act", "de", "DE", "EUR", "standard")
    for expected in ("Leistungsnachweis Nr. X-2026-0007", "Datum: 7. Dezember 2026",
                     "Auftragnehmer: Spreeblick Digital GmbH, USt-IdNr. DE312345678",
                     "Auftraggeber: Atelier Lumière SARL", "Pos. Leistung Menge Einheit Einzelpreis Betrag",
                     "Nettobetrag: 1.274,56 €", "zzgl. 19 % USt.: 234,57 €", "Gesamtbetrag: 1.510,88 €",
                     "Erbrachte Leistungen: 3, im Gesamtwert von 1.510,88 €", "Unterschrift / Name"):
        assert expected in text, (expected, text)
    assert "Die oben genannten Leistungen wurden vollständig und fristgerecht erbracht." in flat(text), text
