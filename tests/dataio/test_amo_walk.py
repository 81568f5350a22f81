# ruff: noqa: RUF001, RUF002
"""What amoCRM's exports brought that an import dropped: its "Примечание" columns (each a note on the record's
timeline, written once however often the row is retried), a phone with a remark ("(моб)", "раб."), and a combined
export's rows of the other kind ("Тип": a company in a contacts import)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import tenancy
from chalicelib.dataio import importing, jobs, targets
from tests.dataio.kit import run, upload
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Примечаний", country="RU", locale="ru")
    role = client.post("/api/v1/roles", {"key": "no_notes", "name": "Без заметок", "permissions": [
        "contacts:read:all", "contacts:create:all"]}, token=company.owner.token)
    assert role.status_code == 201, role.body
    add_member(client, company, role="no_notes", name="silent")
    return company


def notes_of(client: ApiClient, token: str, plural: str, record_id: str) -> list[tuple[str, str]]:
    entries = body(client.get(f"/api/v1/{plural}/{record_id}/timeline?limit=50", token=token))["items"]
    return sorted((entry["data"]["text"], entry["actor_id"]) for entry in entries if entry["kind"] == "note")


CONTACTS = ("Имя;Телефон;Примечание;Примечание 1;Примечание 2\n"
            "Иван Петров;+7 916 123-45-67;Звонить после 18:00;;Любит скидки\n"
            "Мария Кузнецова;;Постоянный клиент;Постоянный клиент;\n"
            "Ольга Иванова;;;;\n")


def test_each_note_column_is_a_note_on_the_contacts_timeline_by_the_importer(client: ApiClient,
                                                                              company: Company) -> None:
    token, owner = company.owner.token, company.owner.user_id
    job = upload(client, token, CONTACTS)
    assert job["mapping"] == {"Имя": "full_name", "Телефон": "phone", "Примечание": "notes",
                              "Примечание 1": "notes", "Примечание 2": "notes"}
    assert job["preview"]["sample"][0]["notes"] == ["Звонить после 18:00", "Любит скидки"]
    done = run(client, token, company.tenant_id, CONTACTS)
    assert (done["progress"]["created"], done["progress"]["failed"], done["progress"]["errors"]) == (3, 0, [])
    ids = [importing.record_id(done["id"], row) for row in (2, 3, 4)]
    assert notes_of(client, token, "contacts", ids[0]) == [("Звонить после 18:00", owner), ("Любит скидки", owner)]
    assert notes_of(client, token, "contacts", ids[1]) == [("Постоянный клиент", owner)] * 2  # two notes, as given
    assert notes_of(client, token, "contacts", ids[2]) == []
    listed = body(client.get(f"/api/v1/contacts/{ids[0]}/timeline?limit=50", token=token))["items"]
    note_id = next(entry["id"] for entry in listed if entry["kind"] == "note")
    assert body(client.get(f"/api/v1/notes/{note_id}", token=token))["author_id"] == owner  # a note like any other


def test_a_retried_row_writes_its_notes_once(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    text = "Имя;Примечание\nПавел Без Телефона;Перезвонить в понедельник\nАнна Сидорова;Одна заметка\n"
    done = run(client, token, company.tenant_id, text)
    target = targets.target("contact")
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, actor_kind="user",
                                role="owner", permissions=frozenset({"contacts:create:all", "contacts:read:all",
                                                                     "notes:create:all", "notes:read:all"}))
    with tenancy.bind(ctx):
        reading = importing.reading_for(ctx, target)
        sheet = importing.load_sheet(text.encode(), reading)
        mapping = {"Имя": "full_name", "Примечание": "notes"}
        # the rows again, as after a crash before the checkpoint: each finds its contact, and writes no note
        outcomes = [importing.import_row(ctx, target, sheet, index, mapping, reading, done["id"]) for index in (0, 1)]
    assert [outcome.kind for outcome in outcomes] == ["created", "created"]
    for row, text_of in ((2, "Перезвонить в понедельник"), (3, "Одна заметка")):
        assert [note[0] for note in notes_of(client, token, "contacts", importing.record_id(done["id"], row))] == [
            text_of]


def test_a_role_that_may_not_write_notes_imports_the_contact_and_the_row_says_so(client: ApiClient,
                                                                                 company: Company) -> None:
    silent = company.members["silent"]
    text = "Имя;Примечание\nГеоргий Тихий;Важная заметка\n"
    job = upload(client, silent.token, text)
    assert [(e["row"], e["type"]) for e in job["preview"]["errors"]] == [(2, "notes_not_allowed")]
    done = run(client, silent.token, company.tenant_id, text)
    assert (done["progress"]["created"], [e["type"] for e in done["progress"]["errors"]]) == (
        1, ["notes_not_allowed"])
    made = importing.record_id(done["id"], 2)
    assert notes_of(client, company.owner.token, "contacts", made) == []


def test_companies_and_deals_keep_their_notes_too(client: ApiClient, company: Company) -> None:
    token, owner = company.owner.token, company.owner.user_id
    firms = run(client, token, company.tenant_id, "Название;Примечание\nООО Ромашка;Оплата по счёту\n", "company")
    assert firms["progress"]["created"] == 1, firms["progress"]
    assert notes_of(client, token, "companies", importing.record_id(firms["id"], 2)) == [("Оплата по счёту", owner)]
    deals = run(client, token, company.tenant_id, "Название сделки;Примечание;Примечание 2\nЗамена масла;Масло своё;"
                "Скидка 5%\n", "deal")
    assert deals["progress"]["created"] == 1, deals["progress"]
    assert notes_of(client, token, "deals", importing.record_id(deals["id"], 2)) == [
        ("Масло своё", owner), ("Скидка 5%", owner)]


PHONES = ("Имя;Телефон\n"
          "Иван Петров;+7 916 223-45-67 (моб)\n"
          "Мария Кузнецова;8 (495) 123-45-68 раб.\n"
          'Алексей Смирнов;"+7 916 123-45-69 (звонить после 18); 8 495 123-45-70 дом"\n'
          'Ольга Иванова;"+7 916 123-45-71, 8 (495) 123-45-72 доб. 12 (рабочий), +7 903 111-22-33"\n')


def test_a_phone_with_a_remark_is_kept_its_kind_taken_and_the_rest_said(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = upload(client, token, PHONES)
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (4, 0)
    done = run(client, token, company.tenant_id, PHONES)
    assert (done["progress"]["created"], done["progress"]["failed"]) == (4, 0)
    assert [(e["row"], e["type"], e["value"]) for e in done["progress"]["errors"]] == [
        (4, "phone_remark", "+7 916 123-45-69 (звонить после 18)"),
        (5, "phone_extension", "8 (495) 123-45-72 доб. 12 (рабочий)")]
    assert "звонить после 18" in done["progress"]["errors"][0]["message"]

    def phones(row: int) -> list[tuple[str, str]]:
        made = body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], row)}", token=token))
        return [(phone["number"], phone["kind"]) for phone in made["phones"]]

    assert phones(2) == [("+79162234567", "mobile")]
    assert phones(3) == [("+74951234568", "work")]
    assert phones(4) == [("+79161234569", "mobile"), ("+74951234570", "home")]
    assert phones(5) == [("+79161234571", "mobile"), ("+74951234572", "work"), ("+79031112233", "mobile")]


COMBINED = ("Тип;Название;Имя;Телефон\n"
            "Контакт;;Иван Комбинированный;+7 916 333-45-01\n"
            "Компания;ООО Комбинат;;+7 495 333-45-02\n"
            "Company;Combine Ltd;;+7 495 333-45-03\n"
            "Контакт;;Мария Комбинированная;+7 916 333-45-04\n"
            ";;Пётр Без Типа;+7 916 333-45-05\n"
            "Постоянный;;Олег Постоянный;+7 916 333-45-06\n")


def test_a_combined_export_brings_each_kind_only_into_its_own_import(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = upload(client, token, COMBINED)
    assert job["mapping"]["Тип"] == "record_type"
    assert [(e["row"], e["type"]) for e in job["preview"]["errors"]] == [
        (3, "a_company"), (4, "a_company"), (7, "record_type_not_kept")]
    assert job["preview"]["errors"][0]["message"] == "A company: import this file again as companies"
    contacts = run(client, token, company.tenant_id, COMBINED)
    assert (contacts["progress"]["created"], contacts["progress"]["failed"]) == (4, 2)
    assert [(e["row"], e["type"]) for e in contacts["progress"]["errors"]] == [
        (3, "a_company"), (4, "a_company"), (7, "record_type_not_kept")]
    listed = body(client.get("/api/v1/contacts?q=%D0%9A%D0%BE%D0%BC%D0%B1%D0%B8%D0%BD%D0%B0%D1%82", token=token))
    assert listed["items"] == []  # "Комбинат" made no contact
    companies = run(client, token, company.tenant_id, COMBINED, "company")
    assert (companies["progress"]["created"], companies["progress"]["failed"]) == (2, 4)
    assert [(e["row"], e["type"]) for e in companies["progress"]["errors"]] == [
        (2, "a_contact"), (5, "a_contact"), (6, "missing"), (7, "missing")]
    names = sorted(c["name"] for c in body(client.get("/api/v1/companies?limit=200", token=token))["items"])
    assert "ООО Комбинат" in names and "Combine Ltd" in names


def test_position_is_the_job_title_and_a_creation_date_goes_to_the_custom_field_labelled_so(
        client: ApiClient, company: Company) -> None:
    """amoCRM's "Должность" is the contact's job title (it was dropped: contacts had none); its created_at is when
    it was made here, so a company that wants amoCRM's "Дата создания" makes a custom date field of that label, which
    reads amoCRM's "12.03.2024 10:15:00" as a birthday column reads a date (it was refused as not YYYY-MM-DD)."""
    token = company.owner.token
    made = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "amo_created", "label": "Дата создания",
                                                 "type": "date"}, token=token)
    assert made.status_code == 201, made.body
    text = "Имя;Дата создания;Должность\nИван Должностной;12.03.2024 10:15:00;Директор\nОльга Датова;05.11.2023;\n"
    job = upload(client, token, text)
    assert job["mapping"] == {"Имя": "full_name", "Дата создания": "custom.amo_created", "Должность": "job_title"}
    done = run(client, token, company.tenant_id, text)
    assert (done["progress"]["created"], done["progress"]["errors"]) == (2, [])
    first = body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], 2)}", token=token))
    assert (first["custom"], first["job_title"]) == ({"amo_created": "2024-03-12"}, "Директор")
    second = body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], 3)}", token=token))
    assert (second["custom"], second["job_title"]) == ({"amo_created": "2023-11-05"}, None)


