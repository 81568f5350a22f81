"""Documents of a Russian company read as a Russian accountant expects (a Kazan salon's walk): a line with no tax rate
is "Без НДС" (a real 0% rate stays 0%), numbers are the year's 1, 2 ... ("Счёт на оплату № 12") until the company
gives a prefix in its requisites, and an invoice says its total in words. English documents keep their own forms."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.documents.test_documents import REQUISITES, fetch, pdf_text
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def salon(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Салон Алсу", locale="ru", country="RU", timezone="Europe/Moscow")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    contact = body(client.post("/api/v1/contacts", {"first_name": "Гузель", "last_name": "Хабибуллина",
                                                    "emails": [{"address": "guzel@example.com"}]}, token=token))
    deal = body(client.post("/api/v1/deals", {
        "title": "Свадебная причёска", "amount": {"minor": 1234550, "currency": "RUB"},
        "contact_ids": [contact["id"]]}, token=token))
    company.extra.update(deal=deal, contact=contact)
    return company


def issued(client: ApiClient, company: Company, deal_id: str, **fields: Any) -> tuple[dict[str, Any], str]:
    """A document of a deal and its PDF's text."""
    made = client.post(f"/api/v1/deals/{deal_id}/documents", {"type": "invoice", **fields},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    document = body(made)
    link = body(client.get(f"/api/v1/documents/{document['id']}/link", token=company.owner.token))
    return document, pdf_text(fetch(link["url"]))


def test_a_salon_invoice_without_a_tax_rate_says_bez_nds_and_its_total_in_words(client: ApiClient,
                                                                                salon: Company) -> None:
    # A deal has no tax rate: its invoice printed "0%" on the line and "НДС: 0,00 ₽" under it, which is a 0% rate
    # (exports), not a salon on the simplified system that is not subject to VAT
    document, text = issued(client, salon, salon.extra["deal"]["id"])
    assert document["lines"][0]["tax_rate_bp"] is None
    for expected in ("Без НДС", "Итого: 12 345,50 ₽", "Итого к оплате: 12 345,50 ₽",
                     "Всего наименований 1, на сумму 12 345,50 ₽",  # noqa: RUF001
                     "Двенадцать тысяч триста сорок пять рублей 50 копеек"):
        assert expected in text, (expected, text)
    assert "0%" not in text and "НДС: 0,00" not in text and "Итого без НДС" not in text, text


def test_a_real_0_percent_rate_stays_0_beside_a_line_without_a_rate(client: ApiClient, salon: Company) -> None:
    document, text = issued(client, salon, salon.extra["deal"]["id"], lines=[
        {"description": "Окрашивание", "quantity": "1", "unit_price_minor": 500000},
        {"description": "Шампунь на экспорт", "quantity": "2", "unit_price_minor": 70000, "tax_rate_bp": 0},
        {"description": "Маска", "quantity": "1", "unit_price_minor": 100000, "tax_rate_bp": 2000}])
    assert [line["tax_rate_bp"] for line in document["lines"]] == [None, 0, 2000]
    rows = {name: next(line for line in text.splitlines() if name in line)
            for name in ("Окрашивание", "Шампунь на экспорт", "Маска")}
    assert "Без НДС" in rows["Окрашивание"] and "%" not in rows["Окрашивание"], rows
    assert "0%" in rows["Шампунь на экспорт"] and "Без НДС" not in rows["Шампунь на экспорт"], rows
    assert "20%" in rows["Маска"], rows
    for expected in ("Итого без НДС: 7 400,00 ₽", "НДС: 200,00 ₽", "Итого к оплате: 7 600,00 ₽",
                     "Семь тысяч шестьсот рублей 00 копеек"):
        assert expected in text, (expected, text)


def test_an_english_invoice_without_a_tax_rate_prints_no_tax_rather_than_0_percent(client: ApiClient) -> None:
    company = signup(client, company="Bay Plumbing", country="US", timezone="America/New_York")
    token = company.owner.token
    deal = body(client.post("/api/v1/deals", {"title": "Water heater install",
                                              "amount": {"minor": 120000, "currency": "USD"}}, token=token))
    _, text = issued(client, company, deal["id"])
    assert re.search(r"Invoice No\. INV-20\d\d-0001 dated ", text), text
    row = next(line for line in text.splitlines() if line.startswith("1 Water heater install"))
    assert "—" in row and "%" not in row, row
    assert "No tax" in text and "Total: $1,200.00" in text, text
    assert "Tax: $0.00" not in text and "dollars" not in text, text  # an amount in words is a Russian form


def test_a_russian_company_numbers_by_the_year_and_may_give_a_prefix(client: ApiClient, salon: Company) -> None:
    # "INV-2026-0001" on a Russian invoice: its number is "№ 12" of the year, unless the company chose a prefix
    token = salon.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    assert settings["number_prefixes"] == {"quote": "", "invoice": "", "delivery_note": "", "act": ""}
    quote, text = issued(client, salon, salon.extra["deal"]["id"], type="quote")
    assert quote["number"] == "1" and "Коммерческое предложение № 1 от " in text, text
    before, _ = issued(client, salon, salon.extra["deal"]["id"])
    assert before["number"].isdigit()

    refused = client.put("/api/v1/document-settings/requisites", {
        **REQUISITES, "version": settings["version"], "number_prefixes": {"invoice": "СЧ-"}}, token=token)
    assert refused.status_code == 422 and refused.body
    assert body(refused)["error"]["details"][0]["loc"][-2:] == ["number_prefixes", "invoice"]
    assert body(client.get("/api/v1/document-settings/requisites", token=token)) == settings  # nothing changed

    saved = client.put("/api/v1/document-settings/requisites", {
        **REQUISITES, "version": settings["version"], "number_prefixes": {"invoice": "СЧ"}}, token=token)
    assert saved.status_code == 200, saved.body
    assert body(saved)["number_prefixes"] == {"quote": "", "invoice": "СЧ", "delivery_note": "", "act": ""}
    after, text = issued(client, salon, salon.extra["deal"]["id"])
    # the count of the year goes on under the new prefix, and what was issued keeps its number
    assert re.fullmatch(rf"СЧ-20\d\d-{int(before['number']) + 1:04d}", after["number"]), after
    assert f"Счёт на оплату № {after['number']} от " in text, text
    assert body(client.get(f"/api/v1/documents/{before['id']}", token=token))["number"] == before["number"]
    link = body(client.get(f"/api/v1/documents/{after['id']}/link", token=token))
    assert link["filename"] == f"invoice-{after['number'][3:]}.pdf", link  # ASCII, for headers and mail clients
    assert issued(client, salon, salon.extra["deal"]["id"], type="quote")[0]["number"] == "2"
    # a client older than the prefixes saves the requisites without them: the company's prefix stays
    older = client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": body(saved)["version"]},
                       token=token)
    assert older.status_code == 200 and body(older)["number_prefixes"]["invoice"] == "СЧ", older.body


