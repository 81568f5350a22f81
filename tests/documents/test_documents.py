"""Documents of a deal: issued from the built-in and the company's templates, numbered per type and year, kept in
S3 under the tenant's prefix, on the deal's timeline, lent by audited links; the PDF's text (Cyrillic included) read
back with pypdf."""

from __future__ import annotations

import io
import re
import urllib.parse
from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

REQUISITES = {"legal_name": "ООО «Ромашка»", "tax_id": "7701234567", "registration_id": "1027700132195",  # noqa: RUF001
              "address": "Москва, ул. Тверская, д. 1", "bank_name": "АО «Банк»", "bank_account": "40702810900000000001",  # noqa: RUF001
              "bank_code": "044525225", "correspondent_account": "30101810400000000225", "director": "Иванов И. И."}


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pypdf extracts it, spaces folded (non-breaking ones included)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def fetch(url: str) -> bytes:
    """The object a presigned link names, read from the in-process S3 (the suite has no S3 endpoint to follow)."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    key = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
    key = key.removeprefix(f"{settings.recordings_bucket}/")
    return bytes(aws.client("s3").get_object(Bucket=settings.recordings_bucket, Key=key)["Body"].read())


@pytest.fixture(scope="module")
def ru(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Цветы", locale="ru", country="RU", timezone="Europe/Moscow")
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=company.owner.token).status_code == 200
    contact = body(client.post("/api/v1/contacts", {"first_name": "Анна", "last_name": "Петрова",
                                                    "emails": [{"address": "anna@example.com"}]},
                               token=company.owner.token))
    organisation = body(client.post("/api/v1/companies", {"name": "ИП Петрова"}, token=company.owner.token))
    deal = body(client.post("/api/v1/deals", {
        "title": "Свадебные букеты", "amount": {"minor": 1234550, "currency": "RUB"}, "contact_ids": [contact["id"]],
        "company_id": organisation["id"]}, token=company.owner.token))
    company.extra.update(deal=deal, contact=contact)
    return company


def issue(client: ApiClient, company: Company, deal_id: str, **fields: Any) -> Any:
    return client.post(f"/api/v1/deals/{deal_id}/documents", {"type": "invoice", **fields}, token=company.owner.token)


def test_an_invoice_in_russian_reads_back_with_its_cyrillic(client: ApiClient, ru: Company) -> None:
    deal = ru.extra["deal"]
    made = issue(client, ru, deal["id"], lines=[
        {"description": "Букет «Весна»", "quantity": "3", "unit": "шт", "unit_price_minor": 150050,
         "tax_rate_bp": 2000},
        {"description": "Доставка", "quantity": "1.5", "unit_price_minor": 33333}])
    assert made.status_code == 201, made.body
    document = body(made)
    assert document["number"] == "1"  # a Russian company's first invoice of the year: "Счёт на оплату № 1"
    # 3 x 1500.50 = 4501.50, tax 20% = 900.30; 1.5 x 333.33 = 499.995 -> 500.00 (half up, per line), no tax
    assert (document["subtotal_minor"], document["tax_minor"], document["total_minor"]) == (500150, 90030, 590180)
    assert document["customer"]["name"] == "ИП Петрова" and document["source"] == {"kind": "deal", "id": deal["id"]}
    link = body(client.get(f"/api/v1/documents/{document['id']}/link", token=ru.owner.token))
    assert link["content_type"] == "application/pdf" and link["expires_in"] == 300
    assert f"tenants%2F{ru.tenant_id}%2Fdocuments" in link["url"] or f"tenants/{ru.tenant_id}/documents/" in link["url"]
    text = pdf_text(fetch(link["url"]))
    for expected in ("Счёт на оплату № 1 от ", "Поставщик: ООО «Ромашка», ИНН 7701234567",  # noqa: RUF001
                     "Покупатель: ИП Петрова", "Букет «Весна»", "1 500,50 ₽", "4 501,50 ₽", "500,00 ₽",
                     "Итого к оплате: 5 901,80 ₽", "По сделке: Свадебные букеты", "БИК 044525225"):
        assert expected in text, (expected, text)
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=ru.owner.token))
    entry = next(e for e in card["timeline"] if e["kind"] == "document")
    assert entry["data"]["number"] == document["number"] and entry["data"]["document_id"] == document["id"]
    listed = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=ru.owner.token))["items"]
    assert [d["id"] for d in listed][-1] == document["id"]
    reads = body(client.get(f"/api/v1/audit?entity=document&entity_id={document['id']}", token=ru.owner.token))
    assert reads["items"], reads


def test_without_requisites_the_seller_is_the_company_by_name_and_the_list_says_so(client: ApiClient) -> None:
    """An invoice of a company that filled in no requisites printed "Seller:" and nothing: it names the company,
    and the record's documents say the requisites are missing (the screen links to them) until the legal name is
    given."""
    company = signup(client, company="Bare Blooms Ltd", country="GB")
    token = company.owner.token
    rose = body(client.post("/api/v1/contacts", {"first_name": "Rose", "phones": [{"number": "+447911123456"}]},
                            token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Table posies", "amount": {"minor": 12000, "currency": "GBP"},
                                              "contact_ids": [rose["id"]]}, token=token))
    listed = body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))
    assert (listed["items"], listed["requisites_missing"]) == ([], True)
    document = body(issue(client, company, deal["id"]))
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    assert "Seller: Bare Blooms Ltd" in text, text
    assert "+44 7911 123456" in text and "+447911123456" not in text  # the customer's phone as people read it
    assert not re.search(r"Seller:\s*(\n|$)", text)
    assert client.put("/api/v1/document-settings/requisites", {"version": 0, "address": "1 Market St"},
                      token=token).status_code == 200  # an address alone: still no legal name to print
    assert body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))["requisites_missing"] is True
    assert client.put("/api/v1/document-settings/requisites", {"version": 1, "legal_name": "Bare Blooms Limited"},
                      token=token).status_code == 200
    assert body(client.get(f"/api/v1/deals/{deal['id']}/documents", token=token))["requisites_missing"] is False
    again = body(issue(client, company, deal["id"]))
    assert "Seller: Bare Blooms Limited" in pdf_text(fetch(body(client.get(
        f"/api/v1/documents/{again['id']}/link", token=token))["url"]))


def test_numbers_run_per_type_without_gaps(client: ApiClient, ru: Company) -> None:
    deal = ru.extra["deal"]
    first = [int(body(issue(client, ru, deal["id"], type=kind))["number"]) for kind in ("quote", "delivery_note")]
    numbers = [int(body(issue(client, ru, deal["id"], type=kind))["number"]) - first[kind == "delivery_note"]
               for kind in ("quote", "quote", "delivery_note", "quote")]
    assert numbers == [1, 2, 1, 3]
    bad = issue(client, ru, deal["id"], type="quote", template_id="01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert bad.status_code == 422
    assert int(body(issue(client, ru, deal["id"], type="quote"))["number"]) == first[0] + 4  # the refusal took none


def test_a_company_template_is_used_and_its_mistakes_are_422_with_the_line(client: ApiClient, ru: Company) -> None:
    token = ru.owner.token
    wrong = client.post("/api/v1/document-templates", {"type": "invoice", "name": "Broken",
                                                       "body": "<h1>Счёт</h1>\n{% for line in lines %}\n{{ line.n }"},
                        token=token)
    assert wrong.status_code == 422 and body(wrong)["error"]["details"][0]["line"] == 3, wrong.body
    made = client.post("/api/v1/document-templates", {
        "type": "invoice", "name": "Short", "locale": "ru", "is_default": True,
        "body": "<h1>Счёт {{ document.number }}</h1><p>{{ customer.name }}: {{ totals.total }}</p>"}, token=token)
    assert made.status_code == 201, made.body
    document = body(issue(client, ru, ru.extra["deal"]["id"]))
    assert document["template_id"] == body(made)["id"]
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    assert f"Счёт {document['number']}" in text and "ИП Петрова: 12 345,50 ₽" in text, text
    assert client.delete(f"/api/v1/document-templates/{body(made)['id']}", token=token).status_code == 204


@pytest.mark.parametrize(("template", "code"), [
    ("{{ ''.__class__.__mro__ }}", "template_unsafe"),
    ("{{ customer.__init__.__globals__ }}", "template_unsafe"),
    ("{{ lines.pop() }}{{ range(100000)|list }}", "template_unsafe"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "template_unsafe"),
    ("{% include 'secrets.txt' %}", "template_unsafe"),
    ("{{ 'x' * 100000 }}", "template_unsafe"),
    ("{{ 1 / 0 }}", "template_error"),
    ("{% if %}", "template_syntax"),
    ('<img src="/etc/passwd">', "document_tag_refused"),
    ("<table><tr><td>1</td></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>", None),
])
def test_template_mistakes_and_escapes_are_422(client: ApiClient, ru: Company, template: str, code: str | None) -> None:
    answer = client.post("/api/v1/document-templates/preview", {"type": "invoice", "body": template},
                         token=ru.owner.token)
    assert answer.status_code in ((200, 422) if code is None else (422,)), answer.body
    if code is not None:
        assert body(answer)["error"]["code"] == code, answer.body


def test_a_template_that_spins_is_stopped_by_its_cpu_bound(client: ApiClient, ru: Company,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.documents import rendering

    monkeypatch.setattr(rendering, "SECONDS", 0.2)  # of this thread's CPU; 10**9 steps need far more than 2 s
    spin = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}" \
           "{% endfor %}"
    answer = client.post("/api/v1/document-templates/preview", {"type": "invoice", "body": spin},
                         token=ru.owner.token)
    assert (answer.status_code, body(answer)["error"]["code"]) == (422, "template_too_slow"), answer.body


def test_the_preview_is_a_pdf_of_sample_values(client: ApiClient, ru: Company) -> None:
    import base64

    built_in = body(client.get("/api/v1/document-templates/built-in", token=ru.owner.token))
    invoice = next(t["body"] for t in built_in["items"] if t["type"] == "invoice" and t["locale"] == "en")
    answer = body(client.post("/api/v1/document-templates/preview", {"type": "invoice", "body": invoice},
                              token=ru.owner.token))
    text = pdf_text(base64.b64decode(answer["pdf_base64"]))
    assert "Invoice No. 1 " in text and "Bouquet “Spring”" in text and "ООО «Ромашка»" in text, text  # noqa: RUF001


def test_who_may_issue_and_see(client: ApiClient, app: Any, ru: Company) -> None:
    agent = add_member(client, ru, role="agent", name="doc-agent")
    deal = ru.extra["deal"]  # the owner's: out of the agent's scope
    assert client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"},
                       token=agent.token).status_code == 404
    assert client.get(f"/api/v1/deals/{deal['id']}/documents", token=agent.token).status_code == 404
    first = body(issue(client, ru, deal["id"], type="quote"))
    assert client.get(f"/api/v1/documents/{first['id']}", token=agent.token).status_code == 404
    assert client.get(f"/api/v1/documents/{first['id']}/link", token=agent.token).status_code == 404
    assert client.post("/api/v1/document-templates", {"type": "quote", "name": "x", "body": "x"},
                       token=agent.token).status_code == 403
    read_only = add_member(client, ru, role="read_only", name="doc-reader")
    assert client.get(f"/api/v1/documents/{first['id']}", token=read_only.token).status_code == 200
    assert client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"},
                       token=read_only.token).status_code == 403


def test_sending_by_email_attaches_the_pdf(client: ApiClient, ru: Company) -> None:
    from tests.factories import outbox

    document = body(issue(client, ru, ru.extra["deal"]["id"]))
    before = len(outbox("anna@example.com"))
    sent = client.post(f"/api/v1/documents/{document['id']}/send", {"channel": "email"}, token=ru.owner.token)
    assert sent.status_code == 200, sent.body
    assert body(sent)["sends"][-1] | {"at": None, "by": None} == {"channel": "email", "to": "anna@example.com",
                                                                  "status": "sent", "at": None, "by": None}
    messages = outbox("anna@example.com")
    assert len(messages) == before + 1
    raw = messages[-1].raw_data
    filename = body(client.get(f"/api/v1/documents/{document['id']}/link", token=ru.owner.token))["filename"]
    assert re.fullmatch(rf"invoice-20\d\d-{int(document['number']):04d}\.pdf", filename), filename  # not "1.pdf"
    assert f'filename="{filename}"' in raw and "application/pdf" in raw
    card = body(client.get(f"/api/v1/deals/{ru.extra['deal']['id']}", token=ru.owner.token))
    assert any(e["kind"] == "document_sent" for e in card["timeline"])


def test_an_order_gives_its_own_lines_and_amounts(client: ApiClient, ru: Company) -> None:
    token = ru.owner.token
    order = client.post("/api/v1/orders", {"currency": "RUB", "contact_id": ru.extra["contact"]["id"], "lines": [
        {"description": "Розы", "quantity": "7", "unit_price_minor": 25050, "tax_rate": "20", "discount_percent": "10"},
        {"description": "Лента", "quantity": "1", "unit_price_minor": 9999, "tax_rate": "0"}]}, token=token)
    assert order.status_code == 201, order.body
    made = body(order)
    order = made.get("order", made)
    answer = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "delivery_note"}, token=token)
    assert answer.status_code == 201, answer.body
    document = body(answer)
    assert document["source"] == {"kind": "order", "id": order["id"]}
    totals = order["totals"]
    assert (document["subtotal_minor"], document["tax_minor"], document["total_minor"]) == (
        totals["subtotal_minor"], totals["tax_minor"], totals["total_minor"])
    assert document["customer"]["name"] == "Анна Петрова"
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    assert re.search(r"Товарная накладная № \d+ от ", text) and "Розы" in text and "Лента" in text, text
    listed = body(client.get(f"/api/v1/orders/{order['id']}/documents", token=token))["items"]
    assert [d["id"] for d in listed] == [document["id"]]


def test_an_invoice_of_a_discounted_order_shows_the_discount(client: ApiClient, ru: Company) -> None:
    # 100 x 1 500,50 printed as 135 045,00 with no discount in sight reads as a mistake to the customer
    token = ru.owner.token
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": ru.extra["contact"]["id"], "lines": [
        {"description": "Перчатки", "quantity": "100", "unit_price_minor": 150050, "tax_rate": "20",
         "discount_percent": "10"},
        {"description": "Бумага", "quantity": "20", "unit_price_minor": 42000, "tax_rate": "20"}]}, token=token))
    answer = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token)
    assert answer.status_code == 201, answer.body
    document = body(answer)
    assert document["total_minor"] == order["totals"]["total_minor"] == 17213400
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    for expected in ("Скидка", "15 005,00 ₽", "135 045,00 ₽", "Скидки: 15 005,00 ₽", "Итого без НДС: 143 445,00 ₽",
                     "Итого к оплате: 172 134,00 ₽"):
        assert expected in text, (expected, text)
    undiscounted = body(client.post(f"/api/v1/deals/{ru.extra['deal']['id']}/documents", {"type": "quote"},
                                    token=token))
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{undiscounted['id']}/link", token=token))["url"]))
    assert "Скидк" not in text, text  # no empty discount column where nothing is discounted


def test_an_english_invoice_reads_as_an_american_customer_expects(client: ApiClient) -> None:
    # "Invoice No. INV-2026-0001 of 06 Dec 2026 ... Director: ____" is the Russian form word for word; the English one
    # is dated and signed by whoever may sign, and a discounted line shows its discount here too
    company = signup(client, company="Acme Supply", country="US", timezone="America/New_York")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "John"}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "USD", "contact_id": contact["id"], "lines": [
        {"description": "Nitrile gloves", "quantity": "40", "unit_price_minor": 1250, "tax_rate": "7.25",
         "discount_percent": "5"}]}, token=token))
    document = body(client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "invoice"}, token=token))
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))
    assert re.search(r"Invoice No\. INV-\d{4}-0001 dated ", text), text
    for expected in ("Authorized signature:", "Discount", "$25.00", "$475.00", "Discounts: $25.00", "Total: $509.44"):
        assert expected in text, (expected, text)
    assert "Director" not in text and " of " not in text.splitlines()[0], text


def test_an_invoice_of_an_order_paid_in_full_says_so(client: ApiClient, ru: Company) -> None:
    # A Kazan salon's invoice for a gift card paid at the desk told the customer to pay within 5 banking days
    token = ru.owner.token
    made = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": ru.extra["contact"]["id"], "lines": [
        {"description": "Подарочный сертификат", "quantity": "1", "unit_price_minor": 300000}]}, token=token))

    def invoice_text() -> str:
        document = body(client.post(f"/api/v1/orders/{made['id']}/documents", {"type": "invoice"}, token=token))
        return pdf_text(fetch(body(client.get(f"/api/v1/documents/{document['id']}/link", token=token))["url"]))

    due = invoice_text()
    assert "Оплатить в течение 5 банковских дней" in due and "Оплачено" not in due, due
    confirmed = body(client.post(f"/api/v1/orders/{made['id']}/status", {"status": "confirmed",
                                                                       "version": made["version"]}, token=token))
    part = client.post(f"/api/v1/orders/{made['id']}/payments", {"version": confirmed["version"],
                                                               "amount_minor": 100000, "method": "cash"}, token=token)
    assert part.status_code in (200, 201), part.body
    assert "Оплатить в течение 5 банковских дней" in invoice_text()  # partly paid: the rest is still due
    rest = client.post(f"/api/v1/orders/{made['id']}/payments", {"version": body(part)["version"],
                                                               "amount_minor": 200000, "method": "card"}, token=token)
    assert rest.status_code in (200, 201), rest.body
    paid = invoice_text()
    assert "Оплачено полностью. Спасибо!" in paid and "Оплатить в течение" not in paid, paid
    deal = body(client.post(f"/api/v1/deals/{ru.extra['deal']['id']}/documents", {"type": "invoice"}, token=token))
    text = pdf_text(fetch(body(client.get(f"/api/v1/documents/{deal['id']}/link", token=token))["url"]))
    assert "Оплатить в течение 5 банковских дней" in text  # a deal's invoice: nothing is paid on a deal
