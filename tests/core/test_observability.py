"""Structured logs carry the request and tenant ids, and forget them between requests."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from tests.support import ApiClient


def log_lines(captured: str) -> list[dict]:
    lines = []
    for line in captured.splitlines():
        if line.startswith("{") and '"level"' in line:
            lines.append(json.loads(line))
    return lines


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Point the Powertools handlers (logs and metrics write to the stdout of their import) at a buffer."""
    from chalicelib.core.observability import logger

    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)
    yield buffer
    logger.registered_handler.setStream(previous)


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
