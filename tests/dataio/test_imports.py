"""Uploading a file for import: the preview (mapping, per-row errors, duplicates), limits, starting, rights."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest

from chalicelib.dataio import schemas
from tests.factories import Company, add_member, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

CSV = """Имя;Фамилия;Телефон;Почта;Компания;Теги;Комментарий
Иван;Петров;8 (999) 123-45-67;Ivan@Example.ru;Ромашка;vip, опт;первый
Анна;Смирнова;+7 999 000 00 01;anna@example;;;bad e-mail
Пётр;Ёлкин;12345;;;;bad phone: imported without it
;;;;;;no name, no phone
Мария;Иванова;+7 999 111 22 33;maria@example.ru;;;
Мария;Дубль;+7 (999) 111-22-33;;;;same phone as row 6
Олег;Существующий;+7 999 555 44 33;;;;already a contact
"""


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Импортёр", country="RU", locale="ru")
    for role in ("admin", "agent", "read_only"):
        add_member(client, company, role=role, name=role)
    add_member(client, company, role="agent", name="other_agent")
    existing = client.post("/api/v1/contacts", {"first_name": "Олег", "phones": [{"number": "+79995554433"}]},
                           token=company.owner.token)
    assert existing.status_code == 201, existing.body
    company.extra["existing_id"] = body(existing)["id"]
    return company


def contact_count(client: ApiClient, company: Company) -> int:
    return len(body(client.get("/api/v1/contacts?limit=200", token=company.owner.token))["items"])


def test_preview_maps_columns_reports_rows_and_creates_nothing(client: ApiClient, company: Company) -> None:
    before = contact_count(client, company)
    response = upload(client, company.owner.token, CSV, encoding="cp1251", filename="amo.csv")
    assert response.status_code == 201, response.body
    job = body(response)
    assert (job["status"], job["encoding"], job["delimiter"], job["total_rows"]) == ("preview", "cp1251", ";", 7)
    assert job["mapping"] == {"Имя": "first_name", "Фамилия": "last_name", "Телефон": "phone", "Почта": "email",
                              "Компания": "company", "Теги": "tags", "Комментарий": "notes"}
    preview = job["preview"]
    assert (preview["rows"], preview["valid"], preview["invalid"], preview["duplicates"]) == (7, 3, 2, 2)
    assert sorted((e["row"], e["field"], e["type"]) for e in preview["errors"]) == [
        (3, "email", "invalid_email"), (4, "phone", "phone_dropped"), (5, "*", "empty_contact")]
    duplicates = {d["row"]: d for d in preview["duplicate_rows"]}
    assert duplicates[7]["same_as_row"] == 6 and duplicates[7]["match"] == "phone"
    assert duplicates[8]["existing_id"] == company.extra["existing_id"]
    assert preview["ignored_fields"] == [] and preview["new_companies"] == 1  # Ромашка, made when imported
    assert preview["sample"][0]["phone"] == ["+79991234567"] and preview["sample"][0]["email"] == ["ivan@example.ru"]
    assert contact_count(client, company) == before  # a preview never creates


def test_the_import_is_read_back_and_restarted_with_a_new_mapping(client: ApiClient, company: Company) -> None:
    job = body(upload(client, company.owner.token, "Name,Mobile,Work\nAnna Smith,+7 999 100 00 01,x@example.com\n"))
    assert job["mapping"] == {"Name": "full_name", "Mobile": "phone", "Work": None}
    assert body(client.get(f"/api/v1/imports/{job['id']}", token=company.owner.token)) == job
    started = client.post(f"/api/v1/imports/{job['id']}/start",
                          {"version": job["version"], "mapping": {"Work": "email"}}, token=company.owner.token)
    assert started.status_code == 202, started.body
    assert body(started)["status"] == "queued"
    assert body(started)["mapping"] == {"Name": None, "Mobile": None, "Work": "email"}
    again = client.post(f"/api/v1/imports/{job['id']}/start", {"version": body(started)["version"]},
                        token=company.owner.token)
    assert again.status_code == 409 and body(again)["error"]["code"] == "import_started"


def test_a_stale_version_cannot_start(client: ApiClient, company: Company) -> None:
    job = body(upload(client, company.owner.token, "Name\nAnna\n"))
    stale = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"] + 5},
                        token=company.owner.token)
    assert stale.status_code == 409
    assert body(client.get(f"/api/v1/imports/{job['id']}", token=company.owner.token))["status"] == "preview"


def test_a_file_with_no_row_to_import_is_not_started(client: ApiClient, company: Company) -> None:
    """A newcomer's file whose every row has a problem (or only empty rows) started an import that made nothing and
    stayed in the company's imports as done; now the start says so (422) and the preview stays to be remapped."""
    token = company.owner.token
    for text in ("Имя;Почта\n;broken@\n;also@@broken\n", "Имя;Телефон;Email\n;;\n;;\n"):
        job = body(upload(client, token, text, encoding="cp1251"))
        assert job["preview"]["valid"] == 0 and job["preview"]["duplicates"] == 0, job["preview"]
        refused = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
        assert refused.status_code == 422, refused.body
        assert body(refused)["error"]["code"] == "nothing_to_import"
        assert body(client.get(f"/api/v1/imports/{job['id']}", token=token))["status"] == "preview"
        listed = body(client.get("/api/v1/imports", token=token))["items"]
        assert job["id"] not in [item["id"] for item in listed]
    # The same file mapped right at the start has a row to import: it starts.
    job = body(upload(client, token, "Имя;Почта\nЮлия;broken@\n", encoding="cp1251"))
    started = client.post(f"/api/v1/imports/{job['id']}/start",
                          {"version": job["version"], "mapping": {"Имя": "first_name", "Почта": None}}, token=token)
    assert started.status_code == 202, started.body


