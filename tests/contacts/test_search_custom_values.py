"""A Moscow car service keeps each customer's car in custom fields (make and model, plate, VIN), and its front desk
finds the customer by the plate or the VIN the caller reads out, typed with Latin or Cyrillic letters, with or
without the region's space; a sensitive value and a value hidden from the desk's role find nobody."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.contacts.helpers import listed, new_contact
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

CAR_FIELDS = [("car", "Автомобиль", False), ("plate", "Госномер", False), ("vin", "VIN", False),
              ("passport_note", "Паспорт владельца", True)]


@pytest.fixture(scope="module")
def garage(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Автосервис на Варшавке Поиск", locale="ru", country="RU")
    for key, label, sensitive in CAR_FIELDS:
        made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": key, "label": label, "type": "text",
                                                     "sensitive": sensitive}, token=company.owner.token)
        assert made.status_code == 201, made.body
    for entity in ("deal", "company"):
        made = client.post("/api/v1/custom-fields", {"entity": entity, "key": "contract", "label": "Договор",
                                                     "type": "text"}, token=company.owner.token)
        assert made.status_code == 201, made.body
    desk = client.post("/api/v1/roles", {"key": "desk", "name": "Приёмка", "permissions": [
        "contacts:read:all", "customfields:read:all", "contacts.custom.vin:hidden"]}, token=company.owner.token)
    assert desk.status_code == 201, desk.body
    add_member(client, company, role="desk", name="desk")
    return company


@pytest.fixture(scope="module")
def smirnov(app: Any, garage: Company) -> str:
    made = new_contact(ApiClient(app), garage.owner.token, first_name="Андрей", last_name="Смирнов",
                       phones=[{"number": "8 916 123-45-67"}],
                       custom={"car": "Kia Rio", "plate": "А123ВС 777", "vin": "Z94CB41AAGR323020",  # noqa: RUF001
                               "passport_note": "4510 123456"})
    return str(made["id"])


PLATE_QUERIES = ["А123ВС", "а123вс 777", "А123ВС777",  # noqa: RUF001
                 "A123BC777", "a123bc", "смирнов а123вс"]  # noqa: RUF001


@pytest.mark.parametrize("q", [*PLATE_QUERIES, "Z94CB41AAGR323020", "z94cb41", "kia rio", "Rio"])
def test_the_desk_finds_the_customer_by_the_cars_plate_vin_or_model(client: ApiClient, garage: Company,
                                                                    smirnov: str, q: str) -> None:
    # nothing found: a contact was found by its name, phone and e-mail only, never by its custom values
    assert smirnov in listed(client, garage.owner.token, f"?q={quote(q)}")


def test_a_sensitive_value_finds_nobody(client: ApiClient, garage: Company, smirnov: str) -> None:
    assert listed(client, garage.owner.token, f"?q={quote('4510')}") == []
    assert listed(client, garage.owner.token, f"?q={quote('123456')}") == []


def test_a_new_plate_finds_the_customer_and_the_old_one_no_longer(client: ApiClient, garage: Company) -> None:
    token = garage.owner.token
    made = new_contact(client, token, first_name="Ольга", custom={"plate": "М777ОР 199"})  # noqa: RUF001
    plate = {"plate": "Т456КХ 750"}  # noqa: RUF001
    changed = client.patch(f"/api/v1/contacts/{made['id']}", {"version": made["version"], "custom": plate},
                           token=token)
    assert changed.status_code == 200, changed.body
    assert made["id"] in listed(client, token, f"?q={quote('Т456КХ')}")  # noqa: RUF001
    assert made["id"] not in listed(client, token, f"?q={quote('М777ОР')}")  # noqa: RUF001


def test_a_role_that_may_not_see_the_vin_does_not_find_by_it(client: ApiClient, garage: Company,
                                                              smirnov: str) -> None:
    desk = garage.members["desk"].token
    assert smirnov in listed(client, garage.owner.token, f"?q={quote('Z94CB41')}")
    assert smirnov not in listed(client, desk, f"?q={quote('Z94CB41')}")  # its hits would tell who has the VIN
    assert smirnov in listed(client, desk, f"?q={quote('Смирнов')}")


def test_a_deals_and_a_companys_own_values_find_them_too(client: ApiClient, garage: Company) -> None:
    token = garage.owner.token
    taxi = {"name": "ООО Таксопарк", "custom": {"contract": "ДГ-2026/114"}}  # noqa: RUF001
    firm = body(client.post("/api/v1/companies", taxi, token=token))
    found = body(client.get(f"/api/v1/companies?q={quote('ДГ-2026/114')}", token=token))["items"]
    assert [item["id"] for item in found] == [firm["id"]]
    service = {"title": "ТО-60000", "custom": {"contract": "ЗН-8812"}}  # noqa: RUF001
    deal = body(client.post("/api/v1/deals", service, token=token))
    found = body(client.get(f"/api/v1/deals?q={quote('зн 8812')}", token=token))["items"]
    assert [item["id"] for item in found] == [deal["id"]]
