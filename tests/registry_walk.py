"""Helpers for tests that walk the route registry (chalicelib.core.http.REGISTRY) instead of a hand-made list.

Importing this module imports the app, which fills the registry.
"""

from __future__ import annotations

import app as _app_module
from chalicelib.core.http import REGISTRY, RouteSpec

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_WRITES_WALKED = frozenset({("/hooks/forms/{key}", "POST"),  # public, but store tenant data
                                  ("/hooks/stripe", "POST"), ("/hooks/whatsapp/{key}", "POST"),
                                  ("/hooks/telegram/{key}", "POST")})


def app_routes() -> list[RouteSpec]:
    """The registry's routes that the app serves (test apps, such as tests/core/probe.py, register routes too)."""
    served = _app_module.app.routes
    return [spec for spec in REGISTRY.values() if spec.method in served.get(spec.path, {})]


def public_api_writes() -> list[RouteSpec]:
    """The public write routes under /api/v1 (sign-up, sign-in, links from e-mails ...)."""
    return sorted((spec for spec in app_routes() if spec.method in WRITE_METHODS and spec.public
                   and spec.path.startswith("/api/v1/")), key=route_name)


def route_name(spec: RouteSpec) -> str:
    """``METHOD /path``: how a route is named in ids, tables and reports."""
    return f"{spec.method} {spec.path}"


def write_routes() -> list[RouteSpec]:
    """Every route that changes data for a signed-in caller, plus the public hooks that store tenant data."""
    return sorted((spec for spec in app_routes() if spec.method in WRITE_METHODS
                   and ((not spec.public and spec.path.startswith("/api/v1/"))
                        or (spec.path, spec.method) in PUBLIC_WRITES_WALKED)), key=route_name)


def fill_path(spec: RouteSpec, ids: dict[str, str]) -> str:
    """The route's path with every ``{param}`` replaced by ids[param]."""
    path = spec.path
    for name in spec.path_params:
        path = path.replace("{" + name + "}", ids[name])
    return path
