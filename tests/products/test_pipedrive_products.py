"""A London office supplier moving from Pipedrive imports Pipedrive's products export as Pipedrive heads it
("Product - Product code", "Product - Unit price", "Product - Tax" ...): every row failed 'price: Field required',
since only "Product - Name" was recognised."""

from __future__ import annotations

import base64

import pytest

from chalicelib.dataio import jobs
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

PIPEDRIVE = (
    '"Product - ID","Product - Name","Product - Product code","Product - Unit","Product - Tax",'
    '"Product - Unit price","Product - Currency","Product - Category","Product - Description"\n'
    '"1","Stapler, heavy duty","STP-HD-01","pcs","20","18.50","GBP","Desk","Staples up to 100 sheets"\n')


@pytest.fixture(scope="module", autouse=True)
def export_bucket(embedded_aws: None) -> None:
    ensure_bucket()


def test_pipedrives_products_export_comes_over(client: ApiClient) -> None:
    company = signup(client, company="Thames Office Supplies", country="GB", timezone="Europe/London")
    token = company.owner.token
    job = body(client.post("/api/v1/imports", {"entity": "product", "filename": "products.csv", "content_base64":
                                               base64.b64encode(PIPEDRIVE.encode()).decode()}, token=token))
    assert job["mapping"] == {
        "Product - ID": None, "Product - Name": "name", "Product - Product code": "sku", "Product - Unit": "unit",
        "Product - Tax": "tax_rate", "Product - Unit price": "price", "Product - Currency": "currency",
        "Product - Category": "tags", "Product - Description": "description"}
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    [stapler] = body(client.get("/api/v1/products?limit=50", token=token))["items"]
    card = body(client.get(f"/api/v1/products/{stapler['id']}", token=token))
    assert (card["sku"], card["price"], card["tax_rate"], card["unit"], card["tags"], card["description"]) == (
        "STP-HD-01", {"minor": 1850, "currency": "GBP"}, "20", "pcs", ["desk"], "Staples up to 100 sheets")
