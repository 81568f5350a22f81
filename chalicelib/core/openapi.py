"""The OpenAPI 3.1 document, generated from the route registry and its pydantic schemas.

chalice-spec (apispec + pydantic) was evaluated and not taken: it emits OpenAPI 3.0 through
apispec's plugin layer, while pydantic v2 already produces JSON Schema 2020-12, which *is* the
schema dialect of OpenAPI 3.1. Walking our own registry keeps the document exactly in step with
the schemas that validate requests, and adds no dependency to the Lambda bundle.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.core.http import REGISTRY, RouteSpec
from chalicelib.core.schema import ErrorResponse

REF = "#/components/schemas/{model}"

_ERROR_TEXT = {
    400: "Bad request (malformed body, invalid cursor)",
    401: "Not authenticated",
    402: "The plan does not allow this",
    403: "Not allowed for this role",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict (stale version, duplicate)",
    413: "Body too large",
    415: "Unsupported content type",
    422: "Validation failed",
    429: "Rate limited",
    503: "A dependency is unavailable; retry after the Retry-After header",
}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[A-Za-z0-9_.:\\-]+$"},
    "description": "Retry-safe creation: the first answer is kept 24 hours and replayed (with "
                   "Idempotent-Replayed: true); another request with the same key answers 422 "
                   "idempotency_key_reused, one made while the first runs 409 idempotency_in_progress.",
}


def _models(specs: list[RouteSpec]) -> list[tuple[type[BaseModel], Any]]:
    seen: dict[tuple[type[BaseModel], str], None] = {(ErrorResponse, "serialization"): None}
    for spec in specs:
        if spec.body is not None:
            seen[(spec.body, "validation")] = None
        if spec.response is not None:
            seen[(spec.response, "serialization")] = None
    return list(seen)


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(spec: RouteSpec, refs: dict[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in spec.path_params
    ]
    if spec.query is not None:
        parameters += _query_parameters(spec.query, schemas)
    if spec.idempotent:
        parameters.append(IDEMPOTENCY_KEY)
    error = {"content": {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}}
    success: dict[str, Any] = {"description": "Success"}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": refs[(spec.response, "serialization")]}}
    responses: dict[str, Any] = {str(spec.status): success}
    codes = {400, 413, 415, 422, 503, *spec.errors} if spec.method != "GET" else {400, 422, 503, *spec.errors}
    codes |= {409} if spec.idempotent else set()
    if not spec.public:
        codes |= {401, 403}
    for code in sorted(codes):
        responses[str(code)] = {"description": _ERROR_TEXT.get(code, "Error"), **error}
    operation: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {ct: {"schema": refs[(spec.body, "validation")]} for ct in spec.content_types},
        }
    elif spec.raw_body:
        operation["requestBody"] = {"content": {ct: {"schema": {}} for ct in spec.content_types}}
    operation["security"] = [] if spec.public else [{"bearer": []}]
    return operation


def build_document(*, title: str = "CRM API", version: str = "1") -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of every registered route."""
    specs = [spec for spec in REGISTRY.values() if spec.in_schema]
    refs, defs = models_json_schema(_models(specs), ref_template=REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(specs, key=lambda s: (s.path, s.method)):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access JWT from /api/v1/auth/login, or an API key",
                }
            },
        },
    }


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document of every route, built once per process (every route module loaded first)."""
    from chalicelib.core import routing

    routing.load_all()
    return build_document()
