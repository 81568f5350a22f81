"""Structured logs carry the request and tenant ids, and forget them between requests."""

from __future__ import annotations

import io
import json

import pytest

from tests.support import ApiClient


def log_lines(captured: str) -> list[dict]:
    lines = []
    for line in captured.splitlines():
        if line.startswith("{") and '"level"' in line:
            lines.append(json.loads(line))
    return lines


def test_request_log_has_request_id_and_no_stale_tenant(client: ApiClient, log_stream: io.StringIO) -> None:
    from chalicelib.core import observability

    observability.bind_tenant("01STALETENANTFROMBEFORE000")  # a previous request's leftovers
    client.get("/api/v1/health")
    lines = [line for line in log_lines(log_stream.getvalue()) if line.get("message") == "request"]
    assert lines, "the middleware logs every request"
    last = lines[-1]
    assert last["request_id"] and last["route"] == "/api/v1/health" and last["status"] == 200
    assert last.get("tenant_id") is None


def test_metrics_use_low_cardinality_dimensions(client: ApiClient, capfd: pytest.CaptureFixture[str]) -> None:
    client.get("/api/v1/health")
    out = capfd.readouterr().out
    blobs = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    assert blobs, "an EMF blob is flushed per request"
    dimensions = blobs[-1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
    assert set(dimensions) <= {"service", "stage", "route"}
    assert blobs[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CRM"


def test_secret_fields_are_redacted() -> None:
    from chalicelib.core.observability import safe_fields

    assert safe_fields({"password": "p", "email": "a@b.c"}) == {"password": "***", "email": "a@b.c"}


def test_requests_on_many_threads_each_emit_their_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    """The local runner serves requests on threads sharing one Metrics object: no flush may empty another's."""
    import sys
    import threading

    from chalicelib.core import observability

    failures: list[BaseException] = []

    def serve() -> None:
        try:
            for _ in range(40):
                observability.record_request(route="/api/v1/x", status=200, duration_ms=1.0, tenant_id=None)
        except BaseException as exc:
            failures.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: a race shows at once
    try:
        threads = [threading.Thread(target=serve) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert failures == []
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert sum(len(document["Requests"]) for document in documents) == 240  # every request counted once
