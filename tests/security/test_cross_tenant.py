"""The cross-tenant matrix: tenant B, with its owner's full rights, aims every route at tenant A.

It walks the route registry, so a route added later is covered without editing this test: a
route whose path parameter has no id of tenant A below fails the test until one is added.
"""

from __future__ import annotations

import importlib
import json
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import app as _app_module  # noqa: F401 - importing the app fills the registry walked below
from chalicelib.core.http import REGISTRY, RouteSpec
from tests import seeds
from tests.factories import Company, signup
from tests.support import ApiClient, body


class World:
    """Tenant A with data of every kind (one seed module per domain in tests/seeds/), tenant B the attacker."""

    def __init__(self, client: ApiClient) -> None:
        self.a: Company = signup(client, company="Alpha Victim")
        self.b: Company = signup(client, company="Bravo Attacker")
        self.ids: dict[str, str] = {}
        self.leaks: list[str] = [self.a.tenant_id, self.a.owner.email, "Alpha Victim"]
        for module in seed_modules():
            ids, secrets = module.seed(client, self.a)
            self.ids.update(ids)
            self.leaks += secrets
        self.agent = self.a.extra["agent"]
        self.key = self.a.extra["key"]

    def secrets(self) -> list[str]:
        """Strings of tenant A that must never appear in an answer to tenant B."""
        return self.leaks


def seed_modules() -> list[Any]:
    """Every ``tests/seeds/<domain>.py``, identity first (other seeds use its team and agent)."""
    names = sorted(p.stem for p in Path(seeds.__file__).parent.glob("*.py") if p.stem != "__init__")
    names.sort(key=lambda name: name != "identity")
    return [importlib.import_module(f"tests.seeds.{name}") for name in names]


@pytest.fixture(scope="module")
def world(app: Any) -> World:
    return World(ApiClient(app))


def _sample(annotation: Any, name: str) -> Any:
    """A plausible value for a field, so a request reaches the service instead of failing validation."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _sample(args[0], name)
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in args if a is not type(None)), name)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sample_body(annotation)
    return {str: "email@example.com" if "email" in name else "Sample text 1", int: 1, float: 1.0, bool: False,
            datetime: "2030-01-01T00:00:00Z", date: "2030-01-01", dict: {}}.get(annotation, "x")


def sample_body(model: type[BaseModel]) -> dict[str, Any]:
    return {name: _sample(field.annotation, name) for name, field in model.model_fields.items()
            if field.is_required() or name == "version"}


CALLER_NAMED = frozenset({"external_id"})  # path parameters that name the caller's own records, not ids of A's


def id_routes() -> list[RouteSpec]:
    return [spec for spec in REGISTRY.values() if spec.path_params and not spec.public and spec.in_schema]


def list_routes() -> list[RouteSpec]:
    return [spec for spec in REGISTRY.values()
            if spec.method == "GET" and not spec.path_params and not spec.public and spec.in_schema]


def test_the_registry_has_routes_to_attack() -> None:
    assert len(id_routes()) >= 10 and len(list_routes()) >= 5


@pytest.mark.parametrize("spec", id_routes(), ids=lambda s: f"{s.method} {s.path}")
def test_tenant_b_cannot_reach_tenant_a_by_id(client: ApiClient, world: World, spec: RouteSpec) -> None:
    missing = [p for p in spec.path_params if p not in world.ids]
    assert not missing, f"add an id of tenant A for {missing} to the cross-tenant matrix"
    path = spec.path
    for name in spec.path_params:
        path = path.replace("{" + name + "}", world.ids[name])
    payload = sample_body(spec.body) if spec.body is not None else None
    response = client.request(spec.method, path, json_body=payload if payload is not None else {},
                              token=world.b.owner.token)
    # An external id names a record in the caller's own space (an upsert creates B's own product): B may be
    # answered about B's data, never with A's (tests/orders/test_exchange.py checks A's record is untouched).
    allowed = (403, 404) if not set(spec.path_params) & CALLER_NAMED else (200, 201, 403, 404, 422)
    assert response.status_code in allowed, (spec.method, path, response.status_code, response.body)
    text = response.body.decode()
    for secret in world.secrets():
        assert secret not in text, f"{spec.method} {spec.path} leaked {secret!r}"


@pytest.mark.parametrize("spec", list_routes(), ids=lambda s: f"{s.method} {s.path}")
def test_tenant_b_lists_never_show_tenant_a(client: ApiClient, world: World, spec: RouteSpec) -> None:
    response = client.get(spec.path, token=world.b.owner.token)
    assert response.status_code == 200, (spec.path, response.body)
    text = response.body.decode()
    for secret in world.secrets():
        assert secret not in text, f"GET {spec.path} leaked {secret!r}"


def test_a_calendar_feed_address_serves_its_holder_only(client: ApiClient, world: World) -> None:
    """A feed is read without signing in: its address names its tenant and user, and only the secret of that
    user's current address opens it. B, allowed feeds, swaps A's tenant and user into its own address: 404."""
    from urllib.parse import urlsplit

    own = urlsplit(world.a.extra["calendar_feed"]).path
    assert "Alpha week task" in client.get(own).body.decode()  # A's agent reads A's feed
    tenant = body(client.get("/api/v1/tenant", token=world.b.owner.token))
    client.patch("/api/v1/tenant", {"version": tenant["version"], "calendar_feeds": True}, token=world.b.owner.token)
    mine = urlsplit(body(client.post("/api/v1/tasks/calendar-feed", {}, token=world.b.owner.token))["url"]).path
    _, a_tenant, a_user, _ = own.removeprefix("/calendar/").split("_", 3)
    prefix, b_tenant, b_user, secret = mine.removeprefix("/calendar/").split("_", 3)
    for forged in (f"{prefix}_{a_tenant}_{a_user}_{secret}", f"{prefix}_{a_tenant}_{b_user}_{secret}",
                   f"{prefix}_{b_tenant}_{a_user}_{secret}"):
        answer = client.get(f"/calendar/{forged}")
        assert answer.status_code == 404, (forged, answer.body)
    text = client.get(mine).body.decode()
    assert client.get(mine).status_code == 200
    for leak in world.secrets():
        assert leak not in text, f"B's calendar feed leaked {leak!r}"


def test_tenant_a_data_is_unchanged_after_the_attack(client: ApiClient, world: World) -> None:
    for spec in id_routes():
        path = spec.path
        for name in spec.path_params:
            path = path.replace("{" + name + "}", world.ids[name])
        payload = sample_body(spec.body) if spec.body is not None else {}
        client.request(spec.method, path, json_body=payload, token=world.b.owner.token)
    owner = world.a.owner.token
    agent = body(client.get(f"/api/v1/users/{world.agent.user_id}", token=owner))
    assert agent["status"] == "active" and agent["name"] == "Alphaagent" and agent["role"] == "agent"
    assert body(client.get("/api/v1/teams", token=owner))["items"][0]["name"] == "Alpha team"
    roles = {r["key"] for r in body(client.get("/api/v1/roles", token=owner))["items"]}
    assert "alpharole" in roles
    keys = body(client.get("/api/v1/api-keys", token=owner))["items"]
    assert keys[0]["revoked_at"] is None
    assert client.get("/api/v1/users", token=world.key["secret"]).status_code == 200


@pytest.mark.parametrize("actor", ["owner", "user_id", "key_id", "integration_id", "housekeeping"])
def test_tenant_b_filtering_its_trail_by_an_actor_of_a_sees_nothing_of_a(client: ApiClient, world: World,
                                                                        actor: str) -> None:
    """?actor= reads a person's feed or, for anyone else (an integration, a job), the tenant feed filtered by actor:
    either way B's own feed, whatever actor of A it names."""
    named = {"owner": world.a.owner.user_id, "housekeeping": "housekeeping"}.get(actor) or world.ids[actor]
    response = client.get(f"/api/v1/audit?actor={named}&limit=100", token=world.b.owner.token)
    assert response.status_code == 200, response.body
    assert all(item["actor_id"] == named for item in body(response)["items"])
    if actor != "housekeeping":
        assert body(response)["items"] == []
    for secret in world.secrets():
        assert secret not in response.body.decode()


