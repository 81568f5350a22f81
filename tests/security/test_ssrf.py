"""Server-side request forgery: a URL a company chose is fetched only from a public address.

A free sign-up can add a PBX line and sign its own events; the event's recording link is fetched by our Lambda
and handed back as the call's recording. Pointed at the cloud's metadata, Lambda's runtime API or a private
network, it would read what only our side can reach.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.channels import transport
from tests.events.conftest import Feed, feed  # noqa: F401 - the stream fixture, for these tests too
from tests.factories import signup
from tests.support import ApiClient, body
from tests.telephony.kit import calls, create_telephony, events, hook_path, post

INSIDE = ["http://169.254.169.254/latest/meta-data/iam/security-credentials/",  # instance metadata
          "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",  # Lambda's runtime API
          "http://2130706433/", "http://0x7f.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
          "http://10.0.0.5/rec.mp3", "http://192.168.1.20/rec.mp3", "http://100.64.0.1/", "http://0.0.0.0/",
          "http://localhost/rec.mp3", "http://pbx.localhost/", "http://metadata.google.internal/", "http://pbx/",
          "http://[fd00::1]/", "http://[fe80::1]/"]


def _signed_event(client: ApiClient, line: dict[str, Any], event: dict[str, Any]) -> Any:
    from chalicelib.telephony.providers.pbx import sign

    raw = json.dumps(event).encode()
    stamp = int(time.time())
    return post(client, hook_path(line), raw, {"Content-Type": "application/json", "X-CRM-Timestamp": str(stamp),
                                               "X-CRM-Signature": sign(line["secret"], raw, stamp)})


@pytest.mark.parametrize("url", INSIDE)
def test_a_pbx_recording_link_to_an_inside_address_is_refused_and_never_fetched(client: ApiClient, url: str) -> None:
    company = signup(client)
    line = create_telephony(client, company, "pbx")
    transport.clear_sandbox()
    call_id = f"ssrf-{time.time_ns()}"
    refused = _signed_event(client, line, {"call_id": call_id, "event": "end", "direction": "inbound",
                                           "from": "+79161230000", "to": "+74950000000", "disposition": "answered",
                                           "duration": 5, "recording_url": url})
    assert refused.status_code == 422, (url, refused.body)
    assert body(refused)["error"]["details"][0]["type"] == "invalid_event"
    assert transport.sandbox_requests("pbx") == []
    assert events(client, company, line) == [] and calls(client, company) == []


def test_a_public_recording_link_is_still_fetched(client: ApiClient) -> None:
    company = signup(client)
    line = create_telephony(client, company, "pbx")
    transport.clear_sandbox()
    answered = _signed_event(client, line, {"call_id": f"ok-{time.time_ns()}", "event": "end",
                                            "direction": "inbound", "from": "+79161230000", "to": "+74950000000",
                                            "disposition": "answered", "duration": 5,
                                            "recording_url": "https://pbx.example.com/rec/1.mp3"})
    assert answered.status_code == 200, answered.body
    assert [r["url"] for r in transport.sandbox_requests("pbx")] == ["https://pbx.example.com/rec/1.mp3"]
    [call] = calls(client, company)
    assert body(client.get(f"/api/v1/calls/{call['id']}", token=company.owner.token))["recording"]["available"]


class Inside(BaseHTTPRequestHandler):
    """A service only our side reaches; it counts who asked (and under which Host)."""

    asked: list[str] = []
    hosts: list[str] = []

    def do_GET(self) -> None:
        Inside.asked.append(self.path)
        Inside.hosts.append(str(self.headers.get("Host")))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"AKIA-secret-of-the-inside")

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def inside() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Inside)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Inside.asked.clear()
    Inside.hosts.clear()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _resolving(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    real = socket.getaddrinfo

    def lookup(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(transport.socket, "getaddrinfo", lookup)


def test_a_public_looking_name_that_resolves_inside_is_refused_before_connecting(
        inside: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_PROVIDER_TRANSPORT")
    _resolving(monkeypatch, "rebind.example.com", "127.0.0.1")
    with pytest.raises(transport.NotPublicError):
        transport.send(transport.Outbound(provider="pbx", method="GET", url=f"http://rebind.example.com:{inside}/x",
                                          public_only=True))
    assert Inside.asked == []
    # A provider's own API (not a company's choice) is not held to it: the transport tests reach loopback.
    plain = transport.send(transport.Outbound(provider="pbx", method="GET", url=f"http://127.0.0.1:{inside}/y"))
    assert plain.status == 200 and Inside.asked == ["/y"]


def test_a_pinned_fetch_asks_the_host_by_its_name_for_the_path_and_query(
        inside: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The request goes to the checked address and still names the host, path and query the URL gave."""
    monkeypatch.delenv("CRM_PROVIDER_TRANSPORT")
    _resolving(monkeypatch, "pbx.example.com", "127.0.0.1")
    monkeypatch.setattr(transport, "_is_public", lambda address: True)  # loopback stands in for a public server
    answer = transport.send(transport.Outbound(provider="pbx", method="GET", public_only=True,
                                               url=f"http://pbx.example.com:{inside}/rec/1.mp3?a=1&b=2"))
    assert answer.status == 200 and answer.body == b"AKIA-secret-of-the-inside"
    assert (Inside.asked, Inside.hosts) == (["/rec/1.mp3?a=1&b=2"], [f"pbx.example.com:{inside}"])


def test_the_fetch_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolved once: a second lookup (DNS rebinding) cannot send the connection elsewhere; TLS checks the name."""
    _resolving(monkeypatch, "pbx.example.com", "93.184.215.14")
    pool = transport._pinned(transport.Outbound(provider="pbx", method="GET", url="https://pbx.example.com/r.mp3",
                                                public_only=True))
    assert (pool.host, pool.port) == ("93.184.215.14", 443)
    assert pool.conn_kw["server_hostname"] == "pbx.example.com" and pool.assert_hostname == "pbx.example.com"


@pytest.mark.parametrize("url", ["https://2130706433/crm", "https://0x7f.1/crm", "https://127.1:9001/crm",
                                 "https://10.1.2.3/crm", "https://metadata.google.internal/crm", "https://erp/crm"])
def test_an_automations_webhook_to_an_inside_address_is_never_sent(client: ApiClient, feed: Feed,  # noqa: F811
                                                                   url: str) -> None:
    """An administrator's rule posts to a URL of theirs: in any spelling, an inside address fails the step, unsent."""
    from chalicelib.automations import actions

    company = signup(client, company="Hooks inside")
    made = client.post("/api/v1/automations", {"name": "Rule", "trigger": {"type": "record.created", "entity": "deal"},
                                               "actions": [{"type": "webhook", "url": url}]},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    transport.clear_sandbox()
    client.post("/api/v1/deals", {"title": "A deal"}, token=company.owner.token)
    feed.deliver()
    [run] = body(client.get(f"/api/v1/automations/{body(made)['id']}/runs", token=company.owner.token))["items"]
    assert (run["status"], run["steps"][0]["code"]) == ("failed", "webhook_url"), run
    assert transport.sandbox_requests(actions.WEBHOOK_PROVIDER) == []
