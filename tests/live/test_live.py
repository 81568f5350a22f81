"""Live updates in-process: tickets, the socket's events as app.py's handlers receive them, and push.

The Management API is a fake here (what was posted to which connection, which are gone); the socket served
by the local runner, with a real WebSocket client and boto3's own client, is in test_local_socket.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

import app as app_module
from chalicelib.core import auth, db
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.live import service
from chalicelib.live.models import LiveConnection, LiveConnectionLookup, LiveTicket
from local.live import LocalConnection, event, new_connection_id
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


class FakeManagement:
    """API Gateway's Management API: what each connection received; some are gone, some fail."""

    def __init__(self) -> None:
        self.received: dict[str, list[Any]] = {}
        self.gone: set[str] = set()
        self.failing: set[str] = set()

    def post_to_connection(self, *, ConnectionId: str, Data: bytes) -> dict[str, Any]:
        if ConnectionId in self.gone:
            raise ClientError({"Error": {"Code": "GoneException", "Message": ""},
                               "ResponseMetadata": {"HTTPStatusCode": 410}}, "PostToConnection")
        if ConnectionId in self.failing:
            raise ClientError({"Error": {"Code": "LimitExceededException", "Message": "slow down"},
                               "ResponseMetadata": {"HTTPStatusCode": 429}}, "PostToConnection")
        self.received.setdefault(ConnectionId, []).append(json.loads(Data))
        return {}


@pytest.fixture
def management(monkeypatch: pytest.MonkeyPatch) -> FakeManagement:
    fake = FakeManagement()
    monkeypatch.setattr(service, "management_client", lambda: fake)
    return fake


def ctx_of(company: Company) -> TenantContext:
    return TenantContext(tenant_id=company.tenant_id)


def ticket_for(client: ApiClient, token: str) -> str:
    response = client.post("/api/v1/live/ticket", token=token)
    assert response.status_code == 200, response.body
    return str(body(response)["ticket"])


def connect(ticket: str | None, connection_id: str | None = None) -> tuple[int, str]:
    """$connect through app.py's handler, as API Gateway calls it; (status, connection id)."""
    connection = LocalConnection(connection_id or new_connection_id(), source_ip="127.0.0.1", user_agent="pytest")
    query = f"ticket={ticket}" if ticket is not None else ""
    answer = app_module.live_connect(event("$connect", connection, query=query), None)
    return int(answer["statusCode"]), connection.connection_id


def open_socket(client: ApiClient, token: str) -> str:
    status, connection_id = connect(ticket_for(client, token))
    assert status == 200
    return connection_id


def stored(company: Company, user_id: str) -> list[str]:
    ctx = ctx_of(company)
    with bind(ctx):
        return [c.connection_id for c in LiveConnection.query(service.connections_pk(ctx, user_id))]


def has_lookup(connection_id: str) -> bool:
    try:
        LiveConnectionLookup.get(service.lookup_key(connection_id), service.LOOKUP_SK, consistent_read=True)
    except LiveConnectionLookup.DoesNotExist:
        return False
    return True


# -- tickets ---------------------------------------------------------------------------------


def test_a_ticket_is_short_lived_stored_hashed_and_opens_one_socket_once(client: ApiClient) -> None:
    company = signup(client, company="Ticket Bakery")
    answer = body(client.post("/api/v1/live/ticket", token=company.owner.token))
    ticket = answer["ticket"]
    assert answer["expires_in"] == 60 and answer["url"].startswith("ws://") and answer["url"].endswith("/live")
    item = LiveTicket.get(service.ticket_key(ticket), service.TICKET_SK)
    assert item.pk == f"G#live-ticket#{auth.token_digest(ticket)}" and ticket not in json.dumps(item.to_simple_dict())
    assert (item.tenant_id, item.user_id) == (company.tenant_id, company.owner.user_id)

    status, connection_id = connect(ticket)
    assert status == 200
    assert stored(company, company.owner.user_id) == [connection_id] and has_lookup(connection_id)
    assert connect(ticket)[0] == 401  # single use: the conditional delete succeeds once


