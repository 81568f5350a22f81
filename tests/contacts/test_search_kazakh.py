"""An Almaty shop's managers find a customer who writes her name in Kazakh letters (Гүлнұр Әбдіқадырова) as they
type it on a Russian keyboard ("гулнур", "абдикадырова"), and by the Kazakh letters as before; the same for a
product, a company and a deal."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.contacts.helpers import listed, new_contact
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def alma(app: Any) -> Company:
    return signup(ApiClient(app), company="Алма Декор Поиск", locale="ru", country="KZ", timezone="Asia/Almaty")


@pytest.fixture(scope="module")
def gulnur(app: Any, alma: Company) -> str:
    made = new_contact(ApiClient(app), alma.owner.token, first_name="Гүлнұр", last_name="Әбдіқадырова",
                       phones=[{"number": "8 777 999 88 77"}])
    return str(made["id"])


@pytest.mark.parametrize("q", ["гулнур", "Гулнур", "абдикадырова", "Абдик", "гулнур абди", "Гүлнұр", "әбдіқ"])
def test_a_kazakh_name_is_found_as_typed_on_either_keyboard(client: ApiClient, alma: Company, gulnur: str,
                                                            q: str) -> None:
    # "гулнур" found nobody: a Russian keyboard has no keys for the Kazakh letters of her name
    assert gulnur in listed(client, alma.owner.token, f"?q={quote(q)}")


def test_a_product_a_company_and_a_deal_too(client: ApiClient, alma: Company) -> None:
    token = alma.owner.token
    product = body(client.post("/api/v1/products", {"name": "Ваза керамическая Шаңырақ", "sku": "VZ-003",
                                                    "price": {"minor": 1275000, "currency": "KZT"}}, token=token))
    found = body(client.get(f"/api/v1/products?q={quote('шанырак')}", token=token))["items"]
    assert [item["id"] for item in found] == [product["id"]]
    company = body(client.post("/api/v1/companies", {"name": "Қазақ Тоқыма"}, token=token))
    found = body(client.get(f"/api/v1/companies?q={quote('казак токыма')}", token=token))["items"]
    assert [item["id"] for item in found] == [company["id"]]
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    deal = body(client.post("/api/v1/deals", {"title": "Өрнек: пледтер", "pipeline_id": pipeline["id"],
                                              "stage_id": pipeline["stages"][0]["id"]}, token=token))
    found = body(client.get(f"/api/v1/deals?q={quote('орнек')}", token=token))["items"]
    assert [item["id"] for item in found] == [deal["id"]]


def test_a_russian_name_has_no_second_spelling(client: ApiClient, alma: Company) -> None:
    # only words with Kazakh letters get a second spelling; a Russian name is found as before
    token = alma.owner.token
    ivan = new_contact(client, token, first_name="Иван", last_name="Ким")
    assert ivan["id"] in listed(client, token, f"?q={quote('иван ким')}")
    assert ivan["id"] not in listed(client, token, f"?q={quote('гулнур')}")
