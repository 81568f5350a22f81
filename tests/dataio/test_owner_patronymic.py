# ruff: noqa: RUF001
"""A Moscow building-materials wholesaler («СтройОпт») leaving Bitrix24: its sales managers are in the CRM by their
full names with the patronymic ("Анна Сергеевна Белова"), while Bitrix24's "Ответственный" column writes a user as
"Анна Белова". The clients imported stayed the importer's, each row saying no such colleague exists."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing
from tests.dataio.kit import named_member, run
from tests.dataio.test_bitrix import bitrix_csv
from tests.factories import IN_MOSCOW, Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="СтройОпт", **IN_MOSCOW)


def test_a_responsible_named_without_the_patronymic_is_that_colleague(client: ApiClient, company: Company) -> None:
    belova = named_member(client, company, "belova", "Анна Сергеевна Белова")
    orlov = named_member(client, company, "orlov", "Орлов Дмитрий Ильич")
    text = bitrix_csv(["ID", "Название компании", "Ответственный"],
                      ["100", "ООО «ГлавСтрой»", "Анна Белова"],
                      ["101", "ООО «МосМонолит»", "Белова Анна"],
                      ["102", "ООО «Кровля Плюс»", "Дмитрий Орлов"],
                      ["103", "ООО «ТехноДом»", "Анна Сергеевна Белова"])
    job = run(client, company.owner.token, company.tenant_id, text, "company", filename="company.csv")
    assert job["progress"]["errors"] == [], job["progress"]
    owners = [body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], row)}",
                              token=company.owner.token))["owner_id"] for row in (2, 3, 4, 5)]
    assert owners == [belova.user_id, belova.user_id, orlov.user_id, belova.user_id]


def test_two_colleagues_of_that_name_without_their_patronymics_leave_the_record_the_importer_s(
        client: ApiClient, company: Company) -> None:
    named_member(client, company, "petrenko1", "Игорь Васильевич Петренко")
    named_member(client, company, "petrenko2", "Игорь Петрович Петренко")
    text = bitrix_csv(["ID", "Название компании", "Ответственный"], ["200", "ООО «СК Вектор»", "Игорь Петренко"])
    job = run(client, company.owner.token, company.tenant_id, text, "company", filename="company.csv")
    assert [e["type"] for e in job["progress"]["errors"]] == ["several_owners"], job["progress"]
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], 2)}", token=company.owner.token))
    assert firm["owner_id"] == company.owner.user_id
