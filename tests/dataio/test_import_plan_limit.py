"""An import that crosses the plan's contacts limit mid-file creates the rows up to it and refuses each row past it
with the plan's reason (listed on the import, the file kept to import again after an upgrade); the plan is read once
a chunk of rows, not once a row."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dataio import importing, jobs
from chalicelib.identity import plans
from tests.billing import helpers
from tests.factories import Company, signup
from tests.seeds.dataio import upload
from tests.support import ApiClient, body

CSV = "First name,Phone\n" + "".join(f"Limit{n},+1 202 555 01{n:02d}\n" for n in range(5))


@pytest.fixture
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Nearly Full Ltd", country="US")


def test_the_row_past_the_limit_is_refused_with_its_reason_and_the_plan_read_once_a_chunk(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    token = company.owner.token
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit - 2)  # room for two more contacts
    job = body(upload(client, token, CSV))
    assert job["preview"]["valid"] == 5
    assert client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]},
                       token=token).status_code == 202
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    evaluated: list[str] = []
    real = plans.standing_of

    def counted(tenant: Any) -> Any:
        evaluated.append(tenant.tenant_id)
        return real(tenant)

    monkeypatch.setattr(plans, "standing_of", counted)

    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    assert evaluated == [company.tenant_id] * 3  # 5 rows in chunks of 2: once a chunk, not once a row

    done = body(client.get(f"/api/v1/imports/{job['id']}", token=token))
    progress = done["progress"]
    assert (progress["created"], progress["failed"], progress["duplicates"]) == (2, 3, 0)
    refused = [(error["row"], error["type"]) for error in progress["errors"]]
    assert refused == [(4, "plan_limit_reached"), (5, "plan_limit_reached"), (6, "plan_limit_reached")]
    assert helpers.usage(client, company)["contacts"]["used"] == limit
    names = {row["first_name"] for row in body(client.get("/api/v1/contacts?limit=50", token=token))["items"]}
    assert names == {"Limit0", "Limit1"}
