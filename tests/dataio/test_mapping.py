"""Recognising columns in English and Russian, and reading a row's cells as contact values."""

from __future__ import annotations

import pytest

from chalicelib.core import errors
from chalicelib.dataio import mapping as columns
from chalicelib.dataio.company_target import COMPANY_SPECS
from chalicelib.dataio.targets import CONTACT_SPECS, contact_names
from chalicelib.records.customfields.models import FieldDefinition


def definition(key: str, label: str, field_type: str, options: list[dict[str, str]] | None = None,
               sensitive: bool = False) -> FieldDefinition:
    return FieldDefinition("T#x#CFDEF", f"contact#{key}", field_id="x", entity="contact", key=key, label=label,
                           field_type=field_type, options=options or [], sensitive=sensitive)


CUSTOM = {
    "tier": definition("tier", "Уровень клиента", "select", [{"value": "gold", "label": "Золото"}]),
    "budget": definition("budget", "Budget", "money"),
    "channels": definition("channels", "Channels", "multiselect",
                           [{"value": "sms", "label": "SMS"}, {"value": "mail", "label": "Mail"}]),
    "vip": definition("vip", "VIP", "bool"),
}
READING = columns.Reading(specs=CONTACT_SPECS, custom=CUSTOM, country=lambda: "RU", currency="RUB")


@pytest.mark.parametrize("header,field", [
    ("First name", "first_name"), ("Фамилия", "last_name"), ("Отчество", "middle_name"),
    ("ФИО", "fio"), ("\u0424.\u0418.\u041e.", "fio"), ("Full Name", "full_name"), ("Контактное лицо", "full_name"),
    ("Телефон", "phone"), ("Мобильный телефон", "phone"), ("Phone Number", "phone"), ("E-mail", "email"),
    ("Рабочий email", "email"), ("Личный email", "email"), ("Другой email", "email"), ("Другой телефон", "phone"),
    ("Рабочий прямой телефон", "phone"), ("Наименование", "full_name"), ("Полное имя контакта", "full_name"),
    ("Компания контакта", "company"),
    ("Email", "email"), ("Почта", "email"), ("Эл. почта", "email"), ("Электронная почта", "email"),
    ("Компания", "company"), ("Организация", "company"), ("Теги", "tags"), ("Тэги", "tags"), ("Tags", "tags"),
    ("Дата рождения", "birthday"), ("ИНН", "tax_id"), ("  phone:  ", "phone"),
    ("Уровень клиента", "custom.tier"), ("budget", "custom.budget"), ("custom.vip", "custom.vip"),
    ("Notes", "notes"), ("Комментарий", "notes"), ("Примечание 3", "notes"), ("Теги 2", None),
])
def test_headers_are_recognised(header: str, field: str | None) -> None:
    assert columns.auto_map([header], READING) == {header: field}


def test_one_column_per_single_field_but_phones_may_come_from_several() -> None:
    mapped = columns.auto_map(["First name", "Имя", "Рабочий телефон", "Мобильный"], READING)
    assert mapped == {"First name": "first_name", "Имя": None, "Рабочий телефон": "phone", "Мобильный": "phone"}


@pytest.mark.parametrize("headers,mapped", [
    (["Имя", "Телефон"], {"Имя": "full_name", "Телефон": "phone"}),  # amoCRM's export: the whole name under "Имя"
    (["Имя", "Отчество", "Телефон"], {"Имя": "full_name", "Отчество": "middle_name", "Телефон": "phone"}),
    (["Имя", "Фамилия"], {"Имя": "first_name", "Фамилия": "last_name"}),
    (["Фамилия", "Имя"], {"Фамилия": "last_name", "Имя": "first_name"}),
    (["Имя", "ФИО"], {"Имя": "first_name", "ФИО": "fio"}),
    (["Имя", "Полное имя"], {"Имя": "first_name", "Полное имя": "full_name"}),
    (["First name", "Phone"], {"First name": "first_name", "Phone": "phone"}),  # says what it holds
])
def test_a_name_column_without_a_surname_column_is_the_full_name(headers: list[str], mapped: dict) -> None:
    assert columns.auto_map(headers, READING) == mapped


def test_a_callers_mapping_is_checked_and_completed() -> None:
    checked = columns.check_mapping({"A": "first_name", "C": "custom.tier"}, ["A", "B", "C"], READING)
    assert checked == {"A": "first_name", "B": None, "C": "custom.tier"}
    with pytest.raises(errors.ValidationError) as raised:
        columns.check_mapping({"Z": "first_name", "A": "salary", "B": "last_name", "C": "last_name",
                               "D": "custom.nope"}, ["A", "B", "C", "D"], READING)
    kinds = sorted(detail["type"] for detail in raised.value.details)
    assert kinds == ["mapped_twice", "unknown_column", "unknown_field", "unknown_field"]


def read(cells: dict[str, str]) -> tuple[dict, list]:
    headers = list(cells)
    return columns.read_row(list(cells.values()), headers, columns.auto_map(headers, READING), READING)


