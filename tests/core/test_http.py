"""Every kind of bad input answers a JSON 4xx in the one error shape, never a 500 or HTML."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.core import probe as probe_app
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def probe() -> ApiClient:
    from tests.core import probe as probe_module

    return ApiClient(probe_module.build())


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    error = body(response)["error"]
    assert error["code"] == code
    assert error["message"]
    assert isinstance(error["details"], list)
    return error


def tenant_headers() -> dict[str, str]:
    return {"X-Probe-Tenant": probe_app.new_tenant(), "Content-Type": "application/json"}


def test_valid_create_answers_201(probe: ApiClient) -> None:
    response = probe.post("/api/v1/_probe/notes", {"text": "hello"}, headers=tenant_headers())
    assert response.status_code == 201
    assert body(response)["text"] == "hello"
    assert body(response)["version"] == 1


def test_malformed_json_is_400(probe: ApiClient) -> None:
    response = probe.request("POST", "/api/v1/_probe/notes", body='{"text": ', headers=tenant_headers())
    assert_error(response, 400, "malformed_body")


def test_body_not_utf8_is_400(probe: ApiClient) -> None:
    response = probe.request("POST", "/api/v1/_probe/notes", body=b'{"text": "\xff\xfe"}', headers=tenant_headers())
    assert_error(response, 400, "malformed_body")


def test_wrong_content_type_is_415(probe: ApiClient) -> None:
    headers = {**tenant_headers(), "Content-Type": "text/plain"}
    response = probe.request("POST", "/api/v1/_probe/notes", body='{"text": "x"}', headers=headers)
    assert_error(response, 415, "unsupported_media_type")


def test_body_over_one_mib_is_413(probe: ApiClient) -> None:
    big = json.dumps({"text": "x" * (1024 * 1024 + 10)})
    response = probe.request("POST", "/api/v1/_probe/notes", body=big, headers=tenant_headers())
    assert_error(response, 413, "payload_too_large")


def test_validation_errors_are_422_with_fields_and_no_input_echo(probe: ApiClient) -> None:
    response = probe.post("/api/v1/_probe/notes", {"text": "", "extra": "secret-value"}, headers=tenant_headers())
    error = assert_error(response, 422, "validation_error")
    locations = {tuple(detail["loc"]) for detail in error["details"]}
    assert ("text",) in locations and ("extra",) in locations
    assert b"secret-value" not in response.body


def test_body_of_wrong_json_type_is_422(probe: ApiClient) -> None:
    response = probe.request("POST", "/api/v1/_probe/notes", body="[1, 2]", headers=tenant_headers())
    assert_error(response, 422, "validation_error")


def test_bad_query_is_422(probe: ApiClient) -> None:
    response = probe.get("/api/v1/_probe/notes?limit=abc", headers=tenant_headers())
    assert_error(response, 422, "validation_error")
    response = probe.get("/api/v1/_probe/notes?nonsense=1", headers=tenant_headers())
    assert_error(response, 422, "validation_error")


def test_unknown_route_is_404_json(client: ApiClient) -> None:
    assert_error(client.get("/no/such/route"), 404, "route_not_found")
    assert_error(client.get("/api/v1/nothing-here"), 404, "route_not_found")


def test_wrong_method_is_405_json(client: ApiClient) -> None:
    response = client.request("DELETE", "/api/v1/health")
    error = assert_error(response, 405, "method_not_allowed")
    assert error["request_id"]
    assert "GET" in response.headers.get("Allow", "")


def test_error_carries_the_request_id_header(client: ApiClient) -> None:
    response = client.request("DELETE", "/api/v1/health")
    assert body(response)["error"]["request_id"] == response.headers["X-Request-Id"]


def test_health_is_public_and_checks_the_table(client: ApiClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert body(response)["status"] == "ok"
    assert body(response)["table"] == "crm-test-main"


def test_health_answers_503_when_the_table_is_gone(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core.db import MainTable

    monkeypatch.setattr(MainTable.Meta, "table_name", "crm-test-missing")
    monkeypatch.setattr(MainTable, "_connection", None)
    response = client.get("/api/v1/health")
    monkeypatch.undo()
    MainTable._connection = None
    assert_error(response, 503, "service_unavailable")
    assert response.headers.get("Retry-After")


def test_api_responses_carry_security_headers(client: ApiClient) -> None:
    response = client.get("/api/v1/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_docs_page_and_ui_are_served(client: ApiClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/api/v1/openapi.json" in docs.body
    assert "unsafe-inline" not in docs.headers["Content-Security-Policy"]
    assert client.get("/api/docs/docs.js").status_code == 200
    assert_error(client.get("/api/docs/evil.js"), 404, "not_found")
    assert client.get("/").status_code == 200
    assert_error(client.get("/static/..%2Fapp.py"), 404, "not_found")


def test_times_in_answers_are_iso_8601() -> None:
    """A route returning a plain dict with datetimes still answers ISO 8601 (with the "T"), as clients parse it."""
    from datetime import UTC, date, datetime

    from chalicelib.core.http import json_response

    body = json.loads(json_response({"at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                                     "on": date(2026, 1, 2)}).body)
    assert body == {"at": "2026-01-02T03:04:05+00:00", "on": "2026-01-02"}
