"""Health, the OpenAPI document and its docs page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalice import Response

from chalicelib.core.config import settings
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.system import service
from chalicelib.system.schemas import Health

api = Api(__name__, tag="system")
_DOCS = Path(__file__).parent / "docs"
DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'"


@api.route("/api/v1/health", summary="Liveness and table reachability", response=Health, public=True, errors=(503,))
def health(request: ApiRequest) -> Health:
    table = service.check_table()
    return Health(status="ok", stage=settings.stage, table=table)


@api.route("/api/v1/openapi.json", summary="The OpenAPI 3.1 document of every route", public=True)
def openapi(request: ApiRequest) -> Response:
    from chalicelib.core.openapi import document

    return json_response(document(), headers={"Cache-Control": "public, max-age=300"})


def _docs_file(name: str, content_type: str) -> Response:
    body = (_DOCS / name).read_text(encoding="utf-8")
    return Response(body=body, status_code=200, headers={
        "Content-Type": content_type, "Content-Security-Policy": DOCS_CSP,
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300",
    })


@api.route("/api/docs", summary="Human-readable API reference", public=True, in_schema=False)
def docs_page(request: ApiRequest) -> Any:
    return _docs_file("index.html", "text/html; charset=utf-8")


@api.route("/api/docs/{asset}", summary="Assets of the API reference", public=True, in_schema=False)
def docs_asset(request: ApiRequest, asset: str) -> Any:
    from chalicelib.core import errors

    types = {"docs.js": "text/javascript; charset=utf-8", "docs.css": "text/css; charset=utf-8"}
    if asset not in types:
        raise errors.NotFoundError()
    return _docs_file(asset, types[asset])