def test_xlsx_upload(client: ApiClient, company: Company) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ФИО", "Мобильный телефон", "E-mail"])
    workbook.active.append(["Сидоров Пётр Ильич", 79997770011, "petr@example.ru"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = base64.b64encode(buffer.getvalue()).decode()
    response = client.post("/api/v1/imports", {"entity": "contact", "filename": "book.xlsx",
                                               "content_base64": content}, token=company.owner.token)
    assert response.status_code == 201, response.body
    job = body(response)
    assert job["file_format"] == "xlsx" and job["preview"]["valid"] == 1
    assert job["preview"]["sample"][0]["phone"] == ["+79997770011"]


def test_custom_field_columns_are_validated(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Custom Import", country="RU")
    client.post("/api/v1/custom-fields", {"entity": "contact", "key": "tier", "label": "Уровень", "type": "select",
                                          "options": [{"value": "gold", "label": "Золото"}]}, token=company.owner.token)
    client.post("/api/v1/custom-fields", {"entity": "contact", "key": "passport", "label": "Паспорт клиента",
                                          "type": "text", "sensitive": True}, token=company.owner.token)
    job = body(upload(client, company.owner.token,
                      "\n".join(["Имя,Уровень,Паспорт клиента", "Анна,Золото,4510 123456", "Борис,Платина,"])))
    assert job["mapping"] == {"Имя": "full_name", "Уровень": "custom.tier", "Паспорт клиента": "custom.passport"}
    assert [(e["row"], e["field"]) for e in job["preview"]["errors"]] == [(3, "custom.tier")]
    assert job["preview"]["sample"][0]["custom.tier"] == "gold"
    assert "4510" not in str(job)  # a sensitive column is masked in the preview
    assert "custom.tier" in job["fields"]


def test_bad_uploads(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    not_base64 = client.post("/api/v1/imports", {"entity": "contact", "filename": "x.csv",
                                                 "content_base64": "%%%not base64%%%"}, token=token)
    assert not_base64.status_code == 422
    assert upload(client, token, "").status_code == 422
    unknown_column = upload(client, token, "Name\nAnna\n", mapping={"Phone": "phone"})
    assert unknown_column.status_code == 422
    assert body(unknown_column)["error"]["details"][0]["type"] == "unknown_column"
    assert client.post("/api/v1/imports", {"entity": "task", "filename": "x.csv", "content_base64": "eA=="},
                       token=token).status_code == 422
    monkeypatch.setattr(schemas, "MAX_UPLOAD_BYTES", 10)
    too_large = upload(client, token, "Name\nAnna Smith\n")
    assert too_large.status_code == 413 and body(too_large)["error"]["code"] == "import_file_too_large"


def test_who_may_import_and_see_an_import(client: ApiClient, company: Company) -> None:
    members = company.members
    assert upload(client, members["read_only"].token, "Name\nAnna\n").status_code == 403
    by_agent = upload(client, members["agent"].token, "Name\nAnna\n")
    assert by_agent.status_code == 201
    path = f"/api/v1/imports/{body(by_agent)['id']}"
    assert client.get(path, token=members["agent"].token).status_code == 200
    assert client.get(path, token=members["admin"].token).status_code == 200  # admins see every import
    assert client.get(path, token=members["other_agent"].token).status_code == 404
    assert client.get(path, token=members["read_only"].token).status_code == 404
    outsider = signup(client, company="Outsider")
    assert client.get(path, token=outsider.owner.token).status_code == 404
    assert client.get("/api/v1/imports/not-an-id", token=company.owner.token).status_code == 404
