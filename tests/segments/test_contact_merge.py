"""A contact merge takes the absorbed contact's tickets, purchases (its segment places) and consent to the survivor
(#24): the tickets re-linked in the merge's transactions and listed on the survivor's card and queue filter, the
purchases through the feed, the consent combined the conservative way (a withdrawal on either contact wins)."""

from __future__ import annotations

from typing import Any

from tests.events.conftest import Feed
from tests.factories import signup
from tests.support import ApiClient, body


def _contact(client: ApiClient, token: str, first: str, **fields: Any) -> dict[str, Any]:
    made = client.post("/api/v1/contacts", {"first_name": first, **fields}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _consent(client: ApiClient, token: str, contact_id: str, **states: str) -> dict[str, Any]:
    answer = client.put(f"/api/v1/contacts/{contact_id}/consent", states, token=token)
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def test_merge_moves_tickets_purchases_and_consent_to_the_survivor(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Merging Service Co")
    owner = company.owner.token
    kept = _contact(client, owner, "Kept", emails=[{"address": "kept@example.com"}])
    gone = _contact(client, owner, "Gone", emails=[{"address": "gone@example.com"}])
    _consent(client, owner, kept["id"], email="granted", sms="withdrawn")
    _consent(client, owner, gone["id"], email="withdrawn", sms="granted", whatsapp="granted")
    tickets = [body(client.post("/api/v1/tickets", {"subject": f"Broken vase {n}", "contact_id": gone["id"]},
                                token=owner))["id"] for n in (1, 2)]
    bought = body(client.post("/api/v1/segments", {"name": "Buyers", "conditions": [
        {"type": "bought_within_days", "value": 30}]}, token=owner))
    pipeline = body(client.get("/api/v1/pipelines", token=owner))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage.get("kind") == "won")
    deal = body(client.post("/api/v1/deals", {"title": "Vase", "contact_ids": [gone["id"]]}, token=owner))
    assert client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": won, "version": deal["version"]},
                       token=owner).status_code == 200
    feed.deliver()
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.segments import jobs

    with bind(TenantContext(tenant_id=company.tenant_id)):
        assert jobs.build(TenantContext(tenant_id=company.tenant_id), bought["id"])
    members = lambda: [m["id"] for m in body(client.get(  # noqa: E731
        f"/api/v1/segments/{bought['id']}/members", token=owner))["items"]]
    assert members() == [gone["id"]]

    kept_now = body(client.get(f"/api/v1/contacts/{kept['id']}", token=owner))
    gone_now = body(client.get(f"/api/v1/contacts/{gone['id']}", token=owner))
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": gone["id"], "version": kept_now["version"], "other_version": gone_now["version"]}, token=owner)
    assert merged.status_code == 200, merged.body

    for ticket_id in tickets:
        assert body(client.get(f"/api/v1/tickets/{ticket_id}", token=owner))["contact_id"] == kept["id"]
    listed = body(client.get(f"/api/v1/tickets?contact_id={kept['id']}", token=owner))["items"]
    assert sorted(row["id"] for row in listed) == sorted(tickets)
    assert body(client.get(f"/api/v1/tickets?contact_id={gone['id']}", token=owner))["items"] == []
    card = body(client.get(f"/api/v1/contacts/{kept['id']}", token=owner))
    assert sorted(link["id"] for link in card["links"]["ticket"]) == sorted(tickets)

    consent = body(client.get(f"/api/v1/contacts/{kept['id']}/consent", token=owner))
    assert consent["email"]["status"] == "withdrawn"  # withdrawn on the absorbed contact: wins over a grant
    assert consent["sms"]["status"] == "withdrawn"  # withdrawn on the survivor: stays
    assert consent["whatsapp"]["status"] == "granted"  # granted on one, unknown on the other

    assert feed.deliver() == {"batchItemFailures": []}
    feed.deliver(feed.delivered)  # every event again: nothing moves twice
    assert members() == [kept["id"]]
    assert int(body(client.get(f"/api/v1/segments/{bought['id']}", token=owner))["members"]) == 1

    undone = client.post(f"/api/v1/merges/{body(merged)['merge_id']}/undo", token=owner)
    assert undone.status_code == 200, undone.body
    for ticket_id in tickets:
        assert body(client.get(f"/api/v1/tickets/{ticket_id}", token=owner))["contact_id"] == gone["id"]
    consent = body(client.get(f"/api/v1/contacts/{kept['id']}/consent", token=owner))
    assert consent["email"]["status"] == "withdrawn"  # an opt-out is not taken back by an undo
