"""The routes every record type answers, declared from its type into the calling module's ``Api``.

``/api/v1/<plural>`` (list, search, filter; create), ``/<plural>/{<name>_id}`` (read, change, move
to the trash), ``/restore``, ``/timeline``, ``/api/v1/trash/<plural>`` (the trash, purge), and where the
type offers them ``/<plural>/bulk`` (assign, tag, untag or trash many at once). A
domain passes how its records and rows read and leaves out (``skip``) the routes it answers its own
way (a contact's create, which may merge a duplicate; its card, which may reveal encrypted ids).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from chalicelib.core import db
from chalicelib.core.http import Api, ApiRequest
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, bulk, trash
from chalicelib.records import service as records_service
from chalicelib.records import timeline as timeline_service
from chalicelib.records.fieldaccess import search as field_search
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown
from chalicelib.records.schemas import BulkIn, BulkOut, PageQuery, TimelinePage
from chalicelib.records.types import RecordType


@dataclass(frozen=True)
class Views:
    """How a type's records and list rows answer, and the schemas of its requests."""

    read: Callable[[TenantContext, Any], BaseModel]  # a record as the API shows it
    read_schema: type[BaseModel]
    page: Callable[[db.Page[Any]], BaseModel]  # a page of list rows
    page_schema: type[BaseModel]
    list_query: type[BaseModel]
    create: type[BaseModel] | None = None
    update: type[BaseModel] | None = None
    card: Callable[[TenantContext, str], BaseModel] | None = None  # the GET answer; read by default
    card_schema: type[BaseModel] | None = None
    bulk: bool = False  # offers bulk actions (a type whose own steps a bulk change would skip does not)


def declare(api: Api, rtype: RecordType, views: Views, *, skip: Iterable[str] = ()) -> None:
    """Declare the type's routes (each named ``<plural>_<action>``) but those in skip."""
    base, item = f"/api/v1/{rtype.plural}", f"/api/v1/{rtype.plural}/{{{rtype.name}_id}}"
    trash_base = f"/api/v1/trash/{rtype.plural}"
    label, param = rtype.label, f"{rtype.name}_id"
    # Every answer leaves out the fields the caller's role may not read (records.fieldaccess).

    def read(r: ApiRequest, record: Any) -> Any:
        return shown.record(r.tenant, rtype, views.read(r.tenant, record))

    def page(r: ApiRequest, rows: db.Page[Any]) -> Any:
        return shown.page(r.tenant, rtype, views.page(rows))

    def checked(r: ApiRequest, *, create: bool) -> Any:
        field_rules.check_request(r.tenant, rtype, r.body, create=create)
        return r.body
    routes: dict[str, tuple[str, dict[str, Any], Callable[..., Any]]] = {
        "list": (base, _opts(summary=f"List, search and filter {rtype.plural}", query=views.list_query,
                            response=views.page_schema, errors=(400, 403)),
                 lambda r: page(r, field_search.list_records(r.tenant, rtype, r.query))),
        "delete": (item, _opts(method="DELETE", summary=f"Move a {label} to the trash", response=views.read_schema,
                              errors=(403, 404, 409)),
                   lambda r, **p: read(r, trash.delete(r.tenant, rtype, p[param]))),
        "restore": (f"{item}/restore", _opts(method="POST", summary=f"Bring a {label} back from the trash",
                                            response=views.read_schema, errors=(403, 404, 409)),
                    lambda r, **p: read(r, trash.restore(r.tenant, rtype, p[param]))),
        "timeline": (f"{item}/timeline", _opts(summary=f"A {label}'s timeline, newest first", query=PageQuery,
                                              response=TimelinePage, errors=(400, 404)),
                     lambda r, **p: _timeline(r, rtype, p[param])),
        "trash": (trash_base, _opts(summary=f"Deleted {rtype.plural}, most recent first", query=PageQuery,
                                   response=views.page_schema, errors=(400, 403)),
                  lambda r: page(r, trash.list_trash(r.tenant, rtype, limit=r.query.limit, cursor=r.query.cursor))),
        "purge": (f"{trash_base}/{{{param}}}", _opts(method="DELETE", summary=f"Purge a deleted {label} for good",
                                                    status=204, errors=(403, 404)),
                  lambda r, **p: trash.purge(r.tenant, rtype, p[param])),
        "get": (item, _opts(summary=f"The {label} card" if views.card else f"A {label}",
                            response=views.card_schema or views.read_schema, errors=(404,)),
                lambda r, **p: shown.record(r.tenant, rtype, views.card(r.tenant, p[param])) if views.card is not None
                else read(r, access.get_or_raise(r.tenant, rtype, p[param]))),
    }
    if views.create is not None:
        routes["create"] = (base, _opts(method="POST", summary=f"Create a {label}", body=views.create,
                                       response=views.read_schema, status=201, errors=(403, 409)),
                            lambda r: read(r, records_service.create(r.tenant, rtype, data=checked(r, create=True))))
    if views.update is not None:
        routes["update"] = (item, _opts(method="PATCH", summary=f"Change a {label} (with its version)",
                                       body=views.update, response=views.read_schema, errors=(403, 404, 409)),
                            lambda r, **p: read(r, records_service.update(
                                r.tenant, rtype, p[param], data=checked(r, create=False))[1]))
    if views.bulk:
        summary = f"Assign, tag, untag or trash many {rtype.plural}"
        routes["bulk"] = (f"{base}/bulk", _opts(method="POST", summary=summary, body=BulkIn, response=BulkOut,
                                               errors=(403,)),
                          lambda r: BulkOut(items=bulk.run(r.tenant, rtype, r.body)))
    for action, (path, options, view) in routes.items():
        if action not in skip:
            view.__name__ = f"{rtype.plural}_{action}"
            api.route(path, **options)(view)


def _opts(**options: Any) -> dict[str, Any]:
    return options


def _timeline(request: ApiRequest, rtype: RecordType, record_id: str) -> TimelinePage:
    access.get_or_raise(request.tenant, rtype, record_id)
    page = timeline_service.list_entries(request.tenant, subject_type=rtype.name, subject_id=record_id,
                                         limit=request.query.limit, cursor=request.query.cursor)
    entries = shown.entries(request.tenant, [timeline_service.entry_view(e) for e in page.items])
    return TimelinePage(items=entries, next_cursor=page.next_cursor)
