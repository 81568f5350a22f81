"""Documents of an order name it by its number: an act's basis «Заказ № 154 от 07.12.2026», an invoice's
"По заказу № 154"; an order made before orders had numbers is still named by its date."""

from __future__ import annotations

import re
from email import message_from_string, policy

from chalicelib.documents import wording
from tests.documents.test_act import a_clinic, issued
from tests.factories import outbox
from tests.support import ApiClient, body


def test_an_orders_act_and_invoice_name_it_by_its_number(client: ApiClient) -> None:
    clinic = a_clinic(client, "Автосервис Колесо")
    made = client.post("/api/v1/orders", {
        "currency": "RUB", "contact_id": clinic.extra["contact"]["id"],
        "lines": [{"description": "Замена масла", "quantity": "1", "unit_price_minor": 250000, "tax_rate": "20"}]},
        token=clinic.owner.token)
    assert made.status_code == 201, made.body
    order = body(made)
    assert order["number"] == 1
    _, text = issued(client, clinic, f"orders/{order['id']}")
    assert re.search(r"Основание: Заказ № 1 от \d\d\.\d\d\.\d{4}", text), text
    invoice, text = issued(client, clinic, f"orders/{order['id']}", "invoice")
    assert "По заказу № 1" in text, text
    # the e-mail carrying it names the order too
    before = len(outbox("olga@example.com"))
    sent = client.post(f"/api/v1/documents/{invoice['id']}/send", {"channel": "email"}, token=clinic.owner.token)
    assert sent.status_code == 200, sent.body
    message = message_from_string(outbox("olga@example.com")[before:][0].raw_data, policy=policy.default)
    said = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()
    assert f"Счёт на оплату № {invoice['number']} по заказу № 1 на сумму" in said, said


def test_an_act_of_an_order_without_a_number_names_its_date() -> None:
    assert wording.basis("order", "ru", day="07.12.2026") == "Заказ от 07.12.2026"
    assert wording.basis("order", "ru", day="07.12.2026", number=154) == "Заказ № 154 от 07.12.2026"
    assert wording.basis("order", "en", day="12/07/2026", number=154) == "Order No. 154 of 12/07/2026"
