"""Request parsing, responses, the route registry and the HTTP middleware.

Every route is declared through :class:`Api`, which puts it in one registry. The registry drives
three things so they cannot drift apart: request validation, the OpenAPI document, and the
middleware's deny-by-default authentication (a route is public only when declared so). Chalice
learns the routes from ``core.routing``'s table (:func:`serve`), so a route's module is imported
by the first request that reaches it. Chalice's middleware does not see exceptions raised by views
(they are turned into its own 500 first), so errors are mapped to our shape inside the route wrapper.
pydantic is imported with the first schema (``core.schema``), not with this module.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalice import Chalice, Response

from chalicelib.core import errors, observability, routing
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind_tenant, new_id, unbind

if TYPE_CHECKING:
    from pydantic import BaseModel

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

API_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
}
# Every answer carries these, whatever made it (a page, a static file, an error, Chalice's own 405): no
# downgrade to http, no framing, no sniffed types, no referrer. A route sets its own CSP and caching.
BASELINE_HEADERS = {name: API_HEADERS[name] for name in
                    ("Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")}


@dataclass
class RouteSpec:
    """A route as the registry knows it."""

    path: str
    method: str
    operation_id: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    public: bool = False
    content_types: tuple[str, ...] = (JSON,)
    raw_body: bool = False
    cors: bool = False
    in_schema: bool = True
    errors: tuple[int, ...] = ()
    module: str = ""  # the module that declares it (core.routing's table)
    max_body: int | None = None  # bytes of body it takes, where more than settings.max_body_bytes

    @property
    def idempotent(self) -> bool:
        """POSTs that create (201, or 202 for a job) honour Idempotency-Key for signed-in callers."""
        return self.method == "POST" and self.status in (201, 202) and not self.public

    @property
    def path_params(self) -> list[str]:
        """Names of the ``{params}`` in the path."""
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


REGISTRY: dict[tuple[str, str], RouteSpec] = {}
HANDLERS: dict[tuple[str, str], Callable[..., Response]] = {}  # the wrapped views, by (path, method)


def route_spec(path: str, method: str) -> RouteSpec | None:
    """The registered spec for a Chalice resource path and method (its module imported if need be)."""
    key = (path, method.upper())
    spec = REGISTRY.get(key)
    if spec is None:
        module = routing.module_of(*key)
        if module is not None:
            routing.load(module)
            spec = REGISTRY.get(key)
    return spec


@dataclass
class ApiRequest:
    """What a view receives: the parsed and validated parts of the request."""

    raw: Any
    request_id: str
    ctx: TenantContext | None
    principal: Any
    body: Any = None
    query: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def tenant(self) -> TenantContext:
        """The caller's TenantContext; routes that are not public always have one."""
        if self.ctx is None:
            raise errors.UnauthenticatedError()
        return self.ctx

    @property
    def source_ip(self) -> str | None:
        """The client's address as API Gateway saw it."""
        return ((self.raw.context or {}).get("identity") or {}).get("sourceIp")

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.raw.headers.get(name.lower()) if self.raw is not None else None


# -- request state shared between the middleware and the route wrapper ----------------------

_state = threading.local()


def current_request_id() -> str | None:
    """The id of the request being served on this thread."""
    return getattr(_state, "request_id", None)


def current_principal() -> Any:
    """The authenticated principal of the request on this thread, if any."""
    return getattr(_state, "principal", None)


def request_memo() -> dict[Any, Any]:
    """A dict that lives as long as the request on this thread (outside a request: a fresh one each call)."""
    memo = getattr(_state, "memo", None)
    return memo if memo is not None else {}


_RUN_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("crm_run_memo", default=None)


@contextmanager
def run_memo() -> Iterator[dict[Any, Any]]:
    """Remember, for one processing run (an inbox event's: in a job or inside the hook's request), the
    items its steps read again and again and never change: the tenant's settings, its users, the records
    the run itself made (``remember``). It starts from what the request knows (the tenant the hook
    read) and ends with the run; a run inside a run shares the outer one."""
    outer = _RUN_MEMO.get()
    if outer is not None:
        yield outer
        return
    memo: dict[Any, Any] = dict(request_memo())
    token = _RUN_MEMO.set(memo)
    try:
        yield memo
    finally:
        _RUN_MEMO.reset(token)


def running_memo() -> dict[Any, Any] | None:
    """The memo of the run in progress, or None outside one (an API request never reads from it)."""
    return _RUN_MEMO.get()