def test_a_russian_row_is_read_into_contact_values() -> None:
    values, problems = read({"ФИО": "Петров Иван Сергеевич", "Телефон": "8 (999) 123-45-67; +7 999 765 43 21",
                             "Почта": "Ivan@Example.RU, ivan2@example.ru", "Теги": "vip; опт, vip",
                             "Дата рождения": "17.05.1990", "Уровень клиента": "Золото", "budget": "1 500,50",
                             "Channels": "SMS, mail", "VIP": "да"})
    assert problems == []
    assert values["phone"] == ["+79991234567", "+79997654321"]
    assert values["email"] == ["ivan@example.ru", "ivan2@example.ru"]
    assert values["tags"] == ["vip", "опт"]
    assert values["birthday"] == "1990-05-17"
    assert values["custom"] == {"tier": "gold", "budget": {"minor": 150050, "currency": "RUB"},
                                "channels": ["sms", "mail"], "vip": True}
    assert contact_names(values) == ("Иван Сергеевич", "Петров")


@pytest.mark.parametrize("values,names", [
    # split as a website form's name box is (records.naming.split_name), a Russian patronymic with the first name
    ({"full_name": "Иван Петров"}, ("Иван", "Петров")),
    ({"full_name": "Петров Иван Сергеевич"}, ("Иван Сергеевич", "Петров")),
    ({"full_name": "Иван Сергеевич Петров"}, ("Иван Сергеевич", "Петров")),
    ({"full_name": "Anna Maria Smith"}, ("Anna Maria Smith", None)),  # which word is the surname is not known
    ({"full_name": "Cher"}, ("Cher", None)),
    ({"first_name": "Иван", "middle_name": "Петрович", "last_name": "Сидоров"}, ("Иван Петрович", "Сидоров")),
    ({"first_name": "Anna", "full_name": "ignored when names are given"}, ("Anna", None)),
])
def test_names_from_whichever_columns_the_file_has(values: dict, names: tuple) -> None:
    assert contact_names(values) == names


@pytest.mark.parametrize("cell,numbers,typed", [
    ("+7 495 123-45-67 доб. 12", ["+74951234567"], ["+7 495 123-45-67 доб. 12"]),
    ("+7 495 123-45-67 ext. 12", ["+74951234567"], ["+7 495 123-45-67 ext. 12"]),
    ("+7 495 123-45-67 x12", ["+74951234567"], ["+7 495 123-45-67 x12"]),
    # Russian words phonenumbers does not read: the row failed on them as an invalid phone
    ("+7 495 123-45-67 добавочный 12", ["+74951234567"], ["+7 495 123-45-67 добавочный 12"]),
    ("8 495 123 45 67 (вн. 12)", ["+74951234567"], ["8 495 123 45 67 (вн. 12)"]),
    # amoCRM joins a cell's numbers with commas: an extension after one is still that number's
    ("8 (495) 123-45-67, доб. 12, +7 916 555-00-00", ["+74951234567", "+79165550000"],
     ["8 (495) 123-45-67 доб. 12"]),
    ("+7 495 123-45-67, +7 916 555-00-00", ["+74951234567", "+79165550000"], []),
])
def test_a_phones_extension_is_a_note_on_the_row_and_its_number_is_kept(cell: str, numbers: list[str],
                                                                       typed: list[str]) -> None:
    values, problems = read({"Рабочий телефон": cell})
    assert values["phone"] == numbers
    assert [(p.field, p.type, p.note, p.value) for p in problems] == [
        ("phone", "phone_extension", True, value) for value in typed]
    assert all("12" in p.message for p in problems)


def test_bad_cells_are_reported_by_field_and_never_echoed() -> None:
    _, problems = read({"Телефон": "123", "Email": "not-an-email", "Дата рождения": "31.02.1990",
                        "budget": "lots", "VIP": "perhaps"})
    assert sorted(p.field for p in problems) == ["birthday", "custom.budget", "custom.vip", "email", "phone"]
    assert not any("not-an-email" in p.message or "perhaps" in p.message for p in problems)


@pytest.mark.parametrize("cell,country,expected", [
    ("2024-03-01", "RU", "2024-03-01"), ("01.03.2024", "RU", "2024-03-01"), ("01/03/2024", "GB", "2024-03-01"),
    ("03/01/2024", "US", "2024-03-01"), ("2024-03-01T10:00:00", "RU", "2024-03-01"),
])
def test_dates_in_the_tenants_order(cell: str, country: str, expected: str) -> None:
    assert columns.parse_date(cell, country) == expected


def test_a_companies_export_of_amocrm_keeps_every_phone_and_e_mail_column() -> None:
    reading = columns.Reading(specs=COMPANY_SPECS, custom={}, country=lambda: "RU")
    headers = ["Наименование", "Рабочий телефон", "Мобильный телефон", "Другой телефон", "Рабочий email",
               "Личный email", "Web"]
    assert columns.auto_map(headers, reading) == {"Наименование": "name", "Рабочий телефон": "phone",
                                                  "Мобильный телефон": "phone", "Другой телефон": "phone",
                                                  "Рабочий email": "email", "Личный email": "email", "Web": "website"}
