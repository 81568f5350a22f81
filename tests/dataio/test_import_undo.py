"""Undoing a whole import (#20 item 17): one action puts every record the import created in the trash, each as an
audited revert of its creation; contacts made by hand meanwhile stay; an import is undone once, only when finished,
only by someone who may delete what it made, and only within its own company."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing, jobs
from tests.factories import Company, add_member, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

CSV = "\n".join(["Имя;Фамилия;Телефон", *[f"Гость{n};Свадьба;+7 999 401 {n // 100:02d} {n % 100:02d}"
                                          for n in range(1, 121)], ""])
SMALL_CSV = "\n".join(CSV.split("\n")[:4]) + "\n"  # three rows: enough for who may undo, which the rows don't change


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    company = signup(ApiClient(app), company="Undo Import", country="RU")
    add_member(ApiClient(app), company, role="agent", name="undoagent")
    return company


def _imported(client: ApiClient, company: Company, csv: str = CSV) -> dict[str, Any]:
    token = company.owner.token
    job = body(upload(client, token, csv))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    return job


def _count(client: ApiClient, company: Company) -> int:
    return len(body(client.get("/api/v1/contacts?limit=200", token=company.owner.token))["items"])


def test_one_action_undoes_every_record_the_import_made(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    by_hand = body(client.post("/api/v1/contacts", {"first_name": "Вручную"}, token=token))
    before = _count(client, company)
    job = _imported(client, company)
    assert _count(client, company) == before + 120
    waiting = client.get(f"/api/v1/imports/{job['id']}/undo", token=token)
    assert body(waiting)["status"] == "none" and body(waiting)["to_undo"] == 120

    undone = client.post(f"/api/v1/imports/{job['id']}/undo", token=token)
    assert undone.status_code == 202, undone.body
    assert body(undone)["status"] == "queued"
    assert client.post(f"/api/v1/imports/{job['id']}/undo", token=token).status_code == 409  # once
    assert jobs.run_job("import_undo", company.tenant_id, job["id"], seconds=120) == "done"
    state = body(client.get(f"/api/v1/imports/{job['id']}/undo", token=token))
    assert (state["status"], state["undone"], state["failed"]) == ("done", 120, 0), state
    assert _count(client, company) == before  # the hand-made contact stays
    assert client.get(f"/api/v1/contacts/{by_hand['id']}", token=token).status_code == 200
    gone = importing.record_id(job["id"], 2)
    assert client.get(f"/api/v1/contacts/{gone}", token=token).status_code == 404
    trail = body(client.get(f"/api/v1/audit?entity=contact&entity_id={gone}", token=token))["items"]
    assert trail[0]["reverted_audit_id"] == trail[-1]["id"]  # the creation, reverted: itself audited
    assert trail[0]["source"] == "import_undo"
    restored = client.post(f"/api/v1/contacts/{gone}/restore", token=token)  # in the trash, not lost
    assert restored.status_code == 200, restored.body


def test_an_unfinished_import_cannot_be_undone(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    preview = body(upload(client, token, CSV))
    answer = client.post(f"/api/v1/imports/{preview['id']}/undo", token=token)
    assert answer.status_code == 409 and body(answer)["error"]["code"] == "import_not_finished"


def test_only_who_may_delete_contacts_and_only_in_the_same_company(client: ApiClient, company: Company) -> None:
    job = _imported(client, company, SMALL_CSV)
    agent = company.members["undoagent"]
    assert client.post(f"/api/v1/imports/{job['id']}/undo", token=agent.token).status_code in (403, 404)
    other = signup(client, company="Other Undo")
    assert client.post(f"/api/v1/imports/{job['id']}/undo", token=other.owner.token).status_code == 404
    assert client.get(f"/api/v1/imports/{job['id']}/undo", token=other.owner.token).status_code == 404
    assert client.post("/api/v1/imports/not-an-id/undo", token=company.owner.token).status_code == 404
