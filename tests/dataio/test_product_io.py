"""Products in and out, from their declaration alone: a Russian price list mapped, prices read as people type
them, duplicates by SKU (in the file and in the CRM), per-row errors, and an export of what the caller may export."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import pytest

from chalicelib.dataio import jobs
from tests.dataio.test_exports import file_of
from tests.factories import Company, signup
from tests.support import ApiClient, body

CSV = """Артикул;Наименование;Цена;Валюта;Ед. изм.;Категория;Заметка
RS-1;Роза красная;1 234,50;;шт;цветы;new, in the company's currency
RS-1;Роза красная, опт;99;;шт;;the same SKU as row 2
TL-7;Тюльпан;12.5;EUR;шт;цветы, весна;new, in euros
OLD-1;Уже есть;10;;;;the SKU of a product in the CRM
BAD-1;Кривая цена;двенадцать;;;;not an amount
;Без артикула;5;;;;no SKU is fine
NO-NAME;;5;;;;no name
"""


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Цветочная лавка", country="RU", locale="ru")
    made = client.post("/api/v1/products", {"name": "Старый товар", "sku": "OLD-1",
                                            "price": {"minor": 100, "currency": "RUB"}}, token=company.owner.token)
    assert made.status_code == 201, made.body
    company.extra["existing_id"] = body(made)["id"]
    return company


def upload(client: ApiClient, token: str, text: str) -> Any:
    content = base64.b64encode(text.encode()).decode()
    return client.post("/api/v1/imports", {"entity": "product", "filename": "prices.csv",
                                           "content_base64": content}, token=token)


def products(client: ApiClient, company: Company) -> dict[str, dict[str, Any]]:
    listed = body(client.get("/api/v1/products?limit=200", token=company.owner.token))["items"]
    return {p["name"]: p for p in listed}


def test_a_price_list_is_previewed_with_its_duplicates_and_errors(client: ApiClient, company: Company) -> None:
    before = products(client, company)
    job = body(upload(client, company.owner.token, CSV))
    assert job["mapping"] == {"Артикул": "sku", "Наименование": "name", "Цена": "price", "Валюта": "currency",
                              "Ед. изм.": "unit", "Категория": "tags", "Заметка": None}
    preview = job["preview"]
    assert (preview["rows"], preview["duplicates"]) == (7, 2)
    assert sorted((e["row"], e["field"]) for e in preview["errors"]) == [(6, "price"), (8, "name")]
    duplicates = {d["row"]: d for d in preview["duplicate_rows"]}
    assert duplicates[3]["same_as_row"] == 2 and duplicates[3]["match"] == "sku"
    assert duplicates[5] == {"row": 5, "match": "sku", "existing_id": company.extra["existing_id"],
                             "same_as_row": None}
    assert products(client, company) == before  # a preview creates nothing


def test_the_import_creates_each_new_product_once_at_its_price(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, CSV))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    found = products(client, company)
    assert found["Роза красная"]["price"] == {"minor": 123450, "currency": "RUB"}
    assert found["Роза красная"]["sku"] == "RS-1" and found["Роза красная"]["tags"] == ["цветы"]
    assert found["Тюльпан"]["price"] == {"minor": 1250, "currency": "EUR"}
    assert sorted(found["Тюльпан"]["tags"]) == ["весна", "цветы"]
    assert found["Без артикула"]["sku"] is None
    assert "Роза красная, опт" not in found and "Уже есть" not in found and "Кривая цена" not in found
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (3, 2, 2)
    again = body(upload(client, token, CSV))  # the same file again: every row is now a duplicate or an error
    assert (again["preview"]["valid"], again["preview"]["duplicates"]) == (1, 4)  # no SKU: nothing to match it by
    searched = body(client.get("/api/v1/products?q=TL-7", token=token))["items"]
    assert [p["name"] for p in searched] == ["Тюльпан"]  # imported products are found like any other


def test_products_are_exported_as_the_api_shows_them(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    started = client.post("/api/v1/exports", {"entity": "product", "format": "csv"}, token=token)
    assert started.status_code == 202, started.body
    job = body(started)
    assert job["status"] == "done" and job["filename"].endswith(".csv"), job
    text = file_of(job).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    old = next(row for row in rows if row["Артикул"] == "OLD-1")  # headed as the import reads them, in Russian
    assert (old["Название"], old["Цена"], old["Валюта"]) == ("Старый товар", "1.00", "RUB")


def test_a_record_type_without_an_import_target_is_refused(client: ApiClient) -> None:
    stranger = signup(client, company="Nothing to import")
    refused = client.post("/api/v1/imports", {"entity": "nothing", "filename": "x.csv", "content_base64": "eA=="},
                          token=stranger.owner.token)
    assert refused.status_code == 422, refused.body