def test_an_english_company_keeps_its_prefixes() -> None:
    from chalicelib.documents import wording

    assert wording.default_prefixes("en") == {"quote": "QUO", "invoice": "INV", "delivery_note": "DN",
                                               "act": "ACT"}
    assert wording.document_number("INV", 2026, 3) == "INV-2026-0003"
    assert wording.file_name("invoice", "12", 2026, 12) == "invoice-2026-0012.pdf"
    assert wording.file_name("invoice", "INV-2026-0003", 2026, 3) == "INV-2026-0003.pdf"
    assert wording.in_words(100, "XYZ", "ru") == ""  # a currency num2words cannot name: no line rather than a 500


def test_an_order_line_without_a_rate_is_bez_nds_even_repriced(client: ApiClient, salon: Company) -> None:
    # The salon's orders (a haircut, a shampoo from a product without a rate) printed "0%" like a 0% export line;
    # the order prices such a line at 0 and marks it, and a change of price mode (the lines priced again) keeps it
    token = salon.owner.token
    made = client.post("/api/v1/orders", {"currency": "RUB", "contact_id": salon.extra["contact"]["id"], "lines": [
        {"description": "Стрижка", "quantity": "1", "unit_price_minor": 250000},
        {"description": "Шампунь на экспорт", "quantity": "1", "unit_price_minor": 90000, "tax_rate": "0"}]},
        token=token)
    assert made.status_code == 201, made.body
    order = body(made)
    assert [line["tax_rate"] for line in order["lines"]] == ["0", "0"]
    # the order says which has no rate, so its card reads "Без НДС" and its editor sends that line without one again
    assert [line["no_tax_rate"] for line in order["lines"]] == [True, False]
    changed = client.patch(f"/api/v1/orders/{order['id']}", {"version": order["version"], "price_mode": "inclusive"},
                           token=token)
    assert changed.status_code == 200, changed.body
    assert [line["no_tax_rate"] for line in body(changed)["lines"]] == [True, False]
    document = body(client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token))
    assert [line["tax_rate_bp"] for line in document["lines"]] == [None, 0]
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    haircut = next(line for line in text.splitlines() if "Стрижка" in line)
    export = next(line for line in text.splitlines() if "Шампунь на экспорт" in line)
    assert "Без НДС" in haircut and "%" not in haircut, text
    assert "0%" in export and "Без НДС" not in export, text