def test_an_expired_ticket_is_refused(client: ApiClient) -> None:
    company = signup(client, company="Late Bakery")
    ticket = ticket_for(client, company.owner.token)
    item = LiveTicket.get(service.ticket_key(ticket), service.TICKET_SK)
    item.expires_at = db.utcnow() - timedelta(seconds=1)  # moto keeps it: the reader must look at the time
    item.save()
    status, connection_id = connect(ticket)
    assert status == 401
    assert stored(company, company.owner.user_id) == [] and not has_lookup(connection_id)


@pytest.mark.parametrize("ticket", [None, "", "lt_" + "A" * 43, "not-a-ticket", "lt_" + "x" * 200])
def test_a_socket_without_a_valid_ticket_is_refused(client: ApiClient, ticket: str | None) -> None:
    status, connection_id = connect(ticket)
    assert status == 401 and not has_lookup(connection_id)


def test_the_access_token_opens_no_socket(client: ApiClient) -> None:
    company = signup(client, company="Token Bakery")
    assert connect(company.owner.token)[0] == 401


def test_an_api_key_gets_no_ticket(client: ApiClient) -> None:
    company = signup(client, company="Key Bakery")
    key = body(client.post("/api/v1/api-keys", {"name": "ERP", "permissions": ["users:read:all"]},
                           token=company.owner.token))["secret"]
    response = client.post("/api/v1/live/ticket", token=key)
    assert response.status_code == 403 and body(response)["error"]["code"] == "user_required"
    assert client.post("/api/v1/live/ticket").status_code == 401


def test_a_ticket_of_a_user_deactivated_since_opens_nothing(client: ApiClient) -> None:
    company = signup(client, company="Gone Bakery")
    agent = add_member(client, company, role="agent", name="leaver")
    ticket = ticket_for(client, agent.token)
    assert client.post(f"/api/v1/users/{agent.user_id}/deactivate", token=company.owner.token).status_code == 200
    assert connect(ticket)[0] == 403
    assert stored(company, agent.user_id) == []


# -- push ------------------------------------------------------------------------------------


def test_a_push_reaches_every_socket_of_the_targeted_users_of_its_tenant_only(
        client: ApiClient, management: FakeManagement) -> None:
    alpha = signup(client, company="Alpha Push")
    agent = add_member(client, alpha, role="agent", name="alphaagent")
    bravo = signup(client, company="Bravo Push")
    owner_tabs = {open_socket(client, alpha.owner.token), open_socket(client, alpha.owner.token)}
    agent_tab = open_socket(client, agent.token)
    bravo_tab = open_socket(client, bravo.owner.token)

    message = {"type": "test.ringing", "call": {"from": "+4930123456"}}
    assert service.push(ctx_of(alpha), [alpha.owner.user_id], message) == 2
    assert set(management.received) == owner_tabs
    assert all(received == [message] for received in management.received.values())
    # Another tenant's user id names an empty partition under the caller's tenant: nothing can reach it.
    assert service.push(ctx_of(alpha), [bravo.owner.user_id], message) == 0
    assert agent_tab not in management.received and bravo_tab not in management.received
    assert service.push(ctx_of(bravo), [bravo.owner.user_id, bravo.owner.user_id], message) == 1
    assert management.received[bravo_tab] == [message]


def test_a_gone_socket_is_forgotten_and_other_failures_are_swallowed(
        client: ApiClient, management: FakeManagement) -> None:
    company = signup(client, company="Gone Tabs")
    gone, failing, fine = (open_socket(client, company.owner.token) for _ in range(3))
    management.gone.add(gone)
    management.failing.add(failing)
    assert service.push(ctx_of(company), [company.owner.user_id], {"type": "test.note"}) == 1
    assert management.received == {fine: [{"type": "test.note"}]}
    assert sorted(stored(company, company.owner.user_id)) == sorted([failing, fine])
    assert not has_lookup(gone) and has_lookup(failing)


