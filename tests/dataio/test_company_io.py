"""Companies in and out: Russian headers mapped, duplicates by name, domain and INN, per-row errors, and
exports limited to what the caller may export."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import pytest

from chalicelib.dataio import jobs
from tests.dataio.test_exports import file_of
from tests.factories import IN_MOSCOW, Company, add_member, signup
from tests.support import ApiClient, body

CSV = """Название;ИНН;Сайт;Телефон;Отрасль;Заметка
Ромашка;;;;;the same name as an existing company
Лютик;7701234567;lyutik.ru;8 (999) 000-11-22;Розница;new
ЛЮТИК;;;;;same name as row 3
;7700000000;;;;no name
Василёк;;https://www.romashka.ru/about;;;the existing company's domain
Клевер;;;12345;;bad phone: imported without it
"""


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Компании", country="RU", locale="ru")
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "company_exporter", "name": "Company exporter", "permissions": [
        "companies:read:own", "companies:create:own", "companies:export:own"]}, token=owner)
    for role, name in (("company_exporter", "exporter"), ("read_only", "reader")):
        add_member(client, company, role=role, name=name)
    existing = client.post("/api/v1/companies", {"name": "Ромашка", "website": "romashka.ru"}, token=owner)
    assert existing.status_code == 201, existing.body
    company.extra["existing_id"] = body(existing)["id"]
    mine = client.post("/api/v1/companies", {"name": "Exporter's own"}, token=company.members["exporter"].token)
    assert mine.status_code == 201, mine.body
    return company


def upload(client: ApiClient, token: str, text: str, **extra: Any) -> Any:
    content = base64.b64encode(text.encode()).decode()
    return client.post("/api/v1/imports", {"entity": "company", "filename": "companies.csv",
                                           "content_base64": content, **extra}, token=token)


def company_names(client: ApiClient, company: Company) -> list[str]:
    listed = body(client.get("/api/v1/companies?limit=200", token=company.owner.token))["items"]
    return sorted(c["name"] for c in listed)


def test_preview_maps_russian_headers_and_finds_duplicates_and_errors(client: ApiClient, company: Company) -> None:
    before = company_names(client, company)
    response = upload(client, company.owner.token, CSV)
    assert response.status_code == 201, response.body
    job = body(response)
    assert job["mapping"] == {"Название": "name", "ИНН": "inn", "Сайт": "website", "Телефон": "phone",
                              "Отрасль": "industry", "Заметка": "notes"}
    preview = job["preview"]
    assert (preview["rows"], preview["valid"], preview["invalid"], preview["duplicates"]) == (6, 2, 1, 3)
    assert sorted((e["row"], e["field"], e["type"]) for e in preview["errors"]) == [(5, "name", "missing"),
                                                                                   (7, "phone", "phone_dropped")]
    duplicates = {d["row"]: d for d in preview["duplicate_rows"]}
    assert duplicates[2] == {"row": 2, "match": "name", "existing_id": company.extra["existing_id"],
                             "same_as_row": None}
    assert duplicates[4]["same_as_row"] == 3 and duplicates[4]["match"] == "name"
    assert duplicates[6]["match"] == "domain" and duplicates[6]["existing_id"] == company.extra["existing_id"]
    assert company_names(client, company) == before  # a preview creates nothing


def test_import_creates_each_new_company_once(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = body(upload(client, token, CSV))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    again = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"] + 1}, token=token)
    assert again.status_code == 409 and body(again)["error"]["code"] == "import_started"
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (2, 3, 1)
    listed = body(client.get("/api/v1/companies?q=Лютик", token=token))["items"]
    assert [(c["name"], c["phone"], c["website"], c["industry"]) for c in listed] == [
        ("Лютик", "+79990001122", "https://lyutik.ru", "Розница")]
    card = body(client.get(f"/api/v1/companies/{listed[0]['id']}", token=token))
    assert card["tax_number"] == "7701234567"  # the row's INN is the company's, printed on its invoices
    second = body(upload(client, token, CSV))  # the same file again: every row is now a duplicate or an error
    assert (second["preview"]["valid"], second["preview"]["duplicates"]) == (0, 5)


def test_a_read_only_user_cannot_import_and_an_unknown_column_is_422(client: ApiClient, company: Company) -> None:
    response = upload(client, company.members["reader"].token, CSV)
    assert response.status_code == 403
    response = upload(client, company.owner.token, CSV, mapping={"Нет такой": "name"})
    assert response.status_code == 422 and body(response)["error"]["details"][0]["type"] == "unknown_column"


def export_rows(client: ApiClient, token: str, **payload: Any) -> list[dict[str, str]]:
    response = client.post("/api/v1/exports", {"entity": "company", **payload}, token=token)
    assert response.status_code == 202, response.body
    job = body(response)
    assert job["status"] == "done", job
    assert job["filename"].startswith("companies-")  # what the user sees in Downloads
    text = file_of(job).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_exports_hold_what_the_caller_may_export(client: ApiClient, company: Company) -> None:
    everything = export_rows(client, company.owner.token)
    assert {"Ромашка", "Exporter's own"} <= {row["Название"] for row in everything}  # the company's language
    romashka = next(row for row in everything if row["Название"] == "Ромашка")
    assert romashka["Сайт"] == "https://romashka.ru" and romashka["ID"] == company.extra["existing_id"]
    own = export_rows(client, company.members["exporter"].token)
    assert [row["Название"] for row in own] == ["Exporter's own"]
    denied = client.post("/api/v1/exports", {"entity": "company"}, token=company.members["reader"].token)
    assert denied.status_code == 403
    bad = client.post("/api/v1/exports", {"entity": "company", "filters": {"stage": "x"}}, token=company.owner.token)
    assert bad.status_code == 422 and body(bad)["error"]["details"][0]["type"] == "unknown_filter"


def test_a_vat_id_column_comes_in_and_goes_out_as_the_companys_own(client: ApiClient, app: Any) -> None:
    """A Berlin agency's client list: its "VAT ID" column was dropped, as only a custom field keyed inn took one."""
    berlin = signup(ApiClient(app), company="Spreeblick IO", country="DE")
    token = berlin.owner.token
    job = body(upload(client, token, "Company Name;VAT ID\nLumière SARL;FR40303265045\n"))
    assert job["mapping"] == {"Company Name": "name", "VAT ID": "tax_number"}
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", berlin.tenant_id, job["id"], seconds=60) == "done"
    [listed] = body(client.get("/api/v1/companies?q=Lumière", token=token))["items"]
    assert body(client.get(f"/api/v1/companies/{listed['id']}", token=token))["tax_number"] == "FR40303265045"
    [row] = export_rows(client, token)
    assert row["VAT ID"] == "FR40303265045"


