"""Which module serves which route, known before any of them is imported (cold start).

``routes.json`` (next to this file) lists every route of the API: path, method, the module that
declares it and what API Gateway must know of it (content types, CORS). ``app.py`` registers these
with Chalice, and a route's module, with its schemas and services, is imported by the first request
that reaches it; a warm Lambda then serves it like any other. The file is generated from the
modules themselves (``python -m chalicelib.core.routing``) and a test fails when it is stale.
"""

from __future__ import annotations

import importlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("routes.json")
# Every module that declares routes, in registration order.
DOMAINS = (
    "chalicelib.system.routes", "chalicelib.identity.routes", "chalicelib.contacts.routes",
    "chalicelib.contacts.card.routes",  # the card apart: a first card loads no write, merge or bulk action (#22)
    "chalicelib.companies.routes", "chalicelib.deals.routes", "chalicelib.products.routes", "chalicelib.orders.routes",
    "chalicelib.tasks.routes",
    "chalicelib.notes.routes",
    "chalicelib.records.customfields.routes", "chalicelib.records.fieldaccess.routes",
    "chalicelib.dataio.routes", "chalicelib.auditlog.routes",
    "chalicelib.tenantdata.routes", "chalicelib.integrations.routes", "chalicelib.forms.routes",
    "chalicelib.telephony.hooks.routes", "chalicelib.telephony.routes", "chalicelib.messaging.hooks.routes",
    "chalicelib.messaging.routes", "chalicelib.live.routes",
    "chalicelib.subscriptions.routes", "chalicelib.notifications.routes",
    "chalicelib.segments.routes", "chalicelib.campaigns.routes",
    "chalicelib.reports.routes", "chalicelib.automations.routes", "chalicelib.tickets.routes", "chalicelib.kb.routes",
    "chalicelib.documents.routes", "chalicelib.personaldata.routes", "chalicelib.ui.routes",
)


@dataclass(frozen=True)
class RouteSet:
    """Routes named by their whole templates (``/api/v1/exports/{export_id}``), plus folders whose every route
    belongs (each ends in "/"). Never a bare prefix: "/api/v1/me" as one let "/api/v1/merges/{merge_id}/undo"
    through a limited token."""

    paths: frozenset[str]
    folders: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(not folder.endswith("/") for folder in self.folders):
            raise ValueError("a folder of routes ends in '/'")

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (path in self.paths or path.startswith(self.folders))


_lock = threading.Lock()
_entries: list[dict[str, Any]] = []
_modules: dict[tuple[str, str], str] = {}


def entries() -> list[dict[str, Any]]:
    """The routes as the table lists them (read once)."""
    if not _entries:
        with _lock:
            if not _entries:
                found = json.loads(TABLE.read_text(encoding="utf-8"))
                _modules.update({(entry["path"], entry["method"]): entry["module"] for entry in found})
                _entries.extend(found)
    return _entries


def module_of(path: str, method: str) -> str | None:
    """The module that declares a route, or None when the table has no such route."""
    entries()
    return _modules.get((path, method))


def load(module: str) -> None:
    """Import a route module (its routes join the registry); a no-op once imported."""
    importlib.import_module(module)


def load_all() -> None:
    """Import every route module: for the OpenAPI document and for tools that walk the registry."""
    for module in DOMAINS:
        load(module)


def table_of(registry: dict[tuple[str, str], Any]) -> list[dict[str, Any]]:
    """The table as the registry has it (every module loaded)."""
    return [{"path": spec.path, "method": spec.method, "module": spec.module, "view": spec.operation_id,
             "content_types": list(spec.content_types), "cors": spec.cors} for spec in registry.values()]


def main() -> None:
    """Write routes.json from the modules."""
    from chalicelib.core.http import REGISTRY

    load_all()
    ours = {key: spec for key, spec in REGISTRY.items() if spec.module in DOMAINS}
    lines = ",\n".join(" " + json.dumps(entry) for entry in table_of(ours))
    TABLE.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{TABLE}: {len(REGISTRY)} routes")


if __name__ == "__main__":
    main()
