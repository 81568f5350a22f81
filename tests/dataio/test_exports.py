"""Exports: only what the caller may see, sensitive values only when asked for and allowed (and audited),
files safe to open in a spreadsheet, a 15-minute link, and pages that survive an interrupted run."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.core import aws, tenancy
from chalicelib.core.audit import SensitiveRead, reads_key
from chalicelib.core.config import settings
from chalicelib.dataio import exporting, jobs, service
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Export Co", country="US")
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "exporter", "name": "Exporter", "permissions": [
        "contacts:read:own", "contacts:create:own", "contacts:export:own"]}, token=owner)
    for role, name in (("exporter", "exporter"), ("agent", "agent"), ("manager", "manager")):
        add_member(client, company, role=role, name=name)
    client.post("/api/v1/custom-fields", {"entity": "contact", "key": "secret_code", "label": "Secret code",
                                          "type": "text", "sensitive": True}, token=owner)
    contacts = [
        client.post("/api/v1/contacts", {"first_name": "Alice", "last_name": "Owner", "tags": ["vip"],
                                         "phones": [{"number": "+12025550101"}], "passport_number": "P1234567",
                                         "custom": {"secret_code": "XYZZY-42"}}, token=owner),
        client.post("/api/v1/contacts", {"first_name": "=HYPERLINK(\"http://evil\")", "last_name": "Formula",
                                         "emails": [{"address": "formula@example.com"}]}, token=owner),
        client.post("/api/v1/contacts", {"first_name": "Eve", "last_name": "Exporter",
                                         "phones": [{"number": "+12025550102"}]},
                    token=company.members["exporter"].token),
    ]
    assert [c.status_code for c in contacts] == [201, 201, 201], [c.body for c in contacts]
    company.extra["contacts"] = [body(c) for c in contacts]
    return company


def export(client: ApiClient, token: str, **payload: Any) -> Any:
    return client.post("/api/v1/exports", {"entity": "contact", **payload}, token=token)


def file_of(job: dict[str, Any]) -> bytes:
    key = urlparse(job["download_url"]).path.split(f"{settings.export_bucket}/", 1)[-1].lstrip("/")
    return aws.client("s3").get_object(Bucket=settings.export_bucket, Key=key)["Body"].read()


def csv_rows(job: dict[str, Any]) -> list[dict[str, str]]:
    text = file_of(job).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=","))


def test_owner_exports_everything_without_sensitive_values(client: ApiClient, company: Company) -> None:
    response = export(client, company.owner.token, format="csv")
    assert response.status_code == 202, response.body
    job = body(response)
    assert job["status"] == "done" and job["rows"] == 3 and job["filename"].endswith(".csv")
    query = parse_qs(urlparse(job["download_url"]).query)
    assert query.get("X-Amz-Expires") == ["900"] or query.get("Expires")
    rows = csv_rows(job)
    assert sorted(row["Last name"] for row in rows) == ["Exporter", "Formula", "Owner"]
    alice = next(row for row in rows if row["Last name"] == "Owner")
    assert alice["Phone"] == "+12025550101" and alice["Tags"] == "vip"
    text = file_of(job).decode("utf-8-sig")
    assert "P1234567" not in text and "XYZZY" not in text and "Passport number" not in text


def test_a_formula_never_runs_when_the_file_is_opened(client: ApiClient, company: Company) -> None:
    rows = csv_rows(body(export(client, company.owner.token)))
    formula = next(row for row in rows if row["Last name"] == "Formula")
    assert formula["First name"].startswith("'=")
    assert next(row for row in rows if row["Last name"] == "Owner")["Phone"] == "+12025550101"  # phones untouched


def test_xlsx_export(client: ApiClient, company: Company) -> None:
    from openpyxl import load_workbook

    job = body(export(client, company.owner.token, format="xlsx"))
    assert job["status"] == "done" and job["filename"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(file_of(job))).active
    values = list(sheet.values)
    header = list(values[0])
    names = sorted(row[header.index("Last name")] for row in values[1:])
    assert names == ["Exporter", "Formula", "Owner"]
    formula_cell = next(row for row in sheet.iter_rows(min_row=2)
                        if row[header.index("Last name")].value == "Formula")[header.index("First name")]
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=HYPERLINK")


def test_own_scope_exports_only_own_contacts(client: ApiClient, company: Company) -> None:
    job = body(export(client, company.members["exporter"].token))
    assert [row["Last name"] for row in csv_rows(job)] == ["Exporter"]


def test_who_may_export(client: ApiClient, company: Company) -> None:
    agent = export(client, company.members["agent"].token)
    assert agent.status_code == 403  # agents have no export right
    sensitive = export(client, company.members["exporter"].token, include_sensitive=True)
    assert sensitive.status_code == 403


def test_sensitive_values_only_on_request_and_every_read_recorded(client: ApiClient, company: Company) -> None:
    job = body(export(client, company.owner.token, include_sensitive=True))
    alice = next(row for row in csv_rows(job) if row["Last name"] == "Owner")
    assert alice["Passport number"] == "P1234567" and alice["Secret code"] == "XYZZY-42"
    alice_id = company.extra["contacts"][0]["id"]
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id)
    with tenancy.bind(ctx):
        fields = {read.field for read in SensitiveRead.query(reads_key(ctx, "contact", alice_id))
                  if read.actor_id == company.owner.user_id}
    assert {"passport_number", "custom.secret_code"} <= fields


def test_filters(client: ApiClient, company: Company) -> None:
    job = body(export(client, company.owner.token, filters={"tag": "vip"}))
    assert [row["Last name"] for row in csv_rows(job)] == ["Owner"]
    unknown = export(client, company.owner.token, filters={"salary": "1"})
    assert unknown.status_code == 422


def test_an_export_is_visible_to_its_requester_only(client: ApiClient, company: Company) -> None:
    job = body(export(client, company.members["manager"].token))
    path = f"/api/v1/exports/{job['id']}"
    assert client.get(path, token=company.members["manager"].token).status_code == 200
    assert client.get(path, token=company.owner.token).status_code == 404
    outsider = signup(client, company="Snoop")
    assert client.get(path, token=outsider.owner.token).status_code == 404


def test_a_large_export_is_built_page_by_page_across_runs(client: ApiClient, company: Company,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exporting, "PAGE_ROWS", 1)
    monkeypatch.setattr(service, "EXPORT_INLINE_SECONDS", 0.0)
    job = body(export(client, company.owner.token))
    assert job["status"] == "running" and job["download_url"] is None  # one page written, more to come
    runs = 1
    while job["status"] != "done":
        jobs.run_job("export", company.tenant_id, job["id"], seconds=0.0)
        job = body(client.get(f"/api/v1/exports/{job['id']}", token=company.owner.token))
        runs += 1
        assert runs < 10
    assert job["rows"] == 3 and len(csv_rows(job)) == 3
    leftovers = aws.client("s3").list_objects_v2(Bucket=settings.export_bucket,
                                                 Prefix=f"exports/{company.tenant_id}/{job['id']}/pages/")
    assert leftovers.get("KeyCount", 0) == 0  # pages are removed once the file is written


def test_the_file_is_named_by_the_companys_clock(client: ApiClient, company: Company,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An export finished at 03:30 UTC on 7 December is 22:30 on the 6th in New York, the company's zone: its file
    was named by the UTC clock (a Saint Petersburg shop's 01:30 export named the day before)."""
    from datetime import UTC, datetime

    monkeypatch.setattr(service, "EXPORT_INLINE_SECONDS", 0.0)
    monkeypatch.setattr(exporting, "PAGE_ROWS", 1)  # the file is written by a later run, at the time given
    job = body(export(client, company.owner.token))
    for _ in range(10):
        if job["status"] == "done":
            break
        jobs.run_job("export", company.tenant_id, job["id"], seconds=0.0,
                     now=lambda: datetime(2026, 12, 7, 3, 30, tzinfo=UTC))
        job = body(client.get(f"/api/v1/exports/{job['id']}", token=company.owner.token))
    assert job["filename"] == "contacts-2026-12-06-2230.csv", job
