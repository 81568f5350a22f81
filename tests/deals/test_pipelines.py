"""Pipelines: the default one, creation and validation, changing stages that hold deals, deletion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.helpers import member, staffed_company
from tests.factories import Company, signup
from tests.support import ApiClient, body

STANDARD = ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Pipelines Inc")


def _create(client: ApiClient, company: Company, stages: list[tuple[str, str]], name: str = "Renewals") -> Any:
    return client.post("/api/v1/pipelines", {"name": name, "stages": [{"name": n, "kind": k} for n, k in stages]},
                       token=company.owner.token)


def _deal(client: ApiClient, company: Company, pipeline: dict, stage: int, minor: int = 100) -> dict:
    created = client.post("/api/v1/deals", {"title": f"Deal {minor}", "pipeline_id": pipeline["id"],
                                            "stage_id": pipeline["stages"][stage]["id"],
                                            "amount": {"minor": minor, "currency": "EUR"}},
                          token=company.owner.token)
    assert created.status_code == 201, created.body
    return body(created)


def _board(client: ApiClient, company: Company, pipeline_id: str) -> dict:
    response = client.get(f"/api/v1/pipelines/{pipeline_id}/board", token=company.owner.token)
    assert response.status_code == 200, response.body
    return body(response)


def test_every_company_gets_one_default_sales_pipeline(client: ApiClient) -> None:
    fresh = signup(client, company="Fresh Co")
    first = body(client.get("/api/v1/pipelines", token=fresh.owner.token))["items"]
    again = body(client.get("/api/v1/pipelines", token=fresh.owner.token))["items"]
    assert len(first) == 1 and first == again
    sales = first[0]
    assert sales["name"] == "Sales" and sales["is_default"] is True
    assert [stage["name"] for stage in sales["stages"]] == STANDARD
    assert [stage["kind"] for stage in sales["stages"]] == ["open"] * 4 + ["won", "lost"]
    assert sales["lost_reasons"]


def test_a_first_deal_creates_the_default_pipeline_too(client: ApiClient) -> None:
    fresh = signup(client, company="First Deal Co")
    deal = body(client.post("/api/v1/deals", {"title": "First"}, token=fresh.owner.token))
    sales = body(client.get("/api/v1/pipelines", token=fresh.owner.token))["items"]
    assert len(sales) == 1 and deal["pipeline_id"] == sales[0]["id"]
    assert deal["stage_id"] == sales[0]["stages"][0]["id"] and deal["amount"] == {"minor": 0, "currency": "USD"}


@pytest.mark.parametrize("stages,problem", [
    ([("A", "open"), ("Lost", "lost")], "exactly one won stage"),
    ([("A", "open"), ("W1", "won"), ("W2", "won"), ("L", "lost")], "exactly one won stage"),
    ([("A", "open"), ("Won", "won")], "at least one lost stage"),
    ([("Won", "won"), ("Lost", "lost")], "at least one open stage"),
    ([("A", "open"), ("a", "open"), ("Won", "won"), ("Lost", "lost")], "distinct stage names"),
])
def test_invalid_stages_answer_422(client: ApiClient, company: Company, stages: list, problem: str) -> None:
    response = _create(client, company, stages)
    assert response.status_code == 422, response.body
    assert any(problem in detail["msg"] for detail in body(response)["error"]["details"])


def test_bad_pipeline_bodies_answer_422(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    assert client.post("/api/v1/pipelines", {"name": ""}, token=owner).status_code == 422
    assert client.post("/api/v1/pipelines", {"name": "X", "colour": "red"}, token=owner).status_code == 422
    assert client.post("/api/v1/pipelines", {"name": "X", "stages": [{"name": "A", "kind": "maybe"}] * 3},
                       token=owner).status_code == 422


def test_only_admins_and_owners_manage_pipelines(client: ApiClient, company: Company) -> None:
    for role in ("manager", "agent", "read_only"):
        response = client.post("/api/v1/pipelines", {"name": "Mine"}, token=member(company, role).token)
        assert response.status_code == 403, role
        assert client.get("/api/v1/pipelines", token=member(company, role).token).status_code == 200
    created = client.post("/api/v1/pipelines", {"name": "Admin's"}, token=member(company, "admin").token)
    assert created.status_code == 201
    assert [stage["name"] for stage in body(created)["stages"]] == STANDARD
    assert body(created)["is_default"] is False


def test_rename_reorder_add_and_rename_stages(client: ApiClient, company: Company) -> None:
    pipeline = body(_create(client, company, [("Lead", "open"), ("Demo", "open"), ("Won", "won"),
                                              ("Lost", "lost")]))
    lead, demo, won, lost = pipeline["stages"]
    in_demo = _deal(client, company, pipeline, 1, minor=700)
    in_lead = _deal(client, company, pipeline, 0, minor=300)
    changed = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {
        "version": pipeline["version"], "name": "Renewals 2", "lost_reasons": ["Too expensive"],
        "stages": [{"id": demo["id"], "name": "Demo done"}, {"name": "Trial"}, {"id": lead["id"], "name": "Lead"},
                   {"id": won["id"], "name": "Won", "kind": "won"}, {"id": lost["id"], "name": "Lost", "kind": "lost"}],
    }, token=company.owner.token)
    assert changed.status_code == 200, changed.body
    result = body(changed)
    assert result["name"] == "Renewals 2" and result["lost_reasons"] == ["Too expensive"]
    assert [s["name"] for s in result["stages"]] == ["Demo done", "Trial", "Lead", "Won", "Lost"]
    assert [s["position"] for s in result["stages"]] == [0, 1, 2, 3, 4]
    assert result["stages"][0]["id"] == demo["id"] and result["version"] == pipeline["version"] + 1
    # The board follows the new order, and deals kept their stages and totals.
    columns = _board(client, company, pipeline["id"])["columns"]
    assert [c["stage"]["name"] for c in columns] == ["Demo done", "Trial", "Lead", "Won", "Lost"]
    assert [d["id"] for d in columns[0]["deals"]] == [in_demo["id"]]
    assert [d["id"] for d in columns[2]["deals"]] == [in_lead["id"]]
    assert columns[2]["totals"] == [{"currency": "EUR", "minor": 300}]
    # A list of the pipeline by stage also reads the new order.
    listed = body(client.get(f"/api/v1/deals?pipeline_id={pipeline['id']}", token=company.owner.token))["items"]
    assert [d["id"] for d in listed] == [in_demo["id"], in_lead["id"]]


def test_a_stale_version_answers_409_and_changes_nothing(client: ApiClient, company: Company) -> None:
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Stale"}, token=company.owner.token))
    fresh = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"], "name": "Fresh"},
                         token=company.owner.token)
    assert fresh.status_code == 200
    stale = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"], "name": "Old"},
                         token=company.owner.token)
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "version_conflict"
    assert body(client.get(f"/api/v1/pipelines/{pipeline['id']}", token=company.owner.token))["name"] == "Fresh"


def test_removing_a_stage_that_holds_deals_needs_move_to(client: ApiClient, company: Company) -> None:
    pipeline = body(_create(client, company, [("Lead", "open"), ("Demo", "open"), ("Won", "won"),
                                              ("Lost", "lost")], name="Removals"))
    lead, _demo, won, lost = pipeline["stages"]
    deals = [_deal(client, company, pipeline, 1, minor=m) for m in (100, 250)]
    keep = [{"id": s["id"], "name": s["name"], "kind": s["kind"]} for s in (lead, won, lost)]
    refused = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"], "stages": keep},
                           token=company.owner.token)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "stage_not_empty"
    unchanged = body(client.get(f"/api/v1/pipelines/{pipeline['id']}", token=company.owner.token))
    assert [s["name"] for s in unchanged["stages"]] == ["Lead", "Demo", "Won", "Lost"]
    moved = client.patch(f"/api/v1/pipelines/{pipeline['id']}",
                         {"version": pipeline["version"], "stages": keep, "move_to": lead["id"]},
                         token=company.owner.token)
    assert moved.status_code == 200, moved.body
    columns = _board(client, company, pipeline["id"])["columns"]
    assert [c["stage"]["name"] for c in columns] == ["Lead", "Won", "Lost"]
    assert columns[0]["count"] == 2 and columns[0]["totals"] == [{"currency": "EUR", "minor": 350}]
    assert sorted(d["id"] for d in columns[0]["deals"]) == sorted(d["id"] for d in deals)
    history = body(client.get(f"/api/v1/deals/{deals[0]['id']}", token=company.owner.token))["stage_history"]
    assert history[-1]["from_stage"]["name"] == "Demo" and history[-1]["to_stage"]["name"] == "Lead"


def test_a_stage_holding_deals_cannot_change_kind(client: ApiClient, company: Company) -> None:
    pipeline = body(_create(client, company, [("Lead", "open"), ("Demo", "open"), ("Won", "won"),
                                              ("Lost", "lost")], name="Kinds"))
    _deal(client, company, pipeline, 1)
    stages = [{"id": s["id"], "name": s["name"], "kind": s["kind"]} for s in pipeline["stages"]]
    stages[1]["kind"], stages[2]["kind"] = "won", "open"
    response = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"],
                                                                      "stages": stages}, token=company.owner.token)
    assert response.status_code == 409 and body(response)["error"]["code"] == "stage_not_empty"


def test_unknown_stage_id_in_a_change_answers_422(client: ApiClient, company: Company) -> None:
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Unknown ids"}, token=company.owner.token))
    stages = [{"id": s["id"], "name": s["name"], "kind": s["kind"]} for s in pipeline["stages"]]
    stages[0]["id"] = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    response = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"],
                                                                      "stages": stages}, token=company.owner.token)
    assert response.status_code == 422


def test_delete_only_an_empty_non_default_pipeline(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    default = next(p for p in body(client.get("/api/v1/pipelines", token=owner))["items"] if p["is_default"])
    refused = client.delete(f"/api/v1/pipelines/{default['id']}", token=owner)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "default_pipeline"
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Short lived"}, token=owner))
    deal = _deal(client, company, pipeline, 0)
    busy = client.delete(f"/api/v1/pipelines/{pipeline['id']}", token=owner)
    assert busy.status_code == 409 and body(busy)["error"]["code"] == "pipeline_not_empty"
    assert client.delete(f"/api/v1/deals/{deal['id']}", token=owner).status_code == 204
    assert client.delete(f"/api/v1/pipelines/{pipeline['id']}", token=member(company, "agent").token).status_code == 403
    assert client.delete(f"/api/v1/pipelines/{pipeline['id']}", token=owner).status_code == 204
    assert client.get(f"/api/v1/pipelines/{pipeline['id']}", token=owner).status_code == 404
    # A deal trashed in a deleted pipeline cannot come back into it.
    assert client.post(f"/api/v1/deals/{deal['id']}/restore", token=owner).status_code == 409


def test_sign_up_commits_the_default_pipeline_once(client: ApiClient) -> None:
    from chalicelib.core import db, errors, tenancy
    from chalicelib.deals import pipelines
    from tests.deals.helpers import owner_context

    fresh = signup(client, company="Signed up with Sales")
    ctx = owner_context(fresh)
    with tenancy.bind(ctx), pytest.raises(errors.ConflictError):  # already there: a second one cannot land
        db.commit(ctx, db.Change(creates=list(pipelines.default_pipeline_items(ctx))))
    listed = body(client.get("/api/v1/pipelines", token=fresh.owner.token))["items"]
    assert len(listed) == 1 and listed[0]["name"] == "Sales" and listed[0]["is_default"]
    assert body(client.post("/api/v1/deals", {"title": "First"}, token=fresh.owner.token))["pipeline_id"] \
        == listed[0]["id"]
    assert len(body(client.get("/api/v1/pipelines", token=fresh.owner.token))["items"]) == 1


def test_a_pipeline_read_can_be_sent_back_as_it_is(client: ApiClient, company: Company) -> None:
    # A Berlin agency's script read its pipeline, renamed a stage and sent it back: 422, because each stage carried
    # the position the read gives; the list's order is the order, and a position sent back is taken and ignored
    token = company.owner.token
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    stages = [{**stage, "name": "Proposal sent"} if n == 1 else stage for n, stage in enumerate(pipeline["stages"])]
    stages[0], stages[2] = {**stages[2], "position": 0}, {**stages[0], "position": 2}  # positions sent stale
    changed = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"version": pipeline["version"],
                                                                    "stages": stages}, token=token)
    assert changed.status_code == 200, changed.body
    got = body(changed)["stages"]
    assert [s["id"] for s in got] == [s["id"] for s in stages] and got[1]["name"] == "Proposal sent"
    assert [s["position"] for s in got] == list(range(len(got)))
