"""Bulk actions on every record type that offers them (``POST /api/v1/<plural>/bulk``): each record is checked and
written on its own, with an outcome per id; another company's record, one outside the caller's scope and a missing
one each answer 404 in their outcome and stay as they were; a bad request changes nothing."""

from __future__ import annotations

import pytest
from ulid import ULID

from chalicelib.core.http import REGISTRY
from chalicelib.records import types
from tests.factories import Company, Member
from tests.records.kit import Kind, fresh_tag
from tests.support import ApiClient, body

BULK = [Kind(t) for t in types.all_types() if (f"/api/v1/{t.plural}/bulk", "POST") in REGISTRY]
every_bulk_type = pytest.mark.parametrize("kind", BULK, ids=[kind.rtype.name for kind in BULK])


def test_the_record_types_people_list_offer_bulk_actions() -> None:
    assert {kind.rtype.name for kind in BULK} >= {"contact", "company", "deal"}


def _bulk(client: ApiClient, kind: Kind, token: str, ids: list[str], action: str, **fields: object) -> dict[str, tuple]:
    answer = client.post(f"{kind.base}/bulk", {"ids": ids, "action": action, **fields}, token=token)
    assert answer.status_code == 200, answer.body
    return {item["id"]: (item["ok"], item["status"], item.get("version")) for item in body(answer)["items"]}


@every_bulk_type
def test_bulk_tags_change_each_record_on_its_own_and_never_another_companys(
        client: ApiClient, shop: Company, rival: Company, kind: Kind) -> None:
    token, tag, added = shop.owner.token, fresh_tag(), fresh_tag()
    first, second = kind.make(client, token, tags=[tag])["id"], kind.make(client, token, tags=[tag])["id"]
    theirs, missing = kind.make(client, rival.owner.token, tags=[tag])["id"], str(ULID())
    outcomes = _bulk(client, kind, token, [first, second, theirs, missing], "tag", tags=[added])
    assert outcomes == {first: (True, 200, 2), second: (True, 200, 2), theirs: (False, 404, None),
                        missing: (False, 404, None)}
    assert sorted(kind.listed(client, token, tag=added)) == sorted([first, second])
    assert kind.listed(client, rival.owner.token, tag=added) == []  # the rival's record kept its tags alone
    assert kind.listed(client, rival.owner.token, tag=tag) == [theirs]
    audit = body(client.get(f"/api/v1/audit?entity={kind.rtype.name}&entity_id={first}", token=token))["items"]
    assert audit[0]["action"] == "bulk_tag" and audit[0]["changes"]["tags"]["after"] == [tag, added]

    assert _bulk(client, kind, token, [first], "untag", tags=[added]) == {first: (True, 200, 3)}
    assert kind.listed(client, token, tag=added) == [second]
    assert kind.listed(client, token, tag=tag) and first in kind.listed(client, token, tag=tag)


@every_bulk_type
def test_bulk_assign_and_trash_keep_to_the_callers_scope(client: ApiClient, shop: Company,
                                                         agents: tuple[Member, Member], kind: Kind) -> None:
    token, tag = shop.owner.token, fresh_tag()
    agent, colleague = agents
    owners = kind.make(client, token, tags=[tag])["id"]
    agents_own = kind.make(client, agent.token, tags=[tag])["id"]
    # An agent acts on its own records only: the owner's answers 404 in its outcome.
    assert _bulk(client, kind, agent.token, [agents_own, owners], "tag", tags=["mine"]) == {
        agents_own: (True, 200, 2), owners: (False, 404, None)}
    # The owner hands a record to the agent, who then finds it under the tag.
    assert _bulk(client, kind, token, [owners], "assign", owner_id=agent.user_id) == {owners: (True, 200, 2)}
    assert sorted(kind.listed(client, agent.token, tag=tag)) == sorted([owners, agents_own])
    assert kind.listed(client, colleague.token, tag=tag) == []
    # Agents may not delete: the whole request is refused and nothing moves to the trash.
    refused = client.post(f"{kind.base}/bulk", {"ids": [agents_own], "action": "delete"}, token=agent.token)
    assert refused.status_code == 403, refused.body
    assert kind.get(client, agent.token, agents_own).status_code == 200
    assert _bulk(client, kind, token, [agents_own], "delete") == {agents_own: (True, 200, 3)}
    assert kind.get(client, token, agents_own).status_code == 404
    assert kind.listed(client, token, tag=tag) == [owners]


@every_bulk_type
def test_a_bad_bulk_request_changes_nothing(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, tag = shop.owner.token, fresh_tag()
    made = kind.make(client, token, tags=[tag])["id"]
    for payload in ({"ids": [made], "action": "assign"}, {"ids": [made], "action": "tag"},
                    {"ids": [made], "action": "paint"}, {"ids": [], "action": "delete"},
                    {"ids": [made], "action": "tag", "tags": ["a#b"]},
                    {"ids": [str(ULID()) for _ in range(101)], "action": "delete"},
                    {"ids": [made], "action": "assign", "owner_id": str(ULID())}):
        answer = client.post(f"{kind.base}/bulk", payload, token=token)
        assert answer.status_code == 422, (payload, answer.body)
    full = client.post(f"{kind.base}/bulk", {"ids": [made], "action": "tag",
                                              "tags": [f"x{i}" for i in range(20)]}, token=token)
    assert body(full)["items"] == [{"id": made, "ok": False, "status": 422, "code": "validation_error",
                                    "version": None}]  # 21 tags: more than a record may have
    assert kind.listed(client, token, tag=tag) == [made]
    assert kind.listed(client, token, tag="x0") == []