def remember(key: tuple[str, ...], item: Any) -> None:
    """Within a run, answer the run's later reads of key with item (one the run made or found and keeps)."""
    memo = _RUN_MEMO.get()
    if memo is not None:
        memo[key] = item


def remembered(key: tuple[str, ...]) -> Any:
    """What the run in progress remembers under key, or None."""
    memo = _RUN_MEMO.get()
    return memo.get(key) if memo is not None else None


# -- responses ------------------------------------------------------------------------------


def json_response(body: Any, *, status: int = 200, headers: Mapping[str, str | list[str]] | None = None) -> Response:
    """A JSON response with the API's security headers (a list: the header several times, like Set-Cookie)."""
    merged: dict[str, str | list[str]] = {**API_HEADERS, "Content-Type": JSON, **(headers or {})}
    return Response(body=json.dumps(body, default=_json_value), status_code=status, headers=merged)


def content_disposition(disposition: str, filename: str) -> str:
    """A Content-Disposition naming a file whatever its letters (RFC 6266): ``filename`` in ASCII for old clients
    (quotes and controls dropped, accents taken off, other letters one "_" a run), and ``filename*`` in UTF-8 when
    the name has more (a customer's "Договор.pdf" saved as itself, not as mojibake or a header a browser refuses)."""
    import unicodedata
    from urllib.parse import quote

    name = re.sub(r'["\\\x00-\x1f\x7f]', "", filename)[:150] or "file"
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))  # "café": "cafe"
    plain = re.sub(r"[^\x20-\x7e]+", "_", bare)
    if plain == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _json_value(value: Any) -> Any:
    # Times leave as ISO 8601 (str() of a datetime puts a space where the "T" belongs).
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def error_response(error: errors.CRMError, request_id: str | None = None) -> Response:
    """The error shape for a CRMError, with its status and headers."""
    request_id = request_id or current_request_id()
    return json_response(errors.to_body(error, request_id), status=error.status, headers=error.headers)


def _to_response(result: Any, spec: RouteSpec) -> Response:
    if isinstance(result, Response):
        return result
    if result is None and spec.status == 204:
        return Response(body="", status_code=204, headers=dict(API_HEADERS))
    if hasattr(result, "model_dump"):  # a pydantic model
        result = result.model_dump(mode="json")
    return json_response(result, status=spec.status)


# -- parsing --------------------------------------------------------------------------------


MAX_JSON_DEPTH = 32  # arrays and objects within each other; the deepest body any route takes has 4
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when a JSON text nests arrays and objects deeper than limit (brackets inside strings do not
    count). Checked before parsing: the parser and the validators recurse once per level, and about
    1,000 levels exhaust Python's stack (a RecursionError, not a 4xx)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual body: nothing to walk
        return False
    depth = 0
    for bracket in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return True
    return False


