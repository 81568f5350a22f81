"""The OpenAPI document is valid 3.1 and covers every route of the registry."""

from __future__ import annotations

from openapi_spec_validator import validate

from chalicelib.core.http import REGISTRY
from tests.support import ApiClient, body


def test_openapi_is_valid_and_covers_every_route(client: ApiClient, app) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = body(response)
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    app_routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    for path, method in app_routes:
        spec = REGISTRY[(path, method)]  # every app route was declared through the registry
        if spec.in_schema:
            assert (path, method) in documented


def test_request_bodies_reference_the_validating_schema(client: ApiClient) -> None:
    document = body(client.get("/api/v1/openapi.json"))
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            spec = REGISTRY[(path, method.upper())]
            if spec.body is not None:
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/" + spec.body.__name__)
                assert spec.body.__name__ in document["components"]["schemas"]
            if not spec.public:
                assert op["security"] == [{"bearer": []}]
                assert "401" in op["responses"]
