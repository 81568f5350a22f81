"""Products from a price list file: a price per currency column ("Цена EUR"), the tax rate as people type it, the
accounting system's external id; and back out in an export."""

from __future__ import annotations

import base64
import csv
import io

import pytest

from chalicelib.dataio import jobs
from tests.dataio.test_exports import file_of
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

CSV = """Артикул;Наименование;Цена;Цена EUR;Price USD;НДС;Внешний код
BR-1;Кирпич;45,50;0,55;0.60;20 %;1c-0001
BR-2;Блок;1 200;;;10;1c-0002
BR-3;Плохой НДС;10;;;двадцать;
BR-4;Фитинг;10;;;8,875 %;
"""


@pytest.fixture(scope="module", autouse=True)
def export_bucket(embedded_aws: None) -> None:
    ensure_bucket()


def test_a_price_list_with_currency_columns_tax_and_external_ids(client: ApiClient) -> None:
    company = signup(client, company="Стройбаза", country="RU", locale="ru")
    token = company.owner.token
    content = base64.b64encode(CSV.encode()).decode()
    job = body(client.post("/api/v1/imports", {"entity": "product", "filename": "prices.csv",
                                               "content_base64": content}, token=token))
    assert job["mapping"] == {"Артикул": "sku", "Наименование": "name", "Цена": "price", "Цена EUR": "prices.EUR",
                              "Price USD": "prices.USD", "НДС": "tax_rate", "Внешний код": "external_id"}
    assert [(e["row"], e["field"]) for e in job["preview"]["errors"]] == [(4, "tax_rate")]
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    found = {p["sku"]: p for p in body(client.get("/api/v1/products?limit=50", token=token))["items"]}
    brick = body(client.get(f"/api/v1/products/{found['BR-1']['id']}", token=token))
    assert (brick["price"], brick["tax_rate"], brick["external_id"]) == (
        {"minor": 4550, "currency": "RUB"}, "20", "1c-0001")
    assert brick["prices"] == [{"minor": 55, "currency": "EUR"}, {"minor": 60, "currency": "USD"}]
    assert found["BR-2"]["price"]["minor"] == 120000 and found["BR-2"]["tax_rate"] == "10"
    assert "BR-3" not in found
    assert found["BR-4"]["tax_rate"] == "8.875"  # a US sales tax, typed with a decimal comma, to three places
    exported = body(client.post("/api/v1/exports", {"entity": "product", "format": "csv"}, token=token))
    rows = {row["Артикул"]: row for row in csv.DictReader(io.StringIO(file_of(exported).decode("utf-8-sig")),
                                                          delimiter=";")}  # headed as its import reads them
    assert (rows["BR-1"]["Ставка НДС"], rows["BR-1"]["Внешний код"]) == ("20", "1c-0001")
    assert rows["BR-4"]["Ставка НДС"] == "8.875"




def test_a_us_price_list_with_a_tax_column_of_three_decimals(client: ApiClient) -> None:
    company = signup(client, company="Five Boroughs Supply", country="US", timezone="America/New_York")
    token = company.owner.token
    content = base64.b64encode(b"SKU,Name,Price,Tax\nWH-40,Water heater,1234.56,8.875%\n"
                               b"QC-1,Quebec kit,10,9.975\nBAD-1,Too fine,10,8.8755\n").decode()
    job = body(client.post("/api/v1/imports", {"entity": "product", "filename": "prices.csv",
                                               "content_base64": content}, token=token))
    assert job["mapping"]["Tax"] == "tax_rate"
    assert [(e["row"], e["field"]) for e in job["preview"]["errors"]] == [(4, "tax_rate")]  # a fourth decimal
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    found = {p["sku"]: p["tax_rate"] for p in body(client.get("/api/v1/products?limit=50", token=token))["items"]}
    assert found == {"WH-40": "8.875", "QC-1": "9.975"}
