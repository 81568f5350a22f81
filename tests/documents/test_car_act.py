"""A Moscow car service's act of works names the car it was for: its own act template prints the make and model,
plate, VIN and mileage the customer's card keeps in custom fields (``contact.custom.<key>``), never a sensitive value,
nor one the issuer's role may not see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.test_act import issued
from tests.documents.test_documents import REQUISITES, fetch, pdf_text
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

FIELDS = [("car", "Автомобиль", "text", False), ("plate", "Госномер", "text", False), ("vin", "VIN", "text", False),
          ("mileage", "Пробег, км", "number", False), ("owner_passport", "Паспорт владельца", "text", True)]
CAR = ("<p>Автомобиль: {{ contact.custom.car }}, госномер {{ contact.custom.plate }}, VIN {{ contact.custom.vin }},"
       " пробег {{ contact.custom.mileage }} км.{{ contact.custom.owner_passport }}</p>")
PLATE = "А123ВС 777"  # noqa: RUF001


@pytest.fixture(scope="module")
def garage(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Акты", locale="ru", country="RU")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    for key, label, kind, sensitive in FIELDS:
        made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": key, "label": label, "type": kind,
                                                     "sensitive": sensitive}, token=token)
        assert made.status_code == 201, made.body
    built_in = body(client.get("/api/v1/document-templates/built-in", token=token))["items"]
    act = next(t["body"] for t in built_in if t["type"] == "act" and t["locale"] == "ru")
    anchor = "{% if document.basis %}"
    assert anchor in act
    made = client.post("/api/v1/document-templates", {"type": "act", "name": "Акт с автомобилем", "locale": "ru",  # noqa: RUF001
                                                      "is_default": True, "body": act.replace(anchor, CAR + anchor, 1)},
                       token=token)
    assert made.status_code == 201, made.body
    contact = body(client.post("/api/v1/contacts", {"first_name": "Андрей", "last_name": "Смирнов", "custom": {
        "car": "Kia Rio", "plate": PLATE, "vin": "Z94CB41AAGR323020", "mileage": 88000,
        "owner_passport": "4599 000111"}}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "RUB", "contact_id": contact["id"], "lines": [
        {"description": "Замена масла в двигателе", "quantity": "0.5", "unit_price_minor": 150000}]}, token=token))
    company.extra.update(contact=contact, order=order)
    return company


def test_the_act_names_the_car_from_the_customers_card(client: ApiClient, garage: Company) -> None:
    _, text = issued(client, garage, f"orders/{garage.extra['order']['id']}")
    # the template printed "Автомобиль: , госномер , VIN , пробег  км.": its context held no custom value at all
    car = f"Автомобиль: Kia Rio, госномер {PLATE}, VIN Z94CB41AAGR323020, пробег 88000 км."
    assert car in text, text
    assert "4599" not in text and "000111" not in text  # a sensitive value is never printed on the way


def test_a_field_hidden_from_the_issuer_is_left_off(client: ApiClient, garage: Company) -> None:
    role = client.post("/api/v1/roles", {"key": "desk", "name": "Приёмка", "permissions": [
        "contacts:read:all", "orders:read:all", "orders:update:all", "contacts.custom.vin:hidden"]},
        token=garage.owner.token)
    assert role.status_code == 201, role.body
    desk = add_member(client, garage, role="desk", name="desk")
    made = client.post(f"/api/v1/orders/{garage.extra['order']['id']}/documents", {"type": "act"}, token=desk.token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=desk.token))
    text = pdf_text(fetch(link["url"]))
    assert f"госномер {PLATE}, VIN , пробег" in text and "Z94CB41" not in text, text
