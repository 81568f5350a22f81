# ruff: noqa: RUF001
"""A car-repair shop moving from amoCRM imports its contacts export as amoCRM writes it: the whole name under "Имя"
(no "Фамилия" column), several phones to a cell joined by commas, one with its extension, e-mails under "Рабочий
email" and "Личный email", companies, tags, the responsible person and a custom field column."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.dataio import importing, jobs
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

HEADER = ("ID;Имя;Компания;Рабочий телефон;Мобильный телефон;Рабочий email;Личный email;Теги;Ответственный;"
          "Дата создания;Должность;Марка автомобиля;Примечание")
NAMES = ["Иван Петров", "Мария Кузнецова", "Алексей Смирнов", "Ольга Иванова", "Дмитрий Волков", "Светлана Ёлкина",
         "Сергей Павлович Орлов", "Белова Наталья Сергеевна", "Павел", "Анна-Мария Фролова"]
CARS = ["Лада Веста", "Kia Rio", "Hyundai Solaris"]


def amo_row(i: int) -> str:
    name = NAMES[i] if i < len(NAMES) else f"{NAMES[i % 10].split()[0]} Клиентов{i}"
    work = f"+7 495 123-45-{i:02d}" + (" доб. 12" if i == 0 else "")
    mobile = f"8 (916) 555-{i:02d}-{i:02d}, +7 903 111-22-{i:02d}" if i % 3 == 0 else f"+7 916 555-{i:02d}-{i:02d}"
    company = ["ООО Такси Невский", "", "ИП Сидоров", "ИП Сидоров"][i % 4]
    tags = "ТО, Постоянный" if i % 5 == 0 else "Шиномонтаж"
    return ";".join([str(30000 + i), name, company, work, mobile, f"client{i}@mail.ru" if i % 2 else "",
                     f"c{i}@yandex.ru", tags, "Анна Петрова" if i % 2 else "", f"{i % 28 + 1:02d}.03.2024 10:15:00",
                     "Директор" if i % 4 == 0 else "", CARS[i % 3], "Звонить после 18:00" if i % 7 == 0 else ""])


AMO_CONTACTS = "\n".join([HEADER, *(amo_row(i) for i in range(30))]) + "\n"


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Нева", country="RU", locale="ru")
    token = company.owner.token
    car = client.post("/api/v1/custom-fields", {"entity": "contact", "key": "car", "label": "Марка автомобиля",
                                                "type": "text"}, token=token)
    assert car.status_code == 201, car.body
    anna = add_member(client, company, role="agent", name="anna")
    user = body(client.get(f"/api/v1/users/{anna.user_id}", token=token))
    renamed = client.patch(f"/api/v1/users/{anna.user_id}", {"version": user["version"], "name": "Анна Петрова"},
                           token=token)
    assert renamed.status_code == 200, renamed.body
    return company


def upload(client: ApiClient, token: str, text: str) -> dict[str, Any]:
    content = base64.b64encode(text.encode("utf-8-sig")).decode()
    made = client.post("/api/v1/imports", {"entity": "contact", "filename": "amocrm_contacts.csv",
                                           "content_base64": content}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def run(client: ApiClient, company: Company, text: str) -> dict[str, Any]:
    token = company.owner.token
    job = upload(client, token, text)
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    return dict(body(client.get(f"/api/v1/imports/{job['id']}", token=token)))


def test_the_preview_reads_amocrms_columns(client: ApiClient, company: Company) -> None:
    job = upload(client, company.owner.token, AMO_CONTACTS)
    assert job["mapping"] == {
        "ID": None, "Имя": "full_name", "Компания": "company", "Рабочий телефон": "phone",
        "Мобильный телефон": "phone", "Рабочий email": "email", "Личный email": "email", "Теги": "tags",
        "Ответственный": "owner_id", "Дата создания": None, "Должность": "job_title", "Марка автомобиля": "custom.car",
        "Примечание": "notes"}
    assert job["labels"] == {"custom.car": "Марка автомобиля"}  # the web app names the column's field so
    preview = job["preview"]
    assert (preview["rows"], preview["valid"], preview["invalid"], preview["new_companies"]) == (30, 30, 0, 2)
    assert preview["errors"] == [{"row": 2, "field": "phone", "type": "phone_extension",
                                  "message": "The extension 12 is not kept: a phone in the CRM has none",
                                  "value": "+7 495 123-45-00 доб. 12"}]


def test_the_export_comes_over_with_names_split_every_phone_and_e_mail_and_the_extension_said(
        client: ApiClient, company: Company) -> None:
    token = company.owner.token
    done = run(client, company, AMO_CONTACTS)
    assert (done["progress"]["created"], done["progress"]["failed"], done["progress"]["companies_created"]) == (
        30, 0, 2)
    assert [(e["row"], e["type"], e.get("value")) for e in done["progress"]["errors"]] == [
        (2, "phone_extension", "+7 495 123-45-00 доб. 12")]

    def contact(row: int) -> dict[str, Any]:
        return dict(body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], row)}", token=token)))

    names = [(contact(row)["first_name"], contact(row)["last_name"]) for row in (2, 8, 9, 10, 11, 12)]
    assert names == [("Иван", "Петров"), ("Сергей Павлович", "Орлов"), ("Наталья Сергеевна", "Белова"),
                     ("Павел", None), ("Анна-Мария", "Фролова"), ("Иван", "Клиентов10")]
    first = contact(2)
    assert [p["number"] for p in first["phones"]] == ["+74951234500", "+79165550000", "+79031112200"]
    assert [e["address"] for e in contact(3)["emails"]] == ["client1@mail.ru", "c1@yandex.ru"]
    assert first["custom"]["car"] == "Лада Веста"
    assert contact(3)["owner_id"] == company.members["anna"].user_id
    # the number without its extension is what a call brings: it finds the contact
    found = body(client.get(f"/api/v1/contacts?q={quote('+74951234500')}", token=token))["items"]
    assert [item["id"] for item in found] == [first["id"]]


def test_with_a_surname_column_the_name_column_is_the_first_name(client: ApiClient, company: Company) -> None:
    done = run(client, company, "Имя;Фамилия;Телефон\nАнна Мария;Сидорова;+7 921 555-77-01\n")
    made = body(client.get(f"/api/v1/contacts/{importing.record_id(done['id'], 2)}", token=company.owner.token))
    assert (made["first_name"], made["last_name"]) == ("Анна Мария", "Сидорова")


def test_a_role_that_may_not_change_last_names_imports_the_name_column_as_first_names(
        client: ApiClient, company: Company) -> None:
    role = client.post("/api/v1/roles", {"key": "frontdesk", "name": "Ресепшн", "permissions": [
        "contacts:read:all", "contacts:create:all", "contacts.last_name:readonly"]}, token=company.owner.token)
    assert role.status_code == 201, role.body
    desk = add_member(client, company, role="frontdesk", name="desk")
    job = upload(client, desk.token, "Имя;Телефон\nИван Петров;+7 921 555-77-02\n")
    assert job["mapping"] == {"Имя": "first_name", "Телефон": "phone"}  # not dropped with the full name it would be
    assert job["preview"]["sample"][0]["first_name"] == "Иван Петров"
    assert upload(client, company.owner.token, "Имя;Телефон\nИван Петров;+7 921 555-77-02\n")["mapping"] == {
        "Имя": "full_name", "Телефон": "phone"}
    # An ФИО column writes last names too: such a role's mapping leaves it out, and asking for it by hand is refused
    # before the import runs (it was kept, and every row would have been refused one by one)
    fio = upload(client, desk.token, "ФИО;Телефон\nПетров Иван;+7 921 555-77-03\n")
    assert fio["mapping"] == {"ФИО": "-", "Телефон": "phone"}, fio["mapping"]  # nor kept in a note
    content = base64.b64encode("ФИО;Телефон\nПетров Иван;+7 921 555-77-03\n".encode()).decode()
    by_hand = client.post("/api/v1/imports", {"entity": "contact", "filename": "fio.csv", "content_base64": content,
                                              "mapping": {"ФИО": "fio", "Телефон": "phone"}}, token=desk.token)
    assert by_hand.status_code == 403 and by_hand.json_body["error"]["details"][0]["loc"] == ["last_name"], by_hand.body
