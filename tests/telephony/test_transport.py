"""The outbound transport: the real HTTP client (against a server on loopback) and the recording sandbox."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.channels import transport


class Provider(BaseHTTPRequestHandler):
    """A provider's API on loopback: it echoes what it received."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = json.dumps({"path": self.path, "body": body.decode(), "auth": self.headers.get("Authorization")})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def do_GET(self) -> None:
        self.send_response(503)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def provider() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_real_client_sends_the_request_as_built(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_PROVIDER_TRANSPORT")
    assert not transport.sandboxed()
    answer = transport.send(transport.Outbound(provider="zadarma", method="POST", url=provider + "/v1/x?y=1",
                                               headers={"Authorization": "key:sig"}, body=b"a=1&b=2",
                                               secret_headers=("Authorization",)))
    assert answer.status == 201
    assert answer.json() == {"path": "/v1/x?y=1", "body": "a=1&b=2", "auth": "key:sig"}
    failed = transport.send(transport.Outbound(provider="zadarma", method="GET", url=provider + "/down"))
    assert failed.status == 503  # the adapter decides what a provider's refusal means


def test_an_unreachable_provider_is_a_502_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_PROVIDER_TRANSPORT")
    with pytest.raises(transport.ProviderError) as raised:
        transport.send(transport.Outbound(provider="zadarma", method="GET", url="http://127.0.0.1:9/"))
    assert raised.value.status == 502


def test_the_sandbox_records_requests_with_their_secrets_masked(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "provider-requests.jsonl"
    monkeypatch.setenv("CRM_SANDBOX_LOG", str(log))
    transport.clear_sandbox()
    answer = transport.send(transport.Outbound(provider="nobody", method="POST", url="https://example.com/x",
                                               headers={"Authorization": "secret-token"}, body=b"{}",
                                               secret_headers=("authorization",)))
    assert answer.status == 404  # no sandbox registered for this provider
    [recorded] = transport.sandbox_requests("nobody")
    assert recorded["headers"] == {"Authorization": "***"} and recorded["url"] == "https://example.com/x"
    assert "secret-token" not in log.read_text() and json.loads(log.read_text())["provider"] == "nobody"
