"""The audit trail through the API: filters on the feeds, the sensitive-read log, chain verification."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import audit
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Trail Ltd")
    owner = company.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Sales"}, token=owner))
    company.extra["team"] = team
    client.patch(f"/api/v1/teams/{team['id']}", {"name": "Sales EU", "version": team["version"]}, token=owner)
    return company


def trail(client: ApiClient, token: str, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/audit{query}", token=token)
    assert response.status_code == 200, response.body
    return body(response)


def test_the_feed_lists_newest_first_with_diffs(client: ApiClient, company: Company) -> None:
    items = trail(client, company.owner.token)["items"]
    assert [(i["entity"], i["action"]) for i in items[:2]] == [("team", "update"), ("team", "create")]
    assert items[0]["changes"] == {"name": {"before": "Sales", "after": "Sales EU"}}
    assert items[0]["actor_id"] == company.owner.user_id
    assert {("tenant", "create"), ("user", "create")} <= {(i["entity"], i["action"]) for i in items}


def test_filters_by_entity_id_actor_action_and_time(client: ApiClient, company: Company) -> None:
    owner, team_id = company.owner.token, company.extra["team"]["id"]
    one = trail(client, owner, f"?entity=team&entity_id={team_id}")["items"]
    assert [i["seq"] for i in one] == [2, 1]
    assert {i["entity"] for i in trail(client, owner, "?entity=user")["items"]} == {"user"}
    assert [i["action"] for i in trail(client, owner, "?action=update")["items"]] == ["update"]
    agent = add_member(client, company, role="agent", name="agentfilter")
    by_agent = trail(client, owner, f"?actor={agent.user_id}")["items"]
    assert by_agent and {i["actor_id"] for i in by_agent} == {agent.user_id}
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert trail(client, owner, f"?from={later}")["items"] == []
    assert len(trail(client, owner, f"?to={later}")["items"]) >= 4
    assert trail(client, owner, f"?entity=team&entity_id={team_id}&from={later}")["items"] == []


def test_pages_follow_signed_cursors(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    first = trail(client, owner, "?limit=2")
    second = trail(client, owner, f"?limit=2&cursor={first['next_cursor']}")
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    reused = client.get(f"/api/v1/audit?limit=2&action=create&cursor={first['next_cursor']}", token=owner)
    assert reused.status_code == 400 and body(reused)["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("query", ["?entity_id=01H", "?entity=Team", "?entity=team&entity_id=a%23b",
                                   "?from=yesterday", "?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z",
                                   "?limit=0", "?colour=red"])
def test_bad_filters_answer_422(client: ApiClient, company: Company, query: str) -> None:
    response = client.get(f"/api/v1/audit{query}", token=company.owner.token)
    assert response.status_code == 422, (query, response.body)


def test_only_audit_readers_see_the_trail(client: ApiClient, company: Company) -> None:
    agent = add_member(client, company, role="agent", name="agentnoaudit")
    for path in ("/api/v1/audit", "/api/v1/audit/reads", "/api/v1/audit/verify"):
        assert client.get(path, token=agent.token).status_code == 403


def test_a_custom_role_with_own_scope_sees_only_its_own_actions(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    client.post("/api/v1/roles", {"key": "selfauditor", "name": "Self auditor",
                                  "permissions": ["audit:read:own", "teams:create:all"]}, token=owner)
    member = add_member(client, company, role="selfauditor", name="selfauditor")
    client.post("/api/v1/teams", {"name": "Mine"}, token=member.token)
    items = trail(client, member.token)["items"]
    assert items and {i["actor_id"] for i in items} == {member.user_id}
    other = client.get(f"/api/v1/audit?actor={company.owner.user_id}", token=member.token)
    assert other.status_code == 403


def test_sensitive_reads_are_listed(client: ApiClient, company: Company) -> None:
    ctx = system_context(company.tenant_id, actor_id=company.owner.user_id)
    with bind(ctx):
        audit.record_reads(ctx, entity="contact", entity_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", fields=["passport"])
    reads = body(client.get("/api/v1/audit/reads", token=company.owner.token))["items"]
    assert [(r["entity"], r["field"], r["actor_id"]) for r in reads] == [
        ("contact", "passport", company.owner.user_id)]
    one = body(client.get("/api/v1/audit/reads?entity=contact&entity_id=01HZZZZZZZZZZZZZZZZZZZZZZZ",
                          token=company.owner.token))["items"]
    assert len(one) == 1
    assert body(client.get("/api/v1/audit/reads?entity=deal", token=company.owner.token))["items"] == []


def test_verify_reports_an_intact_chain(client: ApiClient, company: Company) -> None:
    team_id = company.extra["team"]["id"]
    report = body(client.get(f"/api/v1/audit/verify?entity=team&entity_id={team_id}", token=company.owner.token))
    assert report["ok"] is True and report["first_broken_seq"] is None
    assert report["chains"] == [{"entity": "team", "entity_id": team_id, "records": 2, "ok": True,
                                 "first_broken_seq": None, "head_ok": True, "anchor": None}]
    walk = body(client.get("/api/v1/audit/verify", token=company.owner.token))
    assert walk["ok"] is True and ("team", team_id) in {(c["entity"], c["entity_id"]) for c in walk["chains"]}


def test_verify_finds_a_forged_record_and_a_cut_tail(client: ApiClient, company: Company) -> None:
    team_id, owner = company.extra["team"]["id"], company.owner.token
    ctx = system_context(company.tenant_id)
    with bind(ctx):
        records = audit.chain_records(ctx, "team", team_id)
        records[0].changes = {"name": {"before": None, "after": "Forged"}}  # sealed again: it reads as forged
        records[0].save()
    report = body(client.get(f"/api/v1/audit/verify?entity=team&entity_id={team_id}", token=owner))
    assert report["ok"] is False and report["first_broken_seq"] == 1
    with bind(ctx):
        records[1].delete()  # the newest record disappears: every remaining link still holds
    report = body(client.get(f"/api/v1/audit/verify?entity=team&entity_id={team_id}", token=owner))
    assert report["ok"] is False and report["chains"][0]["head_ok"] is False


def test_verify_of_an_unknown_entity_is_404(client: ApiClient, company: Company) -> None:
    response = client.get("/api/v1/audit/verify?entity=team&entity_id=01HZZZZZZZZZZZZZZZZZZZZZZZ",
                          token=company.owner.token)
    assert response.status_code == 404
    assert client.get("/api/v1/audit/verify?entity=team", token=company.owner.token).status_code == 422


def test_record_ids_find_their_record(client: ApiClient, company: Company) -> None:
    ctx = system_context(company.tenant_id)
    items = trail(client, company.owner.token)["items"]
    time.sleep(0.002)
    with bind(ctx):
        for item in items:
            found = audit.find_record(ctx, item["id"])
            assert found is not None and found.audit_id == item["id"]
        assert audit.find_record(ctx, "01HZZZZZZZZZZZZZZZZZZZZZZZ") is None
        assert audit.find_record(ctx, "not-an-id") is None
    other = signup(client, company="Other Trail")
    with bind(system_context(other.tenant_id)):
        assert audit.find_record(system_context(other.tenant_id), items[0]["id"]) is None
