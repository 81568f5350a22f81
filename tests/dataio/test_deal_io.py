"""Deals in and out: stages by name, amounts as people type them, contacts and companies linked by what a
column gives, per-row errors, retried rows created once, and exports of what the caller may export."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from chalicelib.core import errors
from chalicelib.dataio import importing, jobs
from chalicelib.dataio.deal_target import parse_amount
from tests.dataio.test_exports import file_of
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("1 234,50", "RUB", 123450), ("1,234.50", "USD", 123450), ("1.234,5", "EUR", 123450), ("1234", "RUB", 123400),
    ("1,234", "USD", 123400), ("12,5", "RUB", 1250), ("1\u00a0000\u00a0000 ₽", "RUB", 100000000),
    ("1.234.567", "EUR", 123456700), ("1,234", "KWD", 1234), ("500", "JPY", 500),
])
def test_amounts_as_people_type_them(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(("text", "currency"), [("12abc", "RUB"), ("-5", "RUB"), ("1.5", "JPY"), ("1,2,3.4,5", "USD"),
                                                ("", "RUB")])
def test_amounts_that_are_not_amounts(text: str, currency: str) -> None:
    with pytest.raises(errors.ValidationError):
        parse_amount(text, currency)


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Сделки", country="RU", locale="ru")
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "deal_exporter", "name": "Deal exporter", "permissions": [
        "deals:read:own", "deals:create:own", "deals:export:own", "pipelines:read:all"]}, token=owner)
    add_member(client, company, role="deal_exporter", name="exporter")
    pipeline = body(client.get("/api/v1/pipelines", token=owner))["items"][0]
    contact = body(client.post("/api/v1/contacts", {"first_name": "Иван", "last_name": "Петров",
                                                    "emails": [{"address": "ivan@example.ru"}]}, token=owner))
    firm = body(client.post("/api/v1/companies", {"name": "Ромашка"}, token=owner))
    other = client.post("/api/v1/pipelines", {"name": "Партнёры"}, token=owner)
    assert other.status_code == 201, other.body
    company.extra.update({"pipeline": pipeline, "contact": contact, "company": firm, "other": body(other)})
    return company


def upload(client: ApiClient, token: str, text: str) -> Any:
    content = base64.b64encode(text.encode()).decode()
    return client.post("/api/v1/imports", {"entity": "deal", "filename": "deals.csv", "content_base64": content},
                       token=token)


def deals_csv(company: Company) -> str:
    second = company.extra["pipeline"]["stages"][1]["name"]
    return (f"Сделка;Воронка;Этап;Сумма;Валюта;Контакт;Компания\n"
            f"Поставка;;{second.upper()};1 234,50;;ivan@example.ru;ромашка\n"
            f"Licence;Партнёры;;1,234.50;usd;Иван Петров;\n"
            f"Bad stage;;Нет такого;10;;;\n"
            f"Bad amount;;;12abc;;;\n"
            f"Nobody;;;;;nobody@example.ru;\n"
            f";;;100;;;\n")


def test_preview_resolves_names_and_reports_each_bad_field(client: ApiClient, company: Company) -> None:
    response = upload(client, company.owner.token, deals_csv(company))
    assert response.status_code == 201, response.body
    job = body(response)
    assert job["mapping"] == {"Сделка": "title", "Воронка": "pipeline", "Этап": "stage", "Сумма": "amount",
                              "Валюта": "currency", "Контакт": "contact", "Компания": "company"}
    preview = job["preview"]
    assert (preview["valid"], preview["invalid"], preview["duplicates"]) == (2, 4, 0)
    assert sorted((e["row"], e["field"]) for e in preview["errors"]) == [
        (4, "stage"), (5, "amount"), (6, "contact"), (7, "title")]


def test_import_creates_linked_deals(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, deals_csv(company)))
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (2, 0, 4)
    supply_id = importing.record_id(job["id"], 2)
    card = body(client.get(f"/api/v1/deals/{supply_id}", token=token))
    assert card["deal"]["amount"] == {"minor": 123450, "currency": "RUB"}
    assert card["deal"]["stage_id"] == company.extra["pipeline"]["stages"][1]["id"]
    assert card["deal"]["contact_ids"] == [company.extra["contact"]["id"]]
    assert card["deal"]["company_id"] == company.extra["company"]["id"]
    licence = body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], 3)}", token=token))["deal"]
    assert licence["amount"] == {"minor": 123450, "currency": "USD"}
    assert licence["pipeline_id"] == company.extra["other"]["id"]
    contact = body(client.get(f"/api/v1/contacts/{company.extra['contact']['id']}", token=token))
    assert {link["id"] for link in contact["links"]["deal"]} == {supply_id, licence["id"]}


def test_a_retried_row_finds_its_deal_instead_of_creating_another(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, "Title;Amount\nRetried;100\n"))
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    from chalicelib.core import tenancy
    from chalicelib.dataio import targets

    target = targets.target("deal")
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user",
                                role="owner", permissions=frozenset({"deals:create:all", "deals:read:all",
                                                                     "pipelines:read:all"}))
    with tenancy.bind(ctx):
        outcome = importing.import_row(ctx, target, *_row_of(ctx, target, job))
    assert outcome.kind == "created"
    titles = [d["title"] for d in body(client.get(f"/api/v1/deals?owner_id={company.owner.user_id}&limit=200",
                                                  token=token))["items"]]
    assert titles.count("Retried") == 1


def _row_of(ctx: Any, target: Any, job: dict[str, Any]) -> tuple[Any, ...]:
    reading = importing.reading_for(ctx, target)
    sheet = importing.load_sheet(b"Title;Amount\nRetried;100\n", reading)
    return sheet, 0, {"Title": "title", "Amount": "amount"}, reading, job["id"]


def test_exports_walk_every_pipeline_and_keep_to_the_callers_scope(client: ApiClient, company: Company) -> None:
    from openpyxl import load_workbook

    exporter = company.members["exporter"].token
    mine = client.post("/api/v1/deals", {"title": "Exporter's deal", "amount": {"minor": 500, "currency": "EUR"}},
                       token=exporter)
    assert mine.status_code == 201, mine.body
    response = client.post("/api/v1/exports", {"entity": "deal", "format": "xlsx"}, token=company.owner.token)
    job = body(response)
    assert response.status_code == 202 and job["status"] == "done", job
    sheet = load_workbook(io_of(file_of(job))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    records = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    by_title = {r["Название"]: r for r in records}  # headed in the company's language
    assert {"Поставка", "Licence", "Exporter's deal"} <= set(by_title)  # both pipelines
    assert (by_title["Licence"]["Воронка"], by_title["Licence"]["Сумма"], by_title["Licence"]["Валюта"]) == (
        "Партнёры", "1234.50", "USD")
    assert by_title["Поставка"]["Этап"] == company.extra["pipeline"]["stages"][1]["name"]
    own = body(client.post("/api/v1/exports", {"entity": "deal"}, token=exporter))
    assert own["status"] == "done" and own["rows"] == 1


def io_of(content: bytes) -> Any:
    import io

    return io.BytesIO(content)
