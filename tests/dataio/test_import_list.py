"""The company's recent imports (GET /api/v1/imports): a user who started an import and left the Data screen finds
it again, newest first, with its status, counts, who started it and whether it was undone; an agent sees only their
own, a role that may import nothing is refused, and another company sees none of them."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import jobs
from tests.factories import Company, add_member, signup
from tests.faults.test_every_write import failing
from tests.faults.test_write_faults import assert_unavailable
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

CSV = "Name,Phone,Email\nAnna Listed,+1 202 555 0181,\nBoris Listed,+1 202 555 0182,\nBad Row,,not-an-e-mail\n"


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Import History", country="US")
    for role, name in (("agent", "listagent"), ("read_only", "listreader")):
        add_member(client, company, role=role, name=name)
    return company


def _run(client: ApiClient, company: Company, token: str, csv: str, filename: str) -> dict[str, Any]:
    job = body(upload(client, token, csv, filename=filename))
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    return job


def test_a_started_import_is_listed_newest_first_with_its_result(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    first = _run(client, company, owner, CSV, "first.csv")
    upload(client, owner, CSV, filename="only-previewed.csv")  # never started: nothing to come back to
    agent = company.members["listagent"]
    second = _run(client, company, agent.token, "Name,Phone\nCarl Agent,+1 202 555 0183\n", "agent.csv")

    answer = client.get("/api/v1/imports", token=owner)
    assert answer.status_code == 200, answer.body
    items = body(answer)["items"]
    assert [item["id"] for item in items] == [second["id"], first["id"]]
    listed = items[1]
    assert (listed["status"], listed["filename"], listed["entity"]) == ("done", "first.csv", "contact")
    assert (listed["total_rows"], listed["processed"], listed["created"], listed["duplicates"], listed["failed"]) == (
        3, 3, 2, 0, 1)
    assert listed["started_by"] == {"id": company.owner.user_id, "kind": "user", "name": "Olga Owner"}
    assert listed["undo_status"] == "none" and listed["finished_at"] is not None
    assert items[0]["started_by"]["name"] == "Listagent"

    assert client.post(f"/api/v1/imports/{first['id']}/undo", token=owner).status_code == 202
    again = body(client.get("/api/v1/imports", token=owner))["items"]
    assert again[1]["undo_status"] == "queued"

    page = body(client.get("/api/v1/imports?limit=1", token=owner))
    assert [item["id"] for item in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = body(client.get(f"/api/v1/imports?limit=1&cursor={page['next_cursor']}", token=owner))
    assert [item["id"] for item in rest["items"]] == [first["id"]]


def test_an_agent_sees_their_own_imports_and_a_reader_none(client: ApiClient, company: Company) -> None:
    agent = company.members["listagent"]
    mine = body(client.get("/api/v1/imports", token=agent.token))["items"]
    assert mine and all(item["started_by"]["id"] == agent.user_id for item in mine)
    refused = client.get("/api/v1/imports", token=company.members["listreader"].token)
    assert refused.status_code == 403, refused.body


def test_another_company_sees_none_of_them(client: ApiClient, company: Company) -> None:
    other = signup(client, company="Other History")
    assert body(client.get("/api/v1/imports", token=other.owner.token))["items"] == []
    cursor = body(client.get("/api/v1/imports?limit=1", token=company.owner.token))["next_cursor"]
    stolen = client.get(f"/api/v1/imports?cursor={cursor}", token=other.owner.token)
    assert stolen.status_code == 400 and body(stolen)["error"]["code"] == "invalid_cursor"


def test_the_list_is_one_query_and_a_throttled_table_answers_503(client: ApiClient, company: Company,
                                                                 tenancy_watcher: Any) -> None:
    tenancy_watcher.reset()
    assert client.get("/api/v1/imports", token=company.owner.token).status_code == 200
    operations = [operation for operation, _ in tenancy_watcher.requests]
    assert operations.count("Query") == 1 and set(operations) <= {"Query", "BatchGetItem"}, operations
    with failing("dynamodb", frozenset({"Query"}), "ProvisionedThroughputExceededException"):
        assert_unavailable(client.get("/api/v1/imports", token=company.owner.token))