def test_the_buyers_inn_is_printed_from_its_inn_field_unless_that_is_sensitive(client: ApiClient,
                                                                               salon: Company) -> None:
    # The buyer was printed without its INN, which the company card keeps (the import fills an "inn" field)
    token = salon.owner.token
    made = client.post("/api/v1/custom-fields", {"entity": "company", "key": "inn", "label": "ИНН", "type": "text"},
                       token=token)
    assert made.status_code == 201, made.body
    buyer = body(client.post("/api/v1/companies", {"name": "ООО «Лютик»", "custom": {"inn": "1655123456"}},  # noqa: RUF001
                             token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Корпоратив", "amount": {"minor": 1500000, "currency": "RUB"},
                                              "company_id": buyer["id"]}, token=token))
    document, text = issued(client, salon, deal["id"])
    assert "Покупатель: ООО «Лютик», ИНН 1655123456" in text, text  # noqa: RUF001
    assert document["customer"]["tax_id"] == "1655123456"
    plain = body(client.post("/api/v1/companies", {"name": "ИП Шарипова"}, token=token))
    other = body(client.post("/api/v1/deals", {"title": "Свадьба", "amount": {"minor": 100000, "currency": "RUB"},
                                               "company_id": plain["id"]}, token=token))
    _, text = issued(client, salon, other["id"])
    assert "ИНН" not in next(line for line in text.splitlines() if line.startswith("Покупатель")), text

    # where the company keeps INNs in a sensitive field, reading one is an audited read of its own: not printed
    guarded = signup(client, company="Салон Гузель", locale="ru", country="RU", timezone="Europe/Moscow")
    assert client.post("/api/v1/custom-fields", {"entity": "company", "key": "inn", "label": "ИНН", "type": "text",
                                                 "sensitive": True}, token=guarded.owner.token).status_code == 201
    hidden = body(client.post("/api/v1/companies", {"name": "ООО «Мак»", "custom": {"inn": "1655654321"}},  # noqa: RUF001
                              token=guarded.owner.token))
    deal = body(client.post("/api/v1/deals", {"title": "Выпускной", "amount": {"minor": 100000, "currency": "RUB"},
                                              "company_id": hidden["id"]}, token=guarded.owner.token))
    document, text = issued(client, guarded, deal["id"])
    assert document["customer"]["tax_id"] == "", document  # neither the value nor its ciphertext
    assert "ИНН" not in next(line for line in text.splitlines() if line.startswith("Покупатель")), text


def test_a_buyers_kpp_is_printed_beside_its_inn(client: ApiClient, salon: Company) -> None:
    # A Russian счёт names a company buyer by its INN and КПП; the КПП was kept in the company's note, off the paper
    token = salon.owner.token
    buyer = body(client.post("/api/v1/companies", {"name": "ООО «Ромашка»", "tax_number": "7701234567",  # noqa: RUF001
                                                   "kpp": "770101001", "registration_number": "1027700132195"},
                             token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Оформление офиса", "company_id": buyer["id"],
                                              "amount": {"minor": 2500000, "currency": "RUB"}}, token=token))
    document, text = issued(client, salon, deal["id"])
    line = next(line for line in text.splitlines() if line.startswith("Покупатель"))
    assert line.startswith("Покупатель: ООО «Ромашка», ИНН 7701234567, КПП 770101001"), text  # noqa: RUF001
    assert document["customer"]["kpp"] == "770101001"
    _, act = issued(client, salon, deal["id"], type="act")  # an act names its Заказчик the same way
    assert "Заказчик: ООО «Ромашка», ИНН 7701234567, КПП 770101001" in act, act  # noqa: RUF001

    # an order made through the API for the company's buyer (who works there alone) names the company, КПП and all
    person = body(client.post("/api/v1/contacts", {"first_name": "Ольга", "company_ids": [buyer["id"]]}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": person["id"], "lines": [
        {"description": "Букет в приёмную", "quantity": "1", "unit_price_minor": 500000}]}, token=token))
    made = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))
    assert "Покупатель: ООО «Ромашка», ИНН 7701234567, КПП 770101001" in pdf_text(fetch(link["url"]))  # noqa: RUF001

    plain = body(client.post("/api/v1/companies", {"name": "ООО «Мак»", "tax_number": "1655654321"},  # noqa: RUF001
                             token=token))
    other = body(client.post("/api/v1/deals", {"title": "Букеты", "company_id": plain["id"],
                                               "amount": {"minor": 100000, "currency": "RUB"}}, token=token))
    _, text = issued(client, salon, other["id"])
    assert "КПП" not in next(line for line in text.splitlines() if line.startswith("Покупатель")), text
