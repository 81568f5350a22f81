"""Exports people read and import again: one column per field headed as the import recognises it (custom fields by
their label, phones and e-mails joined), never a nested value beside its own dotted parts; the companies, contacts
and deals one company exports import into another without a single problem, and come out the same."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import pytest

from chalicelib.dataio import export_columns, jobs, mapping, targets
from chalicelib.dataio.record_target import column_headings, column_order
from chalicelib.records import types
from tests.dataio.test_exports import file_of
from tests.factories import Company, signup
from tests.support import ApiClient, body

CUSTOM = [
    {"entity": "contact", "key": "shoe_size", "label": "Shoe size", "type": "number"},
    {"entity": "contact", "key": "vip", "label": "VIP", "type": "bool"},
    {"entity": "contact", "key": "segment", "label": "Segment", "type": "select",
     "options": [{"value": "wholesale", "label": "Wholesale"}, {"value": "retail", "label": "Retail"}]},
    {"entity": "contact", "key": "budget", "label": "Budget", "type": "money"},
    {"entity": "company", "key": "inn", "label": "INN", "type": "text"},
    {"entity": "deal", "key": "channel", "label": "Channel", "type": "multiselect",
     "options": [{"value": "web", "label": "Website"}, {"value": "phone", "label": "Phone call"}]},
]
ALICE = {"first_name": "Alice", "last_name": "Round", "tags": ["vip", "florist"], "birthday": "1990-02-03",
         "job_title": "Head florist",
         "phones": [{"number": "+12025550141"}, {"number": "+12025550142"}],
         "emails": [{"address": "alice@round.example"}, {"address": "alice.home@round.example"}],
         "billing_address": {"line1": "1 Main St", "city": "Springfield", "country": "US"},
         "utm": {"source": "google", "medium": "cpc"},
         "custom": {"shoe_size": 38, "vip": True, "segment": "wholesale",
                    "budget": {"minor": 150000, "currency": "USD"}}}


def _company(client: ApiClient, name: str) -> Company:
    company = signup(client, company=name, country="US")
    for definition in CUSTOM:
        made = client.post("/api/v1/custom-fields", definition, token=company.owner.token)
        assert made.status_code == 201, made.body
    return company


@pytest.fixture(scope="module")
def source(app: Any) -> Company:
    client = ApiClient(app)
    company = _company(client, "Round Trip Florist")
    token = company.owner.token
    acme = body(client.post("/api/v1/companies", {
        "name": "Acme Roses", "website": "https://acme-roses.example", "industry": "Flowers", "tags": ["supplier"],
        "phones": [{"number": "+12025550150"}], "address": {"line1": "5 Rose Rd", "city": "Portland", "country": "US"},
        "custom": {"inn": "7701234567"}}, token=token))
    alice = body(client.post("/api/v1/contacts", {**ALICE, "company_ids": [acme["id"]]}, token=token))
    client.post("/api/v1/contacts", {"first_name": "Boris", "phones": [{"number": "+12025550143"}]}, token=token)
    stage = body(client.get("/api/v1/pipelines", token=token))["items"][0]["stages"][1]
    deal = client.post("/api/v1/deals", {
        "title": "Wedding order", "amount": {"minor": 123450, "currency": "USD"}, "stage_id": stage["id"],
        "contact_ids": [alice["id"]], "company_id": acme["id"], "expected_close_on": "2030-05-01",
        "tags": ["wedding", "rush"], "custom": {"channel": ["web", "phone"]}}, token=token)
    assert deal.status_code == 201, deal.body
    company.extra["stage"] = stage["name"]
    return company


def _export(client: ApiClient, token: str, entity: str) -> tuple[bytes, list[dict[str, str]]]:
    job = body(client.post("/api/v1/exports", {"entity": entity, "format": "csv"}, token=token))
    assert job["status"] == "done", job
    content = file_of(job)
    return content, list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _import(client: ApiClient, company: Company, entity: str, content: bytes) -> dict[str, Any]:
    token = company.owner.token
    preview = client.post("/api/v1/imports", {"entity": entity, "filename": f"{entity}.csv",
                                              "content_base64": base64.b64encode(content).decode()}, token=token)
    assert preview.status_code == 201, preview.body
    job = body(preview)
    assert (job["preview"]["invalid"], job["preview"]["duplicates"]) == (0, 0), job["preview"]
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    return body(client.get(f"/api/v1/imports/{job['id']}", token=token))


def test_exports_are_flat_and_import_back_the_same(client: ApiClient, source: Company) -> None:
    token = source.owner.token
    files = {entity: _export(client, token, entity) for entity in ("company", "contact", "deal")}
    for entity, (_, rows) in files.items():
        header = list(rows[0])
        assert len(set(header)) == len(header) and not [h for h in header if "." in h or "_" in h], (entity, header)
    alice = next(row for row in files["contact"][1] if row["First name"] == "Alice")
    assert alice["Phone"] == "+12025550141; +12025550142"  # joined as the import splits them, no apostrophe
    assert alice["Email"] == "alice@round.example; alice.home@round.example"
    assert (alice["Company"], alice["Owner"], alice["Billing address"], alice["Job title"]) == (
        "Acme Roses", "Olga Owner", "1 Main St, Springfield, US", "Head florist")
    assert (alice["Shoe size"], alice["VIP"], alice["Segment"], alice["Budget"]) == ("38", "yes", "Wholesale",
                                                                                     "1500.00 USD")
    deal = files["deal"][1][0]
    assert (deal["Contact"], deal["Company"], deal["Amount"], deal["Channel"], deal["Tags"]) == (
        "Alice Round (alice@round.example)", "Acme Roses", "1234.50", "Website; Phone call", "wedding; rush")

    target = _company(client, "Round Trip Copy")
    blank, _ = _export(client, target.owner.token, "contact")  # nothing yet: the columns to fill in all the same
    heading = blank.decode("utf-8-sig").splitlines()[0].split(",")
    assert heading[:5] == ["ID", "First name", "Last name", "Phone", "Email"] and "Shoe size" in heading
    assert "Passport number" not in heading  # sensitive columns only when asked for
    for entity in ("company", "contact", "deal"):
        done = _import(client, target, entity, files[entity][0])
        assert done["progress"]["failed"] == 0 and done["progress"]["created"] == len(files[entity][1]), done
    copy = target.owner.token
    contacts = body(client.get("/api/v1/contacts?q=Alice", token=copy))["items"]
    copied = body(client.get(f"/api/v1/contacts/{contacts[0]['id']}", token=copy))
    assert [p["number"] for p in copied["phones"]] == ["+12025550141", "+12025550142"]
    assert [e["address"] for e in copied["emails"]] == ["alice@round.example", "alice.home@round.example"]
    assert (copied["tags"], copied["birthday"], copied["custom"], copied["job_title"]) == (
        ALICE["tags"], ALICE["birthday"], ALICE["custom"], ALICE["job_title"])
    firm = body(client.get("/api/v1/companies?q=Acme", token=copy))["items"][0]
    firm = body(client.get(f"/api/v1/companies/{firm['id']}", token=copy))
    assert (firm["website"], firm["industry"], firm["custom"]) == ("https://acme-roses.example", "Flowers",
                                                                   {"inn": "7701234567"})
    assert export_columns.address_text(firm["address"]) == "5 Rose Rd, Portland, US"  # one line, as it was exported
    wedding = body(client.get("/api/v1/deals?q=Wedding", token=copy))["items"][0]
    assert (wedding["amount"], wedding["contact_ids"], wedding["company_id"], wedding["custom"]) == (
        {"minor": 123450, "currency": "USD"}, [copied["id"]], firm["id"], {"channel": ["web", "phone"]})
    assert (wedding["expected_close_on"], wedding["tags"]) == ("2030-05-01", ["wedding", "rush"])


IMPORTED_AS: dict[str, dict[str, str | None]] = {
    "contact": {"first_name": "first_name", "last_name": "last_name", "phones": "phone", "emails": "email",
                "tags": "tags", "birthday": "birthday", "passport_number": "passport_number", "tax_id": "tax_id",
                "iban": "iban", "company_ids": "company", "owner_id": "owner_id"},
    "company": {"name": "name", "phones": "phone", "emails": "email", "website": "website", "industry": "industry",
                "tags": "tags", "owner_id": "owner_id", "address": "address"},
    "deal": {"title": "title", "pipeline": "pipeline", "stage": "stage", "amount": "amount", "currency": "currency",
             "contact_ids": "contact", "company_id": "company", "expected_close_on": "expected_close_on",
             "tags": "tags", "lost_reason": "lost_reason", "status": "status", "owner_id": "owner_id",
             "closed_at": "closed_at"},
}


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("entity", ["contact", "company", "deal"])
def test_each_heading_is_read_back_as_its_field(entity: str, locale: str) -> None:
    keys = list(export_columns.ORDER[entity])
    titles = export_columns.headings(keys, locale=locale, definitions={},
                                     overrides=export_columns.OVERRIDES.get(entity))
    reading = mapping.Reading(specs=targets.target(entity).specs, custom={}, country=lambda: "US")
    mapped = mapping.auto_map(titles, reading)
    assert {key: mapped[title] for key, title in zip(keys, titles, strict=True) if key in IMPORTED_AS[entity]} == \
        IMPORTED_AS[entity]


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_a_products_headings_are_read_back_as_its_fields(locale: str) -> None:
    rtype = types.get("product")
    keys = [key for key in column_order(rtype) if not key.endswith(".*")] + ["prices.EUR"]
    titles = export_columns.headings(keys, locale=locale, definitions={}, named=column_headings(rtype, keys))
    reading = mapping.Reading(specs=targets.target("product").specs, custom={}, country=lambda: "US")
    mapped = mapping.auto_map(titles, reading)
    wanted = {"name": "name", "sku": "sku", "price": "price", "currency": "currency", "unit": "unit",
              "description": "description", "tax_rate": "tax_rate", "external_id": "external_id", "tags": "tags",
              "prices.EUR": "prices.EUR"}
    assert {key: mapped[title] for key, title in zip(keys, titles, strict=True) if key in wanted} == wanted