def test_tenant_a_cursor_is_refused_to_tenant_b(client: ApiClient, world: World) -> None:
    page = body(client.get("/api/v1/users?limit=1", token=world.a.owner.token))
    assert page["next_cursor"]
    response = client.get(f"/api/v1/users?cursor={page['next_cursor']}", token=world.b.owner.token)
    assert response.status_code == 400 and body(response)["error"]["code"] == "invalid_cursor"


def test_api_key_of_a_cannot_read_b(client: ApiClient, world: World) -> None:
    listed = body(client.get("/api/v1/users", token=world.key["secret"]))
    assert world.b.owner.email not in json.dumps(listed)


def test_a_live_ticket_opens_a_socket_of_the_callers_tenant_only(client: ApiClient, world: World,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """POST /api/v1/live/ticket takes no id: the ticket names the caller's tenant and user, and a push is keyed by
    the pushing tenant, so tenant B's socket hears nothing of tenant A, even when A names B's user."""
    from chalicelib.core.tenancy import TenantContext
    from chalicelib.live import service
    from tests.live.test_live import FakeManagement, connect

    management = FakeManagement()
    monkeypatch.setattr(service, "management_client", lambda: management)
    answer = client.post("/api/v1/live/ticket", token=world.b.owner.token)
    assert answer.status_code == 200
    for secret in world.secrets():
        assert secret not in answer.body.decode()
    status, b_socket = connect(body(answer)["ticket"])
    assert status == 200
    alpha, bravo = TenantContext(tenant_id=world.a.tenant_id), TenantContext(tenant_id=world.b.tenant_id)
    assert service.push(alpha, [world.b.owner.user_id, world.a.owner.user_id], {"type": "test.leak"}) == 0
    assert management.received == {}
    assert service.push(bravo, [world.b.owner.user_id], {"type": "test.own"}) == 1
    assert management.received == {b_socket: [{"type": "test.own"}]}


def test_billing_answers_and_stripe_events_stay_with_their_tenant(client: ApiClient, world: World) -> None:
    """GET /api/v1/billing and the Stripe routes take no id: what they name is the caller's own customer; a Stripe
    event is routed by the customer it is about, whatever tenant its metadata names."""
    from tests import stripe_kit

    mine = body(client.get("/api/v1/billing", token=world.b.owner.token))
    assert mine["stripe_customer_id"] != world.a.extra["stripe_customer_id"]
    client.post("/api/v1/billing/portal", token=world.b.owner.token)
    portal = [r for r in stripe_kit.sandbox().requests if r.path == "/v1/billing_portal/sessions"][-1]
    assert portal.params["customer"] == mine["stripe_customer_id"]
    forged = stripe_kit.sandbox().event("customer.subscription.created", {
        "id": "sub_bravo", "object": "subscription", "customer": mine["stripe_customer_id"], "status": "active",
        "metadata": {"tenant_id": world.a.tenant_id}, "items": {"object": "list", "data": []}})
    assert stripe_kit.post_event(client, forged).status_code == 200
    assert body(client.get("/api/v1/billing", token=world.a.owner.token))["subscription_id"] is None
    assert body(client.get("/api/v1/billing", token=world.b.owner.token))["subscription_id"] == "sub_bravo"
