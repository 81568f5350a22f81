"""Segments: kept by the domain-event feed (members and count exactly once, however often an event comes), built
for the contacts made before them, refreshed when time alone moves someone, previewed live, listed and exported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs, membership
from chalicelib.segments.models import SegmentMember
from tests.events.conftest import Feed
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def _contact(client: ApiClient, token: str, first: str, **fields: Any) -> dict[str, Any]:
    made = client.post("/api/v1/contacts", {"first_name": first, **fields}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _segment(client: ApiClient, token: str, conditions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    made = client.post("/api/v1/segments", {"name": "Segment", "conditions": conditions, **extra}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _build(tenant_id: str, segment_id: str) -> None:
    ctx = TenantContext(tenant_id=tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment_id)


def _members(client: ApiClient, token: str, segment_id: str) -> list[str]:
    page = body(client.get(f"/api/v1/segments/{segment_id}/members?limit=200", token=token))
    return sorted(item["first_name"] for item in page["items"])


def _count(client: ApiClient, token: str, segment_id: str) -> int:
    return int(body(client.get(f"/api/v1/segments/{segment_id}", token=token))["members"])


def test_the_feed_keeps_members_and_count_exactly_once(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Segment florist")
    owner = company.owner.token
    anna = _contact(client, owner, "Anna", tags=["vip"], emails=[{"address": "anna@example.com"}])
    _contact(client, owner, "Boris", tags=["wholesale"])
    segment = _segment(client, owner, [{"type": "tag_has", "value": "VIP"}])
    feed.deliver()
    _build(company.tenant_id, segment["id"])
    assert _members(client, owner, segment["id"]) == ["Anna"] and _count(client, owner, segment["id"]) == 1
    vera = _contact(client, owner, "Vera", tags=["vip"])
    changed = client.patch(f"/api/v1/contacts/{anna['id']}", {"tags": ["retail"], "version": anna["version"]},
                           token=owner)
    assert changed.status_code == 200, changed.body
    assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)  # every event again: nothing moves twice
    assert _members(client, owner, segment["id"]) == ["Vera"] and _count(client, owner, segment["id"]) == 1
    assert client.delete(f"/api/v1/contacts/{vera['id']}", token=owner).status_code in (200, 204)
    feed.deliver()
    assert _members(client, owner, segment["id"]) == [] and _count(client, owner, segment["id"]) == 0
    assert body(client.get("/api/v1/segments", token=owner))["items"][0]["status"] == "ready"


def test_a_build_places_contacts_older_than_the_segment_and_any_matches_either(client: ApiClient) -> None:
    company = signup(client, company="Segment builder")
    owner = company.owner.token
    for name, tags in (("Gleb", ["a"]), ("Dina", ["b"]), ("Egor", ["c"])):
        _contact(client, owner, name, tags=tags)
    segment = _segment(client, owner, [{"type": "tag_has", "value": "a"}, {"type": "tag_has", "value": "b"}],
                       match="any")
    assert segment["status"] == "building"
    _build(company.tenant_id, segment["id"])
    assert _members(client, owner, segment["id"]) == ["Dina", "Gleb"]
    preview = body(client.post("/api/v1/segments/preview", {"conditions": [{"type": "tag_lacks", "value": "a"}]},
                               token=owner))
    assert preview == {"count": 2, "sampled": 3, "estimated": 2, "exact": True}
    version = body(client.get(f"/api/v1/segments/{segment['id']}", token=owner))["version"]  # the build wrote it
    changed = client.patch(f"/api/v1/segments/{segment['id']}", {"version": version, "match": "all"}, token=owner)
    assert body(changed)["status"] == "building"
    _build(company.tenant_id, segment["id"])
    assert _members(client, owner, segment["id"]) == [] and _count(client, owner, segment["id"]) == 0
    export = client.post("/api/v1/exports", {"entity": "contact", "filters": {"segment": segment["id"]}}, token=owner)
    assert export.status_code == 202 and body(export)["rows"] == 0, export.body


def test_time_alone_moves_contacts_at_the_daily_refresh(client: ApiClient) -> None:
    company = signup(client, company="Segment clock")
    owner = company.owner.token
    _contact(client, owner, "Fresh")
    segment = _segment(client, owner, [{"type": "created_within_days", "value": 7}])
    idle = _segment(client, owner, [{"type": "no_activity_days", "value": 30}])
    _build(company.tenant_id, segment["id"])
    _build(company.tenant_id, idle["id"])
    assert _count(client, owner, segment["id"]) == 1 and _count(client, owner, idle["id"]) == 0
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.refresh(ctx, now=db.utcnow() + timedelta(days=40)) == 1  # one contact, out of one and into one
        assert jobs.refresh(ctx, now=db.utcnow() + timedelta(days=40)) == 0  # again: already right
    assert _count(client, owner, segment["id"]) == 0 and _count(client, owner, idle["id"]) == 1


def test_a_won_deal_is_a_purchase_and_deleting_a_segment_purges_its_members(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Segment buyers")
    owner = company.owner.token
    buyer = _contact(client, owner, "Buyer")
    bought = _segment(client, owner, [{"type": "bought_within_days", "value": 30}])
    lapsed = _segment(client, owner, [{"type": "no_purchase_days", "value": 90}])
    feed.deliver()
    _build(company.tenant_id, bought["id"])
    _build(company.tenant_id, lapsed["id"])
    assert _count(client, owner, bought["id"]) == 0 and _count(client, owner, lapsed["id"]) == 1
    pipeline = body(client.get("/api/v1/pipelines", token=owner))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage.get("kind") == "won")
    deal = body(client.post("/api/v1/deals", {"title": "Roses", "contact_ids": [buyer["id"]],
                                              "amount": {"minor": 120_00, "currency": "USD"}}, token=owner))
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": won, "version": deal["version"]},
                        token=owner)
    assert moved.status_code == 200, moved.body
    assert feed.deliver() == {"batchItemFailures": []}
    assert _count(client, owner, bought["id"]) == 1 and _count(client, owner, lapsed["id"]) == 0
    assert client.delete(f"/api/v1/segments/{bought['id']}", token=owner).status_code == 204
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        from chalicelib.segments import service

        assert service.purge_members(ctx, bought["id"])
        left = list(SegmentMember.query(membership.members_pk(ctx), SegmentMember.sk.startswith(bought["id"])))
    assert left == []


def test_bad_conditions_are_422_and_an_agent_may_not_make_segments(client: ApiClient) -> None:
    company = signup(client, company="Segment rules")
    owner = company.owner.token
    for conditions in ([{"type": "tag_has"}], [{"type": "created_within_days", "value": "7"}],
                       [{"type": "birthday_this_month", "value": 3}], [{"type": "custom_is", "value": "x"}],
                       [{"type": "nope", "value": "x"}]):
        answer = client.post("/api/v1/segments", {"name": "Bad", "conditions": conditions}, token=owner)
        assert answer.status_code == 422, (conditions, answer.body)
    agent = add_member(client, company, role="agent")
    answer = client.post("/api/v1/segments", {"name": "Mine", "conditions": []}, token=agent.token)
    assert answer.status_code == 403
    assert client.get("/api/v1/segments", token=agent.token).status_code == 403


def test_a_paid_order_is_a_purchase_of_its_products(client: ApiClient, feed: Feed) -> None:
    from tests.orders.kit import move, ok, order, product, shop

    company = shop(client)
    owner = company.owner.token
    roses, tulips = product(client, company), product(client, company)
    bought_roses = _segment(client, owner, [{"type": "bought_within_days", "value": 30, "product_id": roses["id"]}])
    bought_tulips = _segment(client, owner, [{"type": "bought_within_days", "value": 30, "product_id": tulips["id"]}])
    made = order(client, company, [{"product_id": roses["id"], "quantity": "1"}])
    confirmed = ok(move(client, company, made, "confirmed"))
    ok(client.post(f"/api/v1/orders/{made['id']}/payments", {"version": confirmed["version"],
                                                              "amount_minor": confirmed["due_minor"],
                                                              "method": "card"}, token=owner))
    assert feed.deliver() == {"batchItemFailures": []}
    _build(company.tenant_id, bought_roses["id"])
    _build(company.tenant_id, bought_tulips["id"])
    assert _count(client, owner, bought_roses["id"]) == 1 and _count(client, owner, bought_tulips["id"]) == 0
