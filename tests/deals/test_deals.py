"""Deals: create and validate, change with versions, move with history, won and lost, trash, the card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.deals.helpers import data_requests, frozen, member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Deals Inc")


@pytest.fixture(scope="module")
def sales(app: Any, company: Company) -> dict:
    items = body(ApiClient(app).get("/api/v1/pipelines", token=company.owner.token))["items"]
    return next(p for p in items if p["is_default"])


def stage(pipeline: dict, name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


def create(client: ApiClient, token: str, **fields: Any) -> Any:
    return client.post("/api/v1/deals", {"title": "Website redesign", **fields}, token=token)


def test_create_with_defaults_then_read_the_card(client: ApiClient, company: Company, sales: dict) -> None:
    agent = member(company, "agent")
    created = create(client, agent.token, amount={"minor": 150_000, "currency": "rub"},
                     expected_close_on="2030-05-31")
    assert created.status_code == 201, created.body
    deal = body(created)
    assert deal["pipeline_id"] == sales["id"] and deal["stage_id"] == stage(sales, "New")
    assert deal["owner_id"] == agent.user_id and deal["team_id"] == company.extra["team"]["id"]
    assert deal["amount"] == {"minor": 150_000, "currency": "RUB"} and deal["status"] == "open"
    assert deal["expected_close_on"] == "2030-05-31" and deal["version"] == 1
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=agent.token))
    assert card["deal"] == deal
    assert [(h["from_stage"], h["to_stage"]["name"]) for h in card["stage_history"]] == [(None, "New")]
    assert card["timeline"][0]["kind"] == "stage_change"


@pytest.mark.parametrize("fields", [
    {"amount": {"minor": 100, "currency": "XYZ"}},
    {"amount": {"minor": 100, "currency": "EURO"}},
    {"amount": {"minor": -1, "currency": "EUR"}},
    {"amount": {"minor": 1.5, "currency": "EUR"}},
    {"amount": {"minor": 100}},
    {"expected_close_on": "next friday"},
    {"title": ""},
    {"title": "x" * 201},
    {"probability": 50},
    {"stage_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    {"pipeline_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    {"owner_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    {"contact_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"] * 21},
])
def test_bad_input_answers_4xx_and_creates_nothing(client: ApiClient, company: Company, fields: dict) -> None:
    before = body(client.get("/api/v1/deals", token=company.owner.token))["items"]
    response = create(client, company.owner.token, **fields)
    assert response.status_code == 422, (fields, response.body)
    assert body(response)["error"]["code"] == "validation_error"
    assert body(client.get("/api/v1/deals", token=company.owner.token))["items"] == before


def test_a_deal_in_a_lost_stage_needs_a_reason(client: ApiClient, company: Company, sales: dict) -> None:
    refused = create(client, company.owner.token, stage_id=stage(sales, "Lost"))
    assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "lost_reason_required"
    lost = body(create(client, company.owner.token, stage_id=stage(sales, "Lost"), lost_reason="No budget"))
    assert lost["status"] == "lost" and lost["lost_reason"] == "No budget" and lost["closed_at"]


def test_move_records_who_when_and_how_long(client: ApiClient, company: Company, sales: dict,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    agent = member(company, "agent")
    start = datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
    with frozen(monkeypatch, start):
        deal = body(create(client, agent.token))
    with frozen(monkeypatch, start + timedelta(hours=1, minutes=30)):
        moved = client.post(f"/api/v1/deals/{deal['id']}/move",
                            {"stage_id": stage(sales, "Proposal"), "version": deal["version"]}, token=agent.token)
    assert moved.status_code == 200, moved.body
    with frozen(monkeypatch, start + timedelta(days=2)):
        won = client.post(f"/api/v1/deals/{deal['id']}/move",
                          {"stage_id": stage(sales, "Won"), "version": body(moved)["version"]},
                          token=company.owner.token)
    assert won.status_code == 200
    assert body(won)["status"] == "won" and body(won)["closed_at"] == "2031-03-04T09:00:00Z"
    card = body(client.get(f"/api/v1/deals/{deal['id']}", token=agent.token))
    history = [(h["from_stage"] and h["from_stage"]["name"], h["to_stage"]["name"], h["actor_id"], h["at"],
                h["seconds_in_previous"]) for h in card["stage_history"]]
    assert history == [
        (None, "New", agent.user_id, "2031-03-02T09:00:00Z", None),
        ("New", "Proposal", agent.user_id, "2031-03-02T10:30:00Z", 5400),
        ("Proposal", "Won", company.owner.user_id, "2031-03-04T09:00:00Z", 2 * 86400 - 5400),
    ]
    timeline = [(e["kind"], e["data"]["to_stage"]) for e in card["timeline"]]
    assert timeline == [("stage_change", "Won"), ("stage_change", "Proposal"), ("stage_change", "New")]


def test_lost_needs_a_reason_and_reopening_clears_it(client: ApiClient, company: Company, sales: dict) -> None:
    owner = company.owner.token
    deal = body(create(client, owner))
    url = f"/api/v1/deals/{deal['id']}/move"
    refused = client.post(url, {"stage_id": stage(sales, "Lost"), "version": deal["version"]}, token=owner)
    assert refused.status_code == 422
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"]["status"] == "open"
    lost = body(client.post(url, {"stage_id": stage(sales, "Lost"), "version": deal["version"],
                                  "lost_reason": "Went with a cheaper agency"}, token=owner))
    assert lost["status"] == "lost" and lost["lost_reason"] == "Went with a cheaper agency" and lost["closed_at"]
    reopened = body(client.post(url, {"stage_id": stage(sales, "Qualified"), "version": lost["version"]},
                                token=owner))
    assert reopened["status"] == "open" and reopened["lost_reason"] is None and reopened["closed_at"] is None


def test_moving_to_the_same_stage_records_nothing(client: ApiClient, company: Company, sales: dict) -> None:
    deal = body(create(client, company.owner.token))
    same = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": deal["stage_id"],
                                                            "version": deal["version"]}, token=company.owner.token)
    assert same.status_code == 200 and body(same)["version"] == deal["version"]
    assert len(body(client.get(f"/api/v1/deals/{deal['id']}", token=company.owner.token))["stage_history"]) == 1


def test_move_to_a_stage_of_another_pipeline(client: ApiClient, company: Company, sales: dict) -> None:
    owner = company.owner.token
    other = body(client.post("/api/v1/pipelines", {"name": "Partners"}, token=owner))
    deal = body(create(client, owner))
    wrong = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": other["stages"][1]["id"],
                                                             "version": deal["version"]}, token=owner)
    assert wrong.status_code == 422  # a stage of another pipeline needs that pipeline named
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": other["stages"][1]["id"],
                                                             "pipeline_id": other["id"], "version": deal["version"]},
                        token=owner)
    assert moved.status_code == 200 and body(moved)["pipeline_id"] == other["id"]
    board = body(client.get(f"/api/v1/pipelines/{other['id']}/board", token=owner))
    assert [d["id"] for d in board["columns"][1]["deals"]] == [deal["id"]]


def test_update_fields_and_stale_versions(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    deal = body(create(client, owner, expected_close_on="2030-01-31"))
    url = f"/api/v1/deals/{deal['id']}"
    changed = client.patch(url, {"version": deal["version"], "title": "Redesign + hosting",
                                 "amount": {"minor": 99_900, "currency": "EUR"}, "expected_close_on": None,
                                 "owner_id": member(company, "agent2").user_id}, token=owner)
    assert changed.status_code == 200, changed.body
    updated = body(changed)
    assert updated["title"] == "Redesign + hosting" and updated["amount"] == {"minor": 99_900, "currency": "EUR"}
    assert updated["expected_close_on"] is None and updated["owner_id"] == member(company, "agent2").user_id
    assert updated["version"] == deal["version"] + 1
    stale = client.patch(url, {"version": deal["version"], "title": "Lost update"}, token=owner)
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "version_conflict"
    stale_move = client.post(f"{url}/move", {"version": deal["version"], "stage_id": updated["stage_id"]},
                             token=owner)
    assert stale_move.status_code == 409
    assert body(client.get(url, token=owner))["deal"]["title"] == "Redesign + hosting"


def test_owner_must_be_an_active_user(client: ApiClient, company: Company) -> None:
    deal = body(create(client, company.owner.token))
    response = client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"],
                                                            "owner_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
                            token=company.owner.token)
    assert response.status_code == 422 and body(response)["error"]["details"][0]["type"] == "unknown_user"


def test_trash_and_restore(client: ApiClient, company: Company, sales: dict) -> None:
    owner = company.owner.token
    deal = body(create(client, owner, title="Trash me", stage_id=stage(sales, "Negotiation")))
    url = f"/api/v1/deals/{deal['id']}"
    assert client.delete(url, token=member(company, "agent").token).status_code == 403  # agents delete no deal
    assert client.delete(url, token=owner).status_code == 204
    assert client.get(url, token=owner).status_code == 404
    assert client.patch(url, {"version": 2, "title": "x"}, token=owner).status_code == 404
    listed = body(client.get(f"/api/v1/deals?pipeline_id={sales['id']}&limit=200", token=owner))["items"]
    assert deal["id"] not in [d["id"] for d in listed]
    restored = client.post(f"{url}/restore", token=owner)
    assert restored.status_code == 200 and body(restored)["deleted_at"] is None
    assert body(client.get(url, token=owner))["deal"]["stage_id"] == stage(sales, "Negotiation")
    assert client.post(f"{url}/restore", token=owner).status_code == 404  # not in the trash any more


def test_trash_is_kept_thirty_days(client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = company.owner.token
    deal = body(create(client, owner, title="Old trash"))
    start = datetime.now(UTC)
    with frozen(monkeypatch, start):
        assert client.delete(f"/api/v1/deals/{deal['id']}", token=owner).status_code == 204
    with frozen(monkeypatch, start + timedelta(days=31)):
        assert client.post(f"/api/v1/deals/{deal['id']}/restore", token=owner).status_code == 404


def test_the_card_is_one_query_and_its_pipeline(client: ApiClient, company: Company, sales: dict,
                                               tenancy_watcher: Any) -> None:
    owner = company.owner.token
    deal = body(create(client, owner))
    moved = body(client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": stage(sales, "Qualified"),
                                                                  "version": deal["version"]}, token=owner))
    client.post("/api/v1/notes", {"subject": {"type": "deal", "id": deal["id"]}, "text": "Call back"}, token=owner)
    tenancy_watcher.reset()
    card = client.get(f"/api/v1/deals/{deal['id']}", token=owner)
    assert card.status_code == 200
    # The deal's collection in one Query; its pipeline (the card's stage bar, Won, Lost) in the BatchGetItem that
    # names its people (the principal's BatchGetItem, when not cached, comes before the Query).
    operations = [operation for operation, _ in tenancy_watcher.requests]
    assert data_requests(tenancy_watcher) == ["Query"] and operations[operations.index("Query"):] == [
        "Query", "BatchGetItem"]
    result = body(card)
    assert result["deal"]["version"] == moved["version"] and len(result["stage_history"]) == 2
    assert result["pipeline"]["id"] == sales["id"] and result["pipeline"]["stages"] == sales["stages"]
    assert result["pipeline"]["lost_reasons"] == sales["lost_reasons"]
    assert [e["kind"] for e in result["timeline"]] == ["note", "stage_change", "stage_change"]


def test_the_timeline_pages_newest_first(client: ApiClient, company: Company, sales: dict) -> None:
    owner = company.owner.token
    deal = body(create(client, owner))
    for text in ("first", "second", "third"):
        client.post("/api/v1/notes", {"subject": {"type": "deal", "id": deal["id"]}, "text": text}, token=owner)
    first = body(client.get(f"/api/v1/deals/{deal['id']}/timeline?limit=2", token=owner))
    second = body(client.get(f"/api/v1/deals/{deal['id']}/timeline?limit=2&cursor={first['next_cursor']}",
                             token=owner))
    texts = [e["data"].get("text") for e in first["items"] + second["items"]]
    assert texts[:3] == ["third", "second", "first"] and second["items"][-1]["kind"] == "stage_change"


# -- roles ----------------------------------------------------------------------------------


def test_agents_see_only_their_own_deals(client: ApiClient, company: Company, sales: dict) -> None:
    agent, agent2 = member(company, "agent"), member(company, "agent2")
    theirs = body(create(client, agent2.token, title="Agent two's deal"))
    url = f"/api/v1/deals/{theirs['id']}"
    assert client.get(url, token=agent.token).status_code == 404
    assert client.patch(url, {"version": 1, "title": "Mine now"}, token=agent.token).status_code == 404
    assert client.post(f"{url}/move", {"version": 1, "stage_id": stage(sales, "Won")},
                       token=agent.token).status_code == 404
    assert client.get(f"{url}/timeline", token=agent.token).status_code == 404
    for query in ("", f"?pipeline_id={sales['id']}", f"?owner_id={agent2.user_id}"):
        listed = body(client.get(f"/api/v1/deals{query}", token=agent.token))["items"]
        assert all(d["owner_id"] == agent.user_id for d in listed)
        assert theirs["id"] not in [d["id"] for d in listed]
    board = body(client.get(f"/api/v1/pipelines/{sales['id']}/board", token=agent.token))
    shown = [d for column in board["columns"] for d in column["deals"]]
    assert board["totals_cover"] == "visible" and all(d["owner_id"] == agent.user_id for d in shown)


def test_agents_cannot_give_deals_away_or_create_for_others(client: ApiClient, company: Company) -> None:
    agent, agent2 = member(company, "agent"), member(company, "agent2")
    assert create(client, agent.token, owner_id=agent2.user_id).status_code == 403
    mine = body(create(client, agent.token))
    handed = client.patch(f"/api/v1/deals/{mine['id']}", {"version": mine["version"], "owner_id": agent2.user_id},
                          token=agent.token)
    assert handed.status_code == 403
    assert client.delete(f"/api/v1/deals/{mine['id']}", token=agent.token).status_code == 403


def test_managers_see_their_team_and_not_others(client: ApiClient, company: Company) -> None:
    manager = member(company, "manager")
    team_deal = body(create(client, member(company, "agent2").token, title="Team deal"))
    other_deal = body(create(client, member(company, "outsider").token, title="Support deal"))
    assert client.get(f"/api/v1/deals/{team_deal['id']}", token=manager.token).status_code == 200
    assert client.get(f"/api/v1/deals/{other_deal['id']}", token=manager.token).status_code == 404
    listed = [d["id"] for d in body(client.get("/api/v1/deals?limit=200", token=manager.token))["items"]]
    assert team_deal["id"] in listed and other_deal["id"] not in listed


def test_read_only_reads_everything_and_writes_nothing(client: ApiClient, company: Company, sales: dict) -> None:
    read_only = member(company, "read_only").token
    deal = body(create(client, company.owner.token))
    assert client.get(f"/api/v1/deals/{deal['id']}", token=read_only).status_code == 200
    assert create(client, read_only).status_code == 403
    assert client.patch(f"/api/v1/deals/{deal['id']}", {"version": 1, "title": "x"}, token=read_only).status_code \
        == 403
    assert client.post(f"/api/v1/deals/{deal['id']}/move", {"version": 1, "stage_id": stage(sales, "Won")},
                       token=read_only).status_code == 403
    assert client.delete(f"/api/v1/deals/{deal['id']}", token=read_only).status_code == 403


def test_list_filters(client: ApiClient, company: Company, sales: dict) -> None:
    admin = member(company, "admin")
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Filters"}, token=admin.token))
    new, qualified = pipeline["stages"][0]["id"], pipeline["stages"][1]["id"]
    won = next(s["id"] for s in pipeline["stages"] if s["kind"] == "won")
    made = {}
    for title, stage_id in (("A", new), ("B", new), ("C", qualified), ("D", won)):
        made[title] = body(create(client, admin.token, title=title, pipeline_id=pipeline["id"], stage_id=stage_id))

    def listed(query: str) -> list[str]:
        response = client.get(f"/api/v1/deals?{query}", token=company.owner.token)
        assert response.status_code == 200, response.body
        return [deal["title"] for deal in body(response)["items"]]

    assert listed(f"pipeline_id={pipeline['id']}") == ["B", "A", "C", "D"]  # stage order, newest first inside
    assert listed(f"pipeline_id={pipeline['id']}&stage_id={new}") == ["B", "A"]
    assert listed(f"pipeline_id={pipeline['id']}&status=won") == ["D"]
    assert listed(f"owner_id={admin.user_id}&pipeline_id={pipeline['id']}&status=open") == ["C", "B", "A"]
    assert listed(f"owner_id={admin.user_id}&stage_id={qualified}") == ["C"]
    assert client.get(f"/api/v1/deals?pipeline_id={pipeline['id']}&stage_id={sales['stages'][0]['id']}",
                      token=company.owner.token).status_code == 422
    assert client.get("/api/v1/deals?status=maybe", token=company.owner.token).status_code == 422
    assert client.get("/api/v1/deals?sort=amount", token=company.owner.token).status_code == 422


def test_custom_fields_are_validated_and_kept(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    defined = client.post("/api/v1/custom-fields", {"entity": "deal", "key": "po_number", "label": "PO number",
                                                    "type": "text"}, token=owner)
    assert defined.status_code == 201, defined.body
    deal = body(create(client, owner, custom={"po_number": "PO-2031-7"}))
    assert deal["custom"] == {"po_number": "PO-2031-7"}
    assert create(client, owner, custom={"colour": "red"}).status_code == 422
    changed = client.patch(f"/api/v1/deals/{deal['id']}", {"version": deal["version"],
                                                           "custom": {"po_number": "PO-2031-8"}}, token=owner)
    assert changed.status_code == 200 and body(changed)["custom"] == {"po_number": "PO-2031-8"}
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"]["custom"] == {"po_number": "PO-2031-8"}
