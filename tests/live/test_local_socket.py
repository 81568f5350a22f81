"""The live-updates socket as the local runner serves it (local/live.py), driven by a real WebSocket client.

The app's server runs in this process on a free loopback port (as the browser tests run it), and the app's
Management API client is boto3's own, pointed at that server; the last test starts ``python -m local``.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import websocket
from botocore.config import Config

from chalicelib.core.config import LOCAL_LIVE_PATH
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.live import service
from chalicelib.live.models import LiveConnection
from local import live as local_live
from tests.factories import Company, signup
from tests.support import ApiClient

TIMEOUT = 10


@dataclass
class Served:
    url: str
    gateway: local_live.LiveGateway

    @property
    def socket_url(self) -> str:
        return self.url.replace("http://", "ws://") + LOCAL_LIVE_PATH

    def management(self) -> Any:
        return boto3.client("apigatewaymanagementapi", endpoint_url=self.url + LOCAL_LIVE_PATH,
                            region_name="eu-west-1", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def served(app: Any) -> Iterator[Served]:
    from chalice.config import Config as ChaliceConfig

    from local.paths import bind_loopback
    from local.server import create_http_server

    config = ChaliceConfig.create(chalice_app=app, app_name="crm", chalice_stage="local")
    sock = bind_loopback(0)
    gateway = local_live.LiveGateway(app, config)
    server = create_http_server(app, config, sock, gateway)
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="live-tests-http", daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}", gateway)
    finally:
        gateway.close_all()
        server.shutdown()
        server.server.server_close()


@pytest.fixture
def management(served: Served, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app's Management API client, pointed at the served socket (the public URL serves nothing)."""
    client = served.management()
    monkeypatch.setattr(service, "management_client", lambda: client)
    return client


def ticket(url: str, token: str) -> dict[str, Any]:
    """A ticket asked for over HTTP, so the answer names the origin the request reached."""
    call = urllib.request.Request(url + "/api/v1/live/ticket", data=b"", method="POST",
                                  headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(call, timeout=TIMEOUT) as response:
        return dict(json.loads(response.read()))


def open_socket(served: Served, token: str) -> tuple[websocket.WebSocket, str]:
    """A connected socket and its connection id (the one the gateway learned while it opened)."""
    before = set(served.gateway.open_connections())
    answer = ticket(served.url, token)
    socket = websocket.create_connection(f"{answer['url']}?ticket={answer['ticket']}", timeout=TIMEOUT)
    (connection_id,) = set(served.gateway.open_connections()) - before
    return socket, connection_id


def refused_status(url: str) -> int:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=TIMEOUT)
    return int(refused.value.status_code)


def test_a_ticket_opens_the_socket_once_and_the_socket_pings_and_receives_pushes(
        client: ApiClient, served: Served, management: Any) -> None:
    company: Company = signup(client, company="Socket Bakery")
    answer = ticket(served.url, company.owner.token)
    assert answer["url"] == served.socket_url  # the origin the browser reached, as the runner serves it
    socket = websocket.create_connection(f"{answer['url']}?ticket={answer['ticket']}", timeout=TIMEOUT)
    try:
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv()) == {"type": "pong"}  # through the app's boto3 client and back
        message = {"type": "test.ringing", "from": "+4930123456", "name": "Ирина"}
        ctx = TenantContext(tenant_id=company.tenant_id)
        assert service.push(ctx, [company.owner.user_id], message) == 1
        assert json.loads(socket.recv()) == message
    finally:
        socket.close()
    assert refused_status(f"{answer['url']}?ticket={answer['ticket']}") == 401  # single use
    assert refused_status(served.socket_url) == 401
    assert refused_status(f"{served.socket_url}?ticket={company.owner.token}") == 401


def test_a_closed_socket_is_forgotten_and_a_gone_one_cleaned_up(
        client: ApiClient, served: Served, management: Any) -> None:
    company: Company = signup(client, company="Closing Socket Bakery")
    ctx = TenantContext(tenant_id=company.tenant_id)
    socket, connection_id = open_socket(served, company.owner.token)
    assert management.get_connection(ConnectionId=connection_id)["Identity"]["SourceIp"] == "127.0.0.1"
    socket.close()
    # Known until its $disconnect handler has run: then the Management API answers 410, like API Gateway.
    assert served.gateway.wait_until_gone(connection_id, TIMEOUT)
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    with bind(ctx):
        assert list(LiveConnection.query(service.connections_pk(ctx, company.owner.user_id))) == []

    # A connection the table still lists but API Gateway no longer has (a lost $disconnect) is removed.
    stale = local_live.new_connection_id()
    with bind(ctx):
        LiveConnection(service.connections_pk(ctx, company.owner.user_id), stale, connection_id=stale,
                       user_id=company.owner.user_id, connected_at=service.db.utcnow(),
                       expires_at=service.db.utcnow() + service.CONNECTION_LIFETIME).save()
    assert service.push(ctx, [company.owner.user_id], {"type": "test.note"}) == 0
    with bind(ctx):
        assert list(LiveConnection.query(service.connections_pk(ctx, company.owner.user_id))) == []


def test_the_server_closes_a_socket_through_the_management_api(
        client: ApiClient, served: Served, management: Any) -> None:
    company: Company = signup(client, company="Kicked Bakery")
    socket, connection_id = open_socket(served, company.owner.token)
    management.delete_connection(ConnectionId=connection_id)
    assert served.gateway.wait_until_gone(connection_id, TIMEOUT)
    opcode, _ = socket.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    socket.close()


def test_plain_http_to_the_socket_path_is_told_to_upgrade(served: Served) -> None:
    request = urllib.request.Request(served.url + LOCAL_LIVE_PATH)
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=TIMEOUT)
    assert answer.value.code == 426


@pytest.mark.slow
def test_the_runner_serves_the_socket_on_its_own_port(tmp_path: Path) -> None:
    from tests.local.test_runtime import runner

    with runner(tmp_path / "state") as running:
        logins = json.loads((tmp_path / "state" / "demo-logins.json").read_text())
        signed_in = urllib.request.Request(
            running.url + "/api/v1/auth/login", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"email": "owner@demo.example.com", "password": logins["owner"]}).encode())
        with urllib.request.urlopen(signed_in, timeout=TIMEOUT) as response:
            token = json.loads(response.read())["access_token"]
        answer = ticket(running.url, token)
        assert answer["url"] == running.url.replace("http://", "ws://") + LOCAL_LIVE_PATH
        assert "live updates" in running.output and answer["url"] in running.output
        assert refused_status(answer["url"] + "?ticket=lt_" + "A" * 43) == 401
        socket = websocket.create_connection(f"{answer['url']}?ticket={answer['ticket']}", timeout=TIMEOUT)
        try:
            socket.send(json.dumps({"type": "ping"}))
            assert json.loads(socket.recv()) == {"type": "pong"}  # the runner's app posted it to the runner
        finally:
            socket.close()
        assert running.stop() == 0, running.output


def test_the_runner_serves_the_path_the_app_names() -> None:
    assert local_live.PATH == LOCAL_LIVE_PATH
