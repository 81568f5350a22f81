"""Imports through the real contacts domain: contacts created once each, even across a crash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.contacts import service as contacts_service
from chalicelib.core import db
from chalicelib.dataio import importing, jobs
from tests.dataio.fakes import Crash
from tests.factories import Company, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

CSV = "\n".join([
    "ФИО;Телефон;Email;Теги",
    "Петров Иван;8 (999) 301-00-01;ivan@example.ru;импорт",
    "Сидорова Анна;+7 999 301 00 02;;импорт",
    "Петров Дубль;+7 (999) 301-00-01;;",
    "Без Телефона;;;",
    "",
])


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Real Import", country="RU")


def run(client: ApiClient, company: Company, text: str) -> dict[str, Any]:
    token = company.owner.token
    job = body(upload(client, token, text))
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    return job


def test_rows_become_contacts_once(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    job = run(client, company, CSV)
    assert job["preview"]["valid"] == 3 and job["preview"]["duplicates"] == 1
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=token))["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (3, 1, 0)
    ivan = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 2)}", token=token))
    assert ivan["phones"][0]["number"] == "+79993010001" and ivan["tags"] == ["импорт"]
    assert ivan["source"] == "import"
    assert [entry["kind"] for entry in ivan["timeline"]] == ["created"]
    assert len(body(client.get("/api/v1/contacts?limit=50", token=token))["items"]) == 3


def test_a_crash_after_a_commit_does_not_create_the_contact_twice(client: ApiClient, company: Company,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(["Имя;Фамилия;Телефон", "Ольга;Первая;+7 999 302 00 01", "Ольга;Вторая;",
                      "Ольга;Третья;+7 999 302 00 03", ""])
    job = run(client, company, text)
    original = contacts_service.create
    calls: list[str] = []

    def dies_after_the_second_commit(ctx: Any, **kwargs: Any) -> Any:
        created = original(ctx, **kwargs)
        calls.append(kwargs["contact_id"])
        if len(calls) == 2:
            raise Crash()  # the Lambda dies right after the row's transaction, before any checkpoint
        return created

    monkeypatch.setattr(contacts_service, "create", dies_after_the_second_commit)
    with pytest.raises(Crash):
        jobs.run_job("import", company.tenant_id, job["id"], seconds=60)
    later = lambda: db.utcnow() + timedelta(minutes=5)  # noqa: E731
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60, now=later) == "done"
    progress = body(client.get(f"/api/v1/imports/{job['id']}", token=company.owner.token))["progress"]
    assert (progress["created"], progress["duplicates"], progress["failed"]) == (3, 0, 0)
    names = [c["last_name"] for c in body(client.get("/api/v1/contacts?q=Ольга", token=company.owner.token))["items"]]
    assert sorted(names) == ["Вторая", "Первая", "Третья"]
