"""Test helpers: an API client that answers like API Gateway with our gateway responses."""

from __future__ import annotations

import json
from typing import Any

from chalice.local import LocalGatewayException
from chalice.test import Client, HTTPResponse

from chalicelib.core.errors import error_body


class ApiClient:
    """chalice.test.Client with JSON helpers and API Gateway's unknown-route answer reshaped.

    In AWS an unknown route never reaches the Lambda: API Gateway answers it, and infra/ sets that
    gateway response to our error shape (404 route_not_found). Chalice's local gateway raises
    instead, so this client (like the local runner) maps it the same way.
    """

    def __init__(self, app: Any, *, source_ip: str = "127.0.0.1") -> None:
        self._client = Client(app)
        self._gateway = self._client.http._local_gateway
        # API Gateway sets identity.sourceIp; the local gateway hard-codes it, so tests choose it here.
        converter = self._gateway.event_converter
        converter.LOCAL_SOURCE_IP = source_ip

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, token: str | None = None) -> HTTPResponse:
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = body.encode() if isinstance(body, str) else body
        try:
            response = self._gateway.handle_request(method=method, path=path, headers=headers, body=data or b"")
            return HTTPResponse.create_from_dict(response)
        except LocalGatewayException as exc:
            payload = error_body("route_not_found", "No such route.")
            return HTTPResponse(status_code=404, headers={"Content-Type": "application/json"},
                                body=json.dumps(payload).encode()) if exc.CODE == 403 else HTTPResponse(
                status_code=exc.CODE, headers=exc.headers, body=exc.body)

    def get(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> HTTPResponse:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> HTTPResponse:
        return self.request("PATCH", path, json_body=json_body, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs: Any) -> HTTPResponse:
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("DELETE", path, **kwargs)


def body(response: HTTPResponse) -> Any:
    """The JSON body of a response."""
    return json.loads(response.body or b"null")
