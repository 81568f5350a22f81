"""The kanban board: one Query, and per-stage counts and totals that stay exact through every change."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.deals.helpers import data_requests, member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Board Inc")


def _pipeline(client: ApiClient, company: Company, name: str) -> dict:
    created = client.post("/api/v1/pipelines", {"name": name}, token=company.owner.token)
    assert created.status_code == 201
    return body(created)


def _recount(client: ApiClient, company: Company, pipeline: dict) -> dict[str, tuple[int, list[dict]]]:
    """Counts and totals recomputed from every live deal of the pipeline, page by page."""
    deals: list[dict] = []
    cursor = None
    while True:
        query = f"/api/v1/deals?pipeline_id={pipeline['id']}&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = body(client.get(query, token=company.owner.token))
        deals += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    for deal in deals:
        counts[deal["stage_id"]] += 1
        sums[deal["stage_id"]][deal["amount"]["currency"]] += deal["amount"]["minor"]
    return {stage["id"]: (counts[stage["id"]], [{"currency": c, "minor": m} for c, m in sorted(
        sums[stage["id"]].items()) if m]) for stage in pipeline["stages"]}


def _shown(board: dict) -> dict[str, tuple[int, list[dict]]]:
    return {column["stage"]["id"]: (column["count"], column["totals"]) for column in board["columns"]}


def test_totals_stay_exact_through_creates_moves_changes_and_deletes(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    pipeline = _pipeline(client, company, "Exact totals")
    new, qualified, proposal, _, won, lost = (s["id"] for s in pipeline["stages"])
    deals = []
    for minor, currency, stage_id in ((100_00, "EUR", new), (250_50, "EUR", new), (70_00, "USD", new),
                                      (1_000_00, "RUB", qualified), (5, "JPY", proposal)):
        created = client.post("/api/v1/deals", {"title": f"{currency} {minor}", "pipeline_id": pipeline["id"],
                                                "stage_id": stage_id, "amount": {"minor": minor, "currency": currency}},
                              token=owner)
        deals.append(body(created))
    steps = [
        ("move", deals[0], {"stage_id": qualified}),
        ("move", deals[2], {"stage_id": won}),
        ("move", deals[3], {"stage_id": lost, "lost_reason": "Price"}),
        ("patch", deals[1], {"amount": {"minor": 300_00, "currency": "USD"}}),
        ("patch", deals[4], {"title": "Renamed, same amount"}),
        ("delete", deals[1], {}),
        ("restore", deals[1], {}),
        ("delete", deals[4], {}),
    ]
    for action, deal, fields in steps:
        current = body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"] if action != "restore" else deal
        url = f"/api/v1/deals/{deal['id']}"
        response = {
            "move": lambda u=url, c=current, f=fields: client.post(f"{u}/move", {"version": c["version"], **f},
                                                                   token=owner),
            "patch": lambda u=url, c=current, f=fields: client.patch(u, {"version": c["version"], **f}, token=owner),
            "delete": lambda u=url: client.delete(u, token=owner),
            "restore": lambda u=url: client.post(f"{u}/restore", token=owner),
        }[action]()
        assert response.status_code in (200, 204), (action, response.body)
        board = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=owner))
        assert board["totals_cover"] == "all"
        assert _shown(board) == _recount(client, company, pipeline), action
    final = _shown(body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=owner)))
    assert final[new] == (1, [{"currency": "USD", "minor": 300_00}])
    assert final[qualified] == (1, [{"currency": "EUR", "minor": 100_00}])
    assert final[proposal] == (0, [])
    assert final[won] == (1, [{"currency": "USD", "minor": 70_00}])
    assert final[lost] == (1, [{"currency": "RUB", "minor": 1_000_00}])


def test_the_board_is_one_query(client: ApiClient, company: Company, tenancy_watcher: Any) -> None:
    owner = company.owner.token
    pipeline = _pipeline(client, company, "One query")
    for index in range(3):
        client.post("/api/v1/deals", {"title": f"Deal {index}", "pipeline_id": pipeline["id"],
                                      "stage_id": pipeline["stages"][index]["id"]}, token=owner)
    tenancy_watcher.reset()
    board = client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=owner)
    assert board.status_code == 200
    assert data_requests(tenancy_watcher) == ["Query"]
    columns = body(board)["columns"]
    assert [len(c["deals"]) for c in columns] == [1, 1, 1, 0, 0, 0]
    assert body(board)["pipeline"]["id"] == pipeline["id"]


def test_a_long_board_pages_in_stage_order(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    pipeline = _pipeline(client, company, "Paged")
    for index in range(5):
        client.post("/api/v1/deals", {"title": f"Deal {index}", "pipeline_id": pipeline["id"],
                                      "stage_id": pipeline["stages"][index % 2]["id"]}, token=owner)
    first = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board?limit=4", token=owner))
    assert first["next_cursor"]
    second = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board?limit=4&cursor={first['next_cursor']}",
                             token=owner))
    ids = [d["id"] for page in (first, second) for column in page["columns"] for d in column["deals"]]
    assert len(ids) == len(set(ids)) == 5
    for page in (first, second):  # exact on every page, whichever deals it holds
        assert [c["count"] for c in page["columns"]][:2] == [3, 2]
    refused = client.get(f"/api/v1/pipelines/{pipeline['id']}/board?cursor={first['next_cursor']}",
                         token=member(company, "admin").token)
    assert refused.status_code == 200  # same tenant, same list: a colleague may continue it
    other = _pipeline(client, company, "Other board")
    wrong_list = client.get(f"/api/v1/pipelines/{other['id']}/board?cursor={first['next_cursor']}", token=owner)
    assert wrong_list.status_code == 400 and body(wrong_list)["error"]["code"] == "invalid_cursor"


def test_managers_see_totals_of_their_team_only(client: ApiClient, company: Company) -> None:
    pipeline = _pipeline(client, company, "Team totals")
    for who, minor in (("agent", 100), ("agent2", 200), ("outsider", 400)):
        client.post("/api/v1/deals", {"title": who, "pipeline_id": pipeline["id"],
                                      "amount": {"minor": minor, "currency": "EUR"}},
                    token=member(company, who).token)
    board = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=member(company, "manager").token))
    assert board["totals_cover"] == "visible"
    assert board["columns"][0]["count"] == 2 and board["columns"][0]["totals"] == [{"currency": "EUR", "minor": 300}]
    everything = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=company.owner.token))
    assert everything["columns"][0]["totals"] == [{"currency": "EUR", "minor": 700}]


def test_a_tag_narrows_the_board_to_its_deals_and_their_totals(client: ApiClient, company: Company) -> None:
    pipeline = _pipeline(client, company, "Tagged board")
    made = {}
    for who, title, tags, minor, stage in (("agent", "Peony arch", ["wedding"], 100, 0),
                                           ("agent", "Lily wreath", [], 200, 0),
                                           ("agent2", "Rose bows", ["wedding"], 400, 1),
                                           ("outsider", "Tulip vases", ["wedding"], 800, 1)):
        answer = client.post("/api/v1/deals", {"title": title, "pipeline_id": pipeline["id"], "tags": tags,
                                               "stage_id": pipeline["stages"][stage]["id"],
                                               "amount": {"minor": minor, "currency": "EUR"}},
                             token=member(company, who).token)
        assert answer.status_code == 201, answer.body
        made[title] = body(answer)["id"]
    path = f"/api/v1/pipelines/{pipeline['id']}/board?tag=wedding"
    board = body(client.get(path, token=company.owner.token))
    assert board["totals_cover"] == "visible"  # the tag's deals, not the stages' summaries
    assert [(c["count"], c["totals"]) for c in board["columns"][:2]] == [
        (1, [{"currency": "EUR", "minor": 100}]), (2, [{"currency": "EUR", "minor": 1200}])]
    assert {d["title"] for c in board["columns"] for d in c["deals"]} == {"Peony arch", "Rose bows", "Tulip vases"}
    managed = body(client.get(path, token=member(company, "manager").token))  # the team's tagged deals alone
    assert {d["title"] for c in managed["columns"] for d in c["deals"]} == {"Peony arch", "Rose bows"}
    own = body(client.get(path, token=member(company, "agent").token))  # an agent: their own tagged deals
    assert [d["title"] for c in own["columns"] for d in c["deals"]] == ["Peony arch"]
    assert client.get(f"/api/v1/pipelines/{pipeline['id']}/board?tag=a%23b", token=company.owner.token
                      ).status_code == 422


def test_another_pipeline_or_a_missing_one_answers_404(client: ApiClient, company: Company) -> None:
    response = client.get("/api/v1/pipelines/01ARZ3NDEKTSV4RRFFQ69G5FAV/board", token=company.owner.token)
    assert response.status_code == 404


def test_a_raced_stage_summary_is_retried_never_miscounted(client: ApiClient, company: Company,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import db
    from chalicelib.deals.models import StageSummary

    owner = company.owner.token
    pipeline = _pipeline(client, company, "Raced")
    client.post("/api/v1/deals", {"title": "Already there", "pipeline_id": pipeline["id"],
                                  "amount": {"minor": 10, "currency": "EUR"}}, token=owner)
    real_commit, raced = db.commit, []

    def commit_after_a_rival(ctx: Any, change: db.Change, **kwargs: Any) -> None:
        summaries = [item for item in change.saves if isinstance(item, StageSummary)]
        if summaries and not raced:  # another request bumps the summary between our read and our write
            rival = db.get(ctx, StageSummary, summaries[0].pk, summaries[0].sk)
            assert rival is not None
            rival.deal_count = int(rival.deal_count) + 1
            rival.totals = {"EUR": int(rival.totals["EUR"]) + 5}
            real_commit(ctx, db.Change().save(rival))
            raced.append(rival)
        real_commit(ctx, change, **kwargs)

    monkeypatch.setattr(db, "commit", commit_after_a_rival)
    created = client.post("/api/v1/deals", {"title": "Raced", "pipeline_id": pipeline["id"],
                                            "amount": {"minor": 100, "currency": "EUR"}}, token=owner)
    monkeypatch.undo()
    assert created.status_code == 201 and raced
    column = body(client.get(f"/api/v1/pipelines/{pipeline['id']}/board", token=owner))["columns"][0]
    assert column["count"] == 3 and column["totals"] == [{"currency": "EUR", "minor": 115}]  # ours + the rival's
    assert len(column["deals"]) == 2  # the rival was simulated on the summary alone