def load_json(raw: bytes) -> Any:
    """A JSON text of bounded depth; 400 ``malformed_body`` for broken JSON, text or nesting."""
    if too_deep(raw):
        raise errors.MalformedBodyError(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise errors.MalformedBodyError() from exc


def parse_json(raw: bytes | None) -> Any:
    """Decode a JSON body; malformed JSON, text or nesting answers 400."""
    if not raw:
        return {}
    return load_json(raw)


def _query_dict(request: Any, model: type[BaseModel]) -> dict[str, Any]:
    params = request.query_params
    if not params:
        return {}
    result: dict[str, Any] = {}
    for name in params:
        info = model.model_fields.get(name)
        is_list = info is not None and "list" in str(info.annotation)
        result[name] = params.getlist(name) if is_list else params.get(name)
    return result


def _parse(request: Any, spec: RouteSpec) -> tuple[Any, Any]:
    from chalicelib.core.schema import validate

    body = query = None
    if spec.query is not None:
        query = validate(spec.query, _query_dict(request, spec.query))
    elif request.query_params and spec.in_schema:  # UI pages take ?lang= and the like
        unknown = sorted(request.query_params.keys())
        raise errors.ValidationError(
            details=[
                {"loc": ["query", name], "msg": "Unknown parameter", "type": "extra_forbidden"} for name in unknown
            ]
        )
    if request.raw_body and not spec.raw_body and not request.headers.get("content-type"):
        # Chalice reads a body without a type as JSON; we do not guess what a client meant to send.
        raise errors.UnsupportedMediaTypeError("A request body needs a Content-Type (application/json).")
    if spec.body is not None:
        body = validate(spec.body, parse_json(request.raw_body))
    return body, query


# -- the route declaration ------------------------------------------------------------------


class Api:
    """A module's routes: validated, registered and error-mapped (Chalice learns them from the table)."""

    def __init__(self, import_name: str, *, tag: str) -> None:
        self.module = import_name
        self.tag = tag
        self.keys: list[tuple[str, str]] = []

    def route(
        self,
        path: str,
        *,
        method: str = "GET",
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        public: bool = False,
        content_types: tuple[str, ...] = (JSON,),
        raw_body: bool = False,
        cors: bool = False,
        in_schema: bool = True,
        errors: tuple[int, ...] = (),
        max_body: int | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a route: ``view(request: ApiRequest, **path_params)``."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            spec = RouteSpec(
                path=path, method=method.upper(), operation_id=view.__name__, summary=summary,
                tag=self.tag, body=body, query=query, response=response, status=status,
                public=public, content_types=content_types, raw_body=raw_body, cors=cors,
                in_schema=in_schema, errors=errors, module=self.module, max_body=max_body,
            )
            key = (path, spec.method)
            if key in REGISTRY:
                raise RuntimeError(f"route declared twice: {spec.method} {path}")
            REGISTRY[key] = spec
            HANDLERS[key] = _handler(view, spec)
            self.keys.append(key)
            return view

        return decorator

    def attach(self, app: Chalice) -> None:
        """Register this module's routes with an app directly (a test's app; the CRM uses :func:`serve`)."""
        for path, method in self.keys:
            spec = REGISTRY[(path, method)]
            _register(app, path, method, view=spec.operation_id, content_types=spec.content_types, cors=spec.cors)


def serve(app: Chalice) -> None:
    """Register every route of core.routing's table with app; each module loads on first use."""
    for entry in routing.entries():
        _register(app, entry["path"], entry["method"], view=entry["view"],
                  content_types=tuple(entry["content_types"]), cors=bool(entry["cors"]))


def _register(app: Chalice, path: str, method: str, *, view: str, content_types: tuple[str, ...],
              cors: bool) -> None:
    key = (path, method)

    def chalice_view(**path_params: str) -> Response:
        handler = HANDLERS.get(key)
        if handler is None:  # the middleware loads the module first; a direct call loads it here
            route_spec(path, method)
            handler = HANDLERS[key]
        return handler(**path_params)

    chalice_view.__name__ = view
    app.route(path, methods=[method], content_types=list(content_types), cors=cors)(chalice_view)


def _handler(view: Callable[..., Any], spec: RouteSpec) -> Callable[..., Response]:
    def handler(**path_params: str) -> Response:
        request = _state.request
        request_id = current_request_id() or new_id()
        try:
            body, query = _parse(request, spec)
            principal = current_principal()
            api_request = ApiRequest(
                raw=request, request_id=request_id, principal=principal,
                ctx=principal.context(request_id=request_id, source_ip=_ip(request)) if principal else None,
                body=body, query=query,
            )
            key = _idempotency_key(request, spec)
            if key is None or api_request.ctx is None:
                return _answer(lambda: _to_response(view(api_request, **path_params), spec), spec, request_id)
            from chalicelib.core import idempotency

            print_ = idempotency.fingerprint(spec.method, f"{request.path} {sorted(path_params.items())}",
                                             _bytes(request.raw_body))
            return idempotency.around(api_request.ctx, key, print_, lambda: _answer(
                lambda: _to_response(view(api_request, **path_params), spec), spec, request_id))
        except Exception as exc:  # noqa: BLE001 - parsing and the idempotency claim answer like views do
            return _error(exc, spec, request_id)

    handler.__name__ = view.__name__
    return handler


def _idempotency_key(request: Any, spec: RouteSpec) -> str | None:
    if not spec.idempotent or request.headers.get("idempotency-key") is None:
        return None
    from chalicelib.core import idempotency

    return idempotency.valid_key(request.headers.get("idempotency-key"))


def _bytes(raw: str | bytes | None) -> bytes:
    return raw.encode() if isinstance(raw, str) else raw or b""


def _answer(respond: Callable[[], Response], spec: RouteSpec, request_id: str) -> Response:
    """The view's response, or its error in our shape."""
    try:
        return respond()
    except Exception as exc:  # noqa: BLE001 - every error is answered in our shape
        return _error(exc, spec, request_id)


def _error(exc: Exception, spec: RouteSpec, request_id: str) -> Response:
    """An error in our shape; a 500 is a bug: logged whole."""
    if isinstance(exc, errors.CRMError):
        return error_response(exc, request_id)
    from chalicelib.core import faults

    passing = faults.as_service_error(exc)
    if passing is not None:  # an AWS outage or throttle: the client may retry
        logger.warning("dependency unavailable in %s %s", spec.method, spec.path, exc_info=True)
        return error_response(passing, request_id)
    logger.exception("unhandled error in %s %s", spec.method, spec.path)
    return error_response(errors.InternalError(), request_id)


def _ip(request: Any) -> str | None:
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


# -- middleware -----------------------------------------------------------------------------

Authenticator = Callable[[Any], Any]
_authenticator: list[Authenticator] = []


def set_authenticator(authenticate: Authenticator) -> None:
    """Install the function that turns a request into a principal (or raises 401)."""
    _authenticator[:] = [authenticate]


_CHALICE_ERRORS: dict[int, type[errors.CRMError]] = {
    405: errors.MethodNotAllowedError,
    415: errors.UnsupportedMediaTypeError,
    404: errors.RouteNotFoundError,
}


def _reshape(response: Response, request_id: str) -> Response:
    """Turn Chalice's own error bodies (405, 415, its 500) into our error shape."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        error_cls = _CHALICE_ERRORS.get(response.status_code, errors.InternalError)
        if response.status_code == 400:
            error_cls = errors.BadRequestError
        if error_cls is errors.InternalError:
            logger.error("chalice answered %s: %s", response.status_code, body.get("Code"))
        shaped = error_response(error_cls(), request_id)
        # Keep Allow, and CORS headers so a browser posting a form from another site can read the 4xx.
        shaped.headers.update({k: v for k, v in response.headers.items()
                               if k.lower() == "allow" or k.lower().startswith("access-control-")})
        return shaped
    return response


def _too_large(request: Any, spec: RouteSpec | None) -> bool:
    """A body over the route's limit: settings.max_body_bytes, or more where the route takes a file inline (an
    import's, up to what a Lambda is handed: 6 MB of request)."""
    limit = spec.max_body if spec is not None and spec.max_body else settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return True
    raw = request.raw_body if request.method in {"POST", "PUT", "PATCH", "DELETE"} else b""
    return len(raw or b"") > limit


def _authenticate(request: Any, spec: RouteSpec | None, known_methods: dict[str, Any]) -> Any:
    if spec is not None and spec.public:
        return None
    if spec is None and request.method not in known_methods:
        return None  # Chalice answers 405 for it, reshaped below
    if spec is None or not _authenticator:
        raise errors.UnauthenticatedError()  # deny by default: a route outside the registry
    return _authenticator[0](request)


def install_middleware(app: Chalice) -> None:
    """Register the HTTP middleware: request id, logs, size limit, auth, error shape, metrics."""

    @app.middleware("http")
    def crm_http(request: Any, get_response: Callable[[Any], Response]) -> Response:
        started = time.perf_counter()
        context = request.context or {}
        request_id = context.get("requestId") or new_id()
        path = context.get("resourcePath") or request.path
        spec = route_spec(path, request.method)
        _state.request_id, _state.principal, _state.memo, _state.request = request_id, None, {}, request
        observability.start_request(request_id=request_id, route=path, method=request.method)
        token = None
        tenant_id = None
        try:
            if _too_large(request, spec):
                raise errors.PayloadTooLargeError()
            principal = _authenticate(request, spec, app.routes.get(path, {}))
            if principal is not None:
                tenant_id = principal.tenant_id
                _state.principal = principal
                token = bind_tenant(tenant_id)
                observability.bind_tenant(tenant_id, actor_id=getattr(principal, "actor_id", None))
            response = _reshape(get_response(request), request_id)
        except errors.CRMError as exc:
            response = error_response(exc, request_id)
        except Exception:  # noqa: BLE001 - never a bare 500 page; log and answer in our shape
            logger.exception("unhandled error in middleware")
            response = error_response(errors.InternalError(), request_id)
        finally:
            if token is not None:
                unbind(token)
            _state.request_id, _state.principal, _state.memo, _state.request = None, None, None, None
        response.headers.setdefault("X-Request-Id", request_id)
        for name, value in BASELINE_HEADERS.items():
            response.headers.setdefault(name, value)
        if spec is not None and spec.cors:  # answers made before the route (413, auth) too: the site reads why
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info("request", extra={"status": response.status_code, "duration_ms": round(duration_ms, 1)})
        observability.record_request(route=path, status=response.status_code, duration_ms=duration_ms,
                                     tenant_id=tenant_id)
        observability.end_request()
        return response
