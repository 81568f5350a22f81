"""Every answer carries the browser security headers, whatever made it: a page, a static file, an error."""

from __future__ import annotations

import pytest

from tests.support import ApiClient

BASELINE = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def assert_baseline(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in BASELINE.items():
        assert headers.get(name) == value, (name, headers)


@pytest.mark.parametrize("path", ["/", "/static/app.css", "/static/js/api.js", "/static/screens/auth.js",
                                  "/api/docs", "/api/docs/docs.js", "/api/v1/health", "/api/v1/openapi.json",
                                  "/hooks/forms.js"])
def test_pages_files_and_api_answers_carry_the_headers(client: ApiClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    assert_baseline(response)


def test_error_answers_carry_them_too(client: ApiClient) -> None:
    assert_baseline(client.get("/static/nope.js"))  # a 404 of the UI's files
    assert_baseline(client.get("/api/v1/contacts"))  # 401
    assert_baseline(client.request("PUT", "/api/v1/health"))  # Chalice's own 405, reshaped


def test_every_public_get_route_of_the_registry_is_covered(client: ApiClient) -> None:
    """A public page added later gets the headers without declaring them (the middleware adds them)."""
    from chalicelib.core import http, routing

    served = {(entry["path"], entry["method"]) for entry in routing.entries()}  # not a test's probe routes
    for (path, method), spec in http.REGISTRY.items():
        if method != "GET" or not spec.public or "{" in path or (path, method) not in served:
            continue
        assert_baseline(client.get(path))