def test_kpp_and_ogrn_columns_come_in_and_go_out_as_the_companys_own(client: ApiClient, app: Any) -> None:
    """amoCRM's companies export heads them "КПП" and "ОГРН": they were left in each company's note, so its invoice
    named the buyer without its КПП. The rest of the row's unmapped columns still make the note."""
    kazan = signup(ApiClient(app), company="Оптовик Казань", **IN_MOSCOW)
    token = kazan.owner.token
    job = body(upload(client, token, "Название;ИНН;КПП;ОГРН;Расчётный счёт\n"
                                     "ООО «Ромашка»;7701234567;770101001;1027700132195;40702810900000000001\n"  # noqa: RUF001
                                     "ООО «Мак»;1655654321;1655;;\n"))  # noqa: RUF001
    assert (job["mapping"]["КПП"], job["mapping"]["ОГРН"], job["mapping"]["Расчётный счёт"]) == (
        "kpp", "registration_number", None)
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", kazan.tenant_id, job["id"], seconds=60) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["failed"]) == (1, 1), progress  # a КПП of 4 digits: the row says why
    assert [e["field"] for e in progress["errors"]] == ["kpp"], progress["errors"]
    [listed] = body(client.get("/api/v1/companies?q=Ромашка", token=token))["items"]
    card = body(client.get(f"/api/v1/companies/{listed['id']}", token=token))
    assert (card["tax_number"], card["kpp"], card["registration_number"]) == ("7701234567", "770101001",
                                                                              "1027700132195")
    notes = body(client.get(f"/api/v1/companies/{listed['id']}/timeline?limit=50", token=token))["items"]
    text = " ".join(entry["data"]["text"] for entry in notes if entry["kind"] == "note")
    assert "40702810900000000001" in text and "770101001" not in text, text  # the bank account stays in the note
    [row] = export_rows(client, token)
    assert (row["КПП"], row["ОГРН"]) == ("770101001", "1027700132195")
