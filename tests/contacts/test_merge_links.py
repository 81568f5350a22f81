"""A merge points the absorbed contact's deals and tasks at the survivor (in chunks when they do not fit one
transaction), and its undo points them back."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.contacts import merge
from tests.contacts.helpers import card, new_contact
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture
def shop(client: ApiClient) -> Company:
    return signup(client, company="Merge Links")


def _deal(client: ApiClient, token: str, title: str, contact_ids: list[str]) -> str:
    response = client.post("/api/v1/deals", {"title": title, "contact_ids": contact_ids}, token=token)
    assert response.status_code == 201, response.body
    return str(body(response)["id"])


def _task(client: ApiClient, token: str, title: str, contact_id: str) -> str:
    response = client.post("/api/v1/tasks", {"title": title, "related": {"type": "contact", "id": contact_id}},
                           token=token)
    assert response.status_code == 201, response.body
    return str(body(response)["id"])


def _contacts_of(client: ApiClient, token: str, deal_id: str) -> set[str]:
    return set(body(client.get(f"/api/v1/deals/{deal_id}", token=token))["deal"]["contact_ids"])


def _related(client: ApiClient, token: str, task_id: str) -> str:
    return str(body(client.get(f"/api/v1/tasks/{task_id}", token=token))["related"]["id"])


def _setup(client: ApiClient, shop: Company) -> dict[str, Any]:
    token = shop.owner.token
    kept = new_contact(client, token, first_name="Kept", phones=[{"number": "+12025550180"}])
    absorbed = new_contact(client, token, first_name="Absorbed", phones=[{"number": "+12025550181"}])
    own = [_deal(client, token, f"Deal {n}", [absorbed["id"]]) for n in (1, 2)]
    shared = _deal(client, token, "Shared deal", [kept["id"], absorbed["id"]])
    tasks = [_task(client, token, f"Call back {n}", absorbed["id"]) for n in (1, 2)]
    kept, absorbed = card(client, token, kept["id"]), card(client, token, absorbed["id"])
    return {"kept": kept, "absorbed": absorbed, "own": own, "shared": shared, "tasks": tasks}


@pytest.mark.parametrize("transaction_items", [100, 4])  # 4: every move spills into a transaction of its own
def test_merge_moves_deals_and_tasks_and_undo_moves_them_back(
        client: ApiClient, shop: Company, monkeypatch: pytest.MonkeyPatch, transaction_items: int) -> None:
    monkeypatch.setattr(merge, "TRANSACTION_ITEMS", transaction_items)
    token, found = shop.owner.token, _setup(client, shop)
    kept, absorbed = found["kept"]["id"], found["absorbed"]["id"]
    response = client.post(f"/api/v1/contacts/{kept}/merge", {"other_id": absorbed, "version": found["kept"]["version"],
                                                              "other_version": found["absorbed"]["version"]},
                           token=token)
    assert response.status_code == 200, response.body
    merge_id = body(response)["merge_id"]
    for deal_id in [*found["own"], found["shared"]]:
        assert _contacts_of(client, token, deal_id) == {kept}
    assert [_related(client, token, task_id) for task_id in found["tasks"]] == [kept, kept]
    links = card(client, token, kept)["links"]
    assert {link["id"] for link in links["deal"]} == {*found["own"], found["shared"]}
    assert {link["id"] for link in links["task"]} == set(found["tasks"])
    moved = client.patch(f"/api/v1/deals/{found['own'][0]}", {"version": body(client.get(
        f"/api/v1/deals/{found['own'][0]}", token=token))["deal"]["version"], "title": "Renamed"}, token=token)
    assert moved.status_code == 200, moved.body  # a moved deal is an ordinary deal of the survivor

    undone = client.post(f"/api/v1/merges/{merge_id}/undo", token=token)
    assert undone.status_code == 200, undone.body
    for deal_id in found["own"]:
        assert _contacts_of(client, token, deal_id) == {absorbed}
    assert _contacts_of(client, token, found["shared"]) == {kept, absorbed}
    assert [_related(client, token, task_id) for task_id in found["tasks"]] == [absorbed, absorbed]
    assert {link["id"] for link in card(client, token, kept)["links"]["deal"]} == {found["shared"]}
    assert {link["id"] for link in card(client, token, absorbed)["links"]["deal"]} == {*found["own"], found["shared"]}
