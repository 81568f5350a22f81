# ruff: noqa: RUF001
"""A car-repair shop moving from amoCRM brings its deals over: amoCRM's stage names are mapped to the chosen
pipeline's stages (suggested by name, its closed stages to won and lost, the rest as the importer picks), the mapping
is kept with the import and applied to every row, and a value left unmapped fails its rows."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from chalicelib.dataio import importing, jobs
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body

AMO = ("Название сделки;Бюджет;Этап;Причина отказа\n"
       "Замена масла;12 500;Переговоры;\n"
       "Кузовной ремонт;45 000;Первичный контакт;\n"
       "Шиномонтаж;3000;Принимают решение;\n"
       "Диагностика;3000;Успешно реализовано;\n"
       "Покраска;9000;Закрыто и не реализовано;Дорого\n"
       "Развал;2000;первичный КОНТАКТ;\n")


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Нева", country="RU", locale="ru")
    token = company.owner.token
    sales = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    other = client.post("/api/v1/pipelines", {"name": "Ремонт"}, token=token)
    assert other.status_code == 201, other.body
    company.extra.update({"sales": sales, "other": body(other)})
    for key, name in (("anna", "Анна Петрова"), ("boris", "Борис Ким"), ("oleg", "Олег Сидоров")):
        member = add_member(client, company, role="agent", name=key)
        user = body(client.get(f"/api/v1/users/{member.user_id}", token=token))
        renamed = client.patch(f"/api/v1/users/{member.user_id}", {"version": user["version"], "name": name},
                               token=token)
        assert renamed.status_code == 200, renamed.body
    left = client.post(f"/api/v1/users/{company.members['oleg'].user_id}/deactivate", token=token)
    assert left.status_code == 200, left.body
    return company


def stage(pipeline: dict[str, Any], name: str) -> str:
    return str(next(s["id"] for s in pipeline["stages"] if s["name"] == name))


def upload(client: ApiClient, token: str, text: str, **extra: Any) -> Any:
    content = base64.b64encode(text.encode()).decode()
    return client.post("/api/v1/imports", {"entity": "deal", "filename": "amocrm_leads.csv",
                                           "content_base64": content, **extra}, token=token)


def test_the_preview_lists_each_stage_value_suggested_by_name_and_amocrm_closed_stages(
        client: ApiClient, company: Company) -> None:
    sales = company.extra["sales"]
    job = body(upload(client, company.owner.token, AMO))
    preview = job["preview"]
    assert preview["pipeline_id"] == sales["id"]
    assert preview["stages"] == [
        {"value": "Переговоры", "rows": 1, "stage_id": stage(sales, "Переговоры")},
        {"value": "Первичный контакт", "rows": 2, "stage_id": None},  # both spellings, one value
        {"value": "Принимают решение", "rows": 1, "stage_id": None},
        {"value": "Успешно реализовано", "rows": 1, "stage_id": stage(sales, "Успешно")},
        {"value": "Закрыто и не реализовано", "rows": 1, "stage_id": stage(sales, "Не реализовано")}]
    assert (preview["valid"], preview["invalid"]) == (3, 3)
    assert sorted((e["row"], e["field"], e["type"]) for e in preview["errors"]) == [
        (3, "stage", "unknown_stage"), (4, "stage", "unknown_stage"), (7, "stage", "unknown_stage")]
    lost_without_reason = body(upload(client, company.owner.token, AMO.replace("Дорого", "")))["preview"]
    assert [(e["row"], e["type"]) for e in lost_without_reason["errors"] if e["row"] == 6] == [
        (6, "lost_reason_set")]  # kept, with a neutral reason in the company's language, which the preview names
    assert "Импортирована как проигранная" in next(e["message"] for e in lost_without_reason["errors"] if e["row"] == 6)


def test_the_chosen_mapping_is_kept_and_applied_to_every_row(client: ApiClient, company: Company) -> None:
    token, sales = company.owner.token, company.extra["sales"]
    job = body(upload(client, token, AMO, stages={"Первичный контакт": stage(sales, "Новая")}))
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (5, 1)  # "Принимают решение" left unmapped
    started = client.post(f"/api/v1/imports/{job['id']}/start", {
        "version": job["version"], "stages": {"Принимают решение": stage(sales, "Квалификация")}}, token=token)
    assert started.status_code == 202, started.body
    assert body(started)["preview"]["invalid"] == 0  # the earlier choice stays, the new one is added
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["failed"]) == (6, 0), progress["errors"]

    def deal(row: int) -> dict[str, Any]:
        return body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))["deal"]

    assert [deal(row)["stage_id"] for row in (2, 3, 4, 7)] == [
        stage(sales, "Переговоры"), stage(sales, "Новая"), stage(sales, "Квалификация"), stage(sales, "Новая")]
    assert (deal(5)["status"], deal(6)["status"]) == ("won", "lost")


def test_another_pipeline_is_suggested_from_its_own_stages(client: ApiClient, company: Company) -> None:
    other = company.extra["other"]
    job = body(upload(client, company.owner.token, AMO, pipeline_id=other["id"]))
    suggested = {item["value"]: item["stage_id"] for item in job["preview"]["stages"]}
    won = next(s["id"] for s in other["stages"] if s["kind"] == "won")
    assert job["preview"]["pipeline_id"] == other["id"] and suggested["Успешно реализовано"] == won
    assert suggested["Переговоры"] is None  # not a stage of this pipeline


def test_a_stage_mapping_that_cannot_be_applied_is_refused_and_changes_nothing(client: ApiClient,
                                                                                company: Company) -> None:
    token, sales, other = company.owner.token, company.extra["sales"], company.extra["other"]
    not_in_file = upload(client, token, AMO, stages={"Нет такого": stage(sales, "Новая")})
    assert not_in_file.status_code == 422 and body(not_in_file)["error"]["details"][0]["type"] == "unknown_stage_value"
    job = body(upload(client, token, AMO))
    foreign = other["stages"][0]["id"]
    refused = client.post(f"/api/v1/imports/{job['id']}/start",
                          {"version": job["version"], "stages": {"Первичный контакт": foreign}}, token=token)
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "unknown_stage"
    no_pipeline = client.post(f"/api/v1/imports/{job['id']}/start",
                              {"version": job["version"], "pipeline_id": "0" * 26}, token=token)
    assert no_pipeline.status_code == 422, no_pipeline.body
    again = body(client.get(f"/api/v1/imports/{job['id']}", token=token))
    assert again["status"] == "preview" and again["preview"] == job["preview"]
    contacts = base64.b64encode("Имя;Email\nАнна;anna@example.ru\n".encode()).decode()
    not_deals = client.post("/api/v1/imports", {"entity": "contact", "filename": "c.csv", "content_base64": contacts,
                                                "stages": {"Анна": stage(sales, "Новая")}}, token=token)
    assert not_deals.status_code == 422, not_deals.body


def owners_csv(company: Company) -> str:
    return ("Название сделки;Ответственный\n"
            "Замена масла;Петрова Анна\n"
            "Кузовной ремонт;анна петрова\n"
            f"Шиномонтаж;{company.members['boris'].email.upper()}\n"
            "Диагностика;Олег Сидоров\n"
            "Покраска;Никто Никтоев\n")


def owner_of(client: ApiClient, company: Company, import_id: str, row: int) -> str:
    deal = client.get(f"/api/v1/deals/{importing.record_id(import_id, row)}", token=company.owner.token)
    return str(body(deal)["deal"]["owner_id"])


def run(client: ApiClient, company: Company, member: Member, text: str) -> dict[str, Any]:
    job = body(upload(client, member.token, text))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=member.token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    return dict(body(client.get(f"/api/v1/imports/{job['id']}", token=member.token)))


def test_the_responsible_person_becomes_the_deals_owner_by_name_or_e_mail(client: ApiClient,
                                                                         company: Company) -> None:
    job = body(upload(client, company.owner.token, owners_csv(company)))
    assert job["mapping"]["Ответственный"] == "owner_id"
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (5, 0)
    done = run(client, company, company.owner, owners_csv(company))
    assert (done["progress"]["created"], done["progress"]["failed"]) == (5, 0)
    members = company.members
    assert [owner_of(client, company, done["id"], row) for row in (2, 3, 4, 5, 6)] == [
        members["anna"].user_id, members["anna"].user_id, members["boris"].user_id,
        company.owner.user_id, company.owner.user_id]  # a colleague who left, and nobody: the importer's
    assert [(e["row"], e["field"], e["type"]) for e in done["progress"]["errors"]] == [
        (5, "owner_id", "owner_not_found"), (6, "owner_id", "owner_not_found")]


def test_an_agent_may_give_imported_deals_only_to_themselves(client: ApiClient, company: Company) -> None:
    anna = company.members["anna"]
    done = run(client, company, anna, "Название сделки;Ответственный\nСвоя;Анна Петрова\nЧужая;Борис Ким\n")
    assert (done["progress"]["created"], done["progress"]["failed"]) == (2, 0)
    assert [owner_of(client, company, done["id"], row) for row in (2, 3)] == [anna.user_id, anna.user_id]
    assert [(e["row"], e["type"]) for e in done["progress"]["errors"]] == [(3, "owner_out_of_scope")]


def test_contacts_and_companies_go_to_their_responsible_person_too(client: ApiClient, company: Company) -> None:
    token, anna = company.owner.token, company.members["anna"]
    for entity, text in (("contact", "Имя;Телефон;Ответственный\nЕлена;+7 921 555-01-01;Петрова Анна\n"),
                         ("company", "Компания;Ответственный\nТакси Невский;Анна Петрова\n")):
        content = base64.b64encode(text.encode()).decode()
        job = body(client.post("/api/v1/imports", {"entity": entity, "filename": "amo.csv", "content_base64": content},
                               token=token))
        client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
        assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
        record = body(client.get(f"/api/v1/{entity.replace('y', 'ie')}s/{importing.record_id(job['id'], 2)}",
                                 token=token))
        assert record["owner_id"] == anna.user_id, (entity, record)


def test_a_deal_row_finds_its_contact_by_phone_or_e_mail_and_never_makes_one(client: ApiClient,
                                                                            company: Company) -> None:
    token = company.owner.token
    maria = client.post("/api/v1/contacts", {"first_name": "Мария", "phones": [{"number": "+7 921 555-03-03"}],
                                             "emails": [{"address": "m.kuz@yandex.ru"}]}, token=token)
    assert maria.status_code == 201, maria.body
    text = ("Название сделки;Телефон;Email\n"
            "Замена масла;8 (921) 555-03-03;\n"
            "Кузовной ремонт;;M.KUZ@yandex.ru\n"
            "Шиномонтаж;+7 999 000-00-00;nobody@example.ru\n")
    job = body(upload(client, token, text))
    assert (job["mapping"]["Телефон"], job["mapping"]["Email"]) == ("contact_phone", "contact_email")
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (3, 0)
    done = run(client, company, company.owner, text)
    assert (done["progress"]["created"], done["progress"]["failed"]) == (3, 0)

    def contacts_of(row: int) -> list[str]:
        deal = client.get(f"/api/v1/deals/{importing.record_id(done['id'], row)}", token=token)
        return list(body(deal)["deal"]["contact_ids"])

    maria_id = body(maria)["id"]
    assert [contacts_of(row) for row in (2, 3, 4)] == [[maria_id], [maria_id], []]
    assert [(e["row"], e["field"], e["type"]) for e in done["progress"]["errors"]] == [
        (4, "contact", "contact_not_found")]
    found = body(client.get("/api/v1/contacts?q=nobody%40example.ru", token=token))["items"]
    assert found == []  # a deal import never makes a contact


def test_an_agent_links_only_contacts_they_may_see(client: ApiClient, company: Company) -> None:
    boris, anna = company.members["boris"], company.members["anna"]
    his = client.post("/api/v1/contacts", {"first_name": "Клиент Бориса", "phones": [{"number": "+7 921 555-02-02"}]},
                      token=boris.token)
    assert his.status_code == 201, his.body
    done = run(client, company, anna, "Название сделки;Телефон\nЧужой клиент;+7 921 555-02-02\n")
    assert (done["progress"]["created"], done["progress"]["failed"]) == (1, 0)
    assert [e["type"] for e in done["progress"]["errors"]] == ["contact_not_found"]