def test_a_push_never_raises(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company = signup(client, company="Offline Bakery")
    open_socket(client, company.owner.token)

    class Unreachable:
        def post_to_connection(self, **_: Any) -> None:
            raise EndpointConnectionError(endpoint_url="https://nowhere.example")

    monkeypatch.setattr(service, "management_client", Unreachable)
    assert service.push(ctx_of(company), [company.owner.user_id], {"type": "test.note"}) == 0
    monkeypatch.setattr(service, "management_client", lambda: 1 / 0)
    assert service.push(ctx_of(company), [company.owner.user_id], {"type": "test.note"}) == 0


@pytest.mark.parametrize("message", [{}, {"type": ""}, {"type": "pong"}, {"type": "x", "blob": "x" * 140_000}])
def test_a_push_without_a_type_of_its_own_or_too_large_sends_nothing(
        client: ApiClient, management: FakeManagement, message: dict[str, Any]) -> None:
    company = signup(client, company="Quiet Bakery")
    open_socket(client, company.owner.token)
    assert service.push(ctx_of(company), [company.owner.user_id], message) == 0
    assert management.received == {}


def test_deactivated_users_and_suspended_companies_get_no_pushes(
        client: ApiClient, management: FakeManagement) -> None:
    company = signup(client, company="Paused Bakery")
    agent = add_member(client, company, role="agent", name="paused")
    open_socket(client, company.owner.token)
    open_socket(client, agent.token)
    assert client.post(f"/api/v1/users/{agent.user_id}/deactivate", token=company.owner.token).status_code == 200
    assert service.push(ctx_of(company), [company.owner.user_id, agent.user_id], {"type": "test.note"}) == 1

    from chalicelib.identity import service as identity_service

    ctx = ctx_of(company)
    with bind(ctx):
        tenant = identity_service.get_tenant_or_raise(ctx)
        tenant.status = "suspended"
        tenant.save()
    assert service.push(ctx, [company.owner.user_id], {"type": "test.note"}) == 0
    assert sum(len(received) for received in management.received.values()) == 1


def test_an_expired_connection_gets_nothing(client: ApiClient, management: FakeManagement) -> None:
    company = signup(client, company="Old Tab Bakery")
    connection_id = open_socket(client, company.owner.token)
    ctx = ctx_of(company)
    with bind(ctx):
        item = LiveConnection.get(service.connections_pk(ctx, company.owner.user_id), connection_id)
        item.expires_at = db.utcnow() - timedelta(seconds=1)  # API Gateway closed it; moto keeps the item
        item.save()
    assert service.push(ctx, [company.owner.user_id], {"type": "test.note"}) == 0
    assert management.received == {}


# -- the socket's other events ---------------------------------------------------------------


def message_event(connection_id: str, text: str | None) -> dict[str, Any]:
    return event("$default", LocalConnection(connection_id, source_ip="127.0.0.1", user_agent="pytest"), body=text)


def test_a_ping_is_answered_with_a_pong_and_anything_else_is_ignored(
        client: ApiClient, management: FakeManagement) -> None:
    company = signup(client, company="Ping Bakery")
    connection_id = open_socket(client, company.owner.token)
    for text in ('{"type":"ping"}', '{"type":"hello"}', "not json", "[1]", None, '{"type":"ping","x":"' + "y" * 2000):
        assert app_module.live_message(message_event(connection_id, text), None) == {"statusCode": 200}
    assert management.received == {connection_id: [{"type": "pong"}]}


def test_a_disconnect_forgets_the_socket(client: ApiClient, management: FakeManagement) -> None:
    company = signup(client, company="Closing Bakery")
    connection_id = open_socket(client, company.owner.token)
    closed = LocalConnection(connection_id, source_ip="127.0.0.1", user_agent="pytest")
    assert app_module.live_disconnect(event("$disconnect", closed), None) == {"statusCode": 200}
    assert stored(company, company.owner.user_id) == [] and not has_lookup(connection_id)
    assert service.push(ctx_of(company), [company.owner.user_id], {"type": "test.note"}) == 0
    # A disconnect nobody knows (a refused $connect, a repeat) changes nothing.
    unknown = LocalConnection(new_connection_id(), source_ip="127.0.0.1", user_agent="pytest")
    assert app_module.live_disconnect(event("$disconnect", unknown), None) == {"statusCode": 200}
