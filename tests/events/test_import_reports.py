"""An import is the company's history arriving, not this month's sales: the contacts and deals it makes (won and lost
ones too) count in no report's period, while a contact made by hand does, and an imported deal won later counts as
won then."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.dataio import importing, jobs
from tests.events.conftest import Feed, frozen
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

DAY = datetime(2031, 6, 10, 12, 0, tzinfo=UTC)
JUNE = "from=2031-06-01&to=2031-06-30"
PEOPLE = ('"Person - Name","Person - Email"\n"Emily Hart","emily@blackfriars.example"\n'
          '"Raj Patel","raj@blackfriars.example"\n')
DEALS = ('"Deal - Title","Deal - Value","Deal - Currency of Value","Deal - Contact person","Deal - Stage",'
         '"Deal - Status","Deal - Lost reason"\n'
         '"Copier paper","480","GBP","Emily Hart","Qualified","open",""\n'
         '"Toner","1200","GBP","Raj Patel","Negotiation","won",""\n'
         '"Desks","5000","GBP","Emily Hart","Proposal","lost","Price"\n')


def _imported(client: ApiClient, company: Company, entity: str, text: str) -> dict[str, Any]:
    token = company.owner.token
    job = body(client.post("/api/v1/imports", {"entity": entity, "filename": f"{entity}.csv",
                                                "content_base64": base64.b64encode(text.encode()).decode()},
                           token=token))
    client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=60) == "done"
    done = body(client.get(f"/api/v1/imports/{job['id']}", token=token))
    assert done["progress"]["created"] == text.count("\n") - 1, done["progress"]
    return dict(done)


def _report(client: ApiClient, token: str, name: str) -> dict[str, Any]:
    return dict(body(client.get(f"/api/v1/reports/{name}?{JUNE}", token=token)))


def test_imported_contacts_and_deals_count_in_no_period_and_a_later_win_does(
        client: ApiClient, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_bucket()
    company = signup(client, company="Thames Office Supplies Ltd", country="GB", timezone="Europe/London")
    token = company.owner.token
    with frozen(monkeypatch, DAY):
        _imported(client, company, "contact", PEOPLE)
        deals = _imported(client, company, "deal", DEALS)
        body(client.post("/api/v1/contacts", {"first_name": "Walk-in"}, token=token))
    assert feed.deliver() == {"batchItemFailures": []}

    assert {row["source"]: row["leads"] for row in _report(client, token, "sources")["items"]} == {"manual": 1}
    managers = _report(client, token, "managers")["items"]
    assert [(row["deals"], row["won"], row["lost"]) for row in managers] in ([], [(0, 0, 0)])
    funnel = _report(client, token, "funnel")
    assert [(row["entered"], row["won"], row["lost"]) for row in funnel["stages"]] == [(0, 0, 0)] * 6
    assert funnel["lost_reasons"] == []

    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["kind"] == "won")
    paper = body(client.get(f"/api/v1/deals/{importing.record_id(deals['id'], 2)}", token=token))["deal"]
    with frozen(monkeypatch, DAY + timedelta(days=1)):
        moved = client.post(f"/api/v1/deals/{paper['id']}/move", {"stage_id": won, "version": paper["version"]},
                            token=token)
        assert moved.status_code == 200, moved.body
    assert feed.deliver() == {"batchItemFailures": []}
    sources = {row["source"]: row for row in _report(client, token, "sources")["items"]}
    assert (sources["import"]["leads"], sources["import"]["deals"], sources["import"]["won"]) == (0, 0, 1)
    assert sources["import"]["revenue"] == 48_000  # the imported deal won this month, its source the import
    funnel = _report(client, token, "funnel")
    assert sum(row["won"] for row in funnel["stages"]) == 1 and sum(row["lost"] for row in funnel["stages"]) == 0