def test_undoing_the_import_takes_the_notes_with_their_records_and_counts_only_the_records(
        client: ApiClient, company: Company) -> None:
    token = company.owner.token
    text = "Имя;Примечание;Примечание 2\nЕвгений Отменный;Первая;Вторая\nЗоя Отменная;Третья;\n"
    done = run(client, token, company.tenant_id, text)
    made = importing.record_id(done["id"], 2)
    undone = client.post(f"/api/v1/imports/{done['id']}/undo", token=token)
    assert undone.status_code == 202, undone.body
    assert jobs.run_job("import_undo", company.tenant_id, done["id"], seconds=120) == "done"
    state = body(client.get(f"/api/v1/imports/{done['id']}/undo", token=token))
    assert (state["to_undo"], state["undone"], state["skipped"], state["failed"]) == (2, 2, 0, 0), state
    assert client.get(f"/api/v1/contacts/{made}", token=token).status_code == 404
    restored = client.post(f"/api/v1/contacts/{made}/restore", token=token)  # from the trash, with its notes
    assert restored.status_code == 200, restored.body
    assert [note[0] for note in notes_of(client, token, "contacts", made)] == ["Вторая", "Первая"]


def test_more_notes_than_a_transaction_takes_are_joined_in_order(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    headers = ";".join(["Имя", *(f"Примечание {n}" for n in range(1, 31))])
    text = f"{headers}\nНина Многословная;" + ";".join(f"Заметка {n}" for n in range(1, 31)) + "\n"
    done = run(client, token, company.tenant_id, text)
    assert (done["progress"]["created"], done["progress"]["errors"]) == (1, [])
    notes = notes_of(client, token, "contacts", importing.record_id(done["id"], 2))
    assert [note[0] for note in notes] == ["\n\n".join(f"Заметка {n}" for n in range(1, 31))]
