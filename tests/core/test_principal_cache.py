"""The principal is remembered 5 seconds per warm Lambda: a change this process makes takes effect at once,
one another Lambda makes takes effect within 5 seconds (docs/ARCHITECTURE.md, "Identity and access")."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.identity import sessions
from tenants.__main__ import main
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    moved = Clock()
    monkeypatch.setattr(sessions._principals, "clock", moved)
    sessions._principals.clear()
    yield moved
    sessions._principals.clear()


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Cached Ltd")


def _me(client: ApiClient, token: str) -> Any:
    return client.get("/api/v1/me", token=token)


def _raw_update(company: Company, user_id: str, **values: str) -> None:
    """A change written by another Lambda: straight to the table, never through this process's commits."""
    names = {f"#{k}": k for k in values}
    with bind(TenantContext(tenant_id=company.tenant_id)):
        _update(company, user_id, names, values)


def _update(company: Company, user_id: str, names: dict[str, str], values: dict[str, str]) -> None:
    boto3.client("dynamodb", region_name=settings.region).update_item(
        TableName=settings.table_name, Key={"pk": {"S": f"T#{company.tenant_id}#USER"}, "sk": {"S": user_id}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
        ExpressionAttributeNames=names, ExpressionAttributeValues={f":{k}": {"S": v} for k, v in values.items()})


def test_changes_made_here_take_effect_at_once(client: ApiClient, company: Company, clock: Clock) -> None:
    agent = add_member(client, company, role="agent", name="cachedagent")
    assert _me(client, agent.token).status_code == 200  # remembered now
    version = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))["version"]
    changed = client.request("PATCH", f"/api/v1/users/{agent.user_id}", json_body={"role": "manager",
                                                                                   "version": version},
                             token=company.owner.token)
    assert changed.status_code == 200, changed.body
    assert body(_me(client, agent.token))["error"]["code"] == "token_stale"
    other = add_member(client, company, role="agent", name="deactivated")
    assert _me(client, other.token).status_code == 200
    assert client.post(f"/api/v1/users/{other.user_id}/deactivate", token=company.owner.token).status_code == 200
    assert _me(client, other.token).status_code == 401
    assert _me(client, company.owner.token).status_code == 200
    assert client.post("/api/v1/auth/logout", {}, token=company.owner.token).status_code in (200, 204)
    assert _me(client, company.owner.token).status_code == 401


def test_a_company_closed_here_is_closed_at_once(client: ApiClient, company: Company, clock: Clock) -> None:
    member = add_member(client, company, role="agent", name="closing")
    assert _me(client, member.token).status_code == 200
    assert main(["delete", "--tenant", company.tenant_id], out=io.StringIO()) == 0  # scheduled: the company closes
    answer = _me(client, member.token)
    assert answer.status_code == 403 and body(answer)["error"]["code"] == "tenant_suspended"


def test_changes_made_elsewhere_take_effect_within_five_seconds(client: ApiClient, company: Company,
                                                                clock: Clock) -> None:
    agent = add_member(client, company, role="agent", name="elsewhere")
    assert _me(client, agent.token).status_code == 200
    _raw_update(company, agent.user_id, status="deactivated")
    clock.now += sessions.PRINCIPAL_SECONDS - 0.5
    assert _me(client, agent.token).status_code == 200  # this warm Lambda has not heard yet
    clock.now += 1.0
    assert _me(client, agent.token).status_code == 401  # five seconds on, it has


def test_a_remembered_principal_answers_for_its_own_token_only(client: ApiClient, company: Company,
                                                                clock: Clock) -> None:
    other = signup(client, company="Other Cached Ltd")
    mine, theirs = body(_me(client, company.owner.token)), body(_me(client, other.owner.token))
    again = body(_me(client, company.owner.token))  # from the cache now
    assert again == mine and again != theirs
    assert client.post("/api/v1/auth/logout", {}, token=other.owner.token).status_code in (200, 204)
    assert _me(client, company.owner.token).status_code == 200  # another company's logout forgets only its own


def test_a_value_read_before_a_commit_forgot_its_tenant_is_not_kept() -> None:
    """A request that read the company just before another request saved it must not keep the old company: the
    next page would show the saved setting unsaved for the cache's seconds (it did, under load, in the settings)."""
    from chalicelib.core.warm import WarmCache

    cache = WarmCache(5.0)

    def read_then_saved_elsewhere() -> str:
        cache.forget_tenant("t1")  # another request's commit lands while this one reads
        return "old company"

    assert cache.remember(("t1", "user"), read_then_saved_elsewhere) == "old company"  # this request uses its read
    assert cache.get(("t1", "user")) is None  # but the next one reads again
    assert cache.remember(("t1", "user"), lambda: "saved company") == "saved company"
    assert cache.get(("t1", "user")) == "saved company"

    def read_while_another_company_saves() -> str:
        cache.forget_tenant("t2")
        return "first company"

    cache.remember(("t1", "other"), read_while_another_company_saves)
    assert cache.get(("t1", "other")) == "first company"  # another company's save forgets nothing of this one

    def read_while_all_forgotten() -> str:
        cache.clear()
        return "stale"

    cache.remember(("t3", "user"), read_while_all_forgotten)
    assert cache.get(("t3", "user")) is None
