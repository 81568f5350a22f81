"""Routes of the customfields domain: the definitions of a tenant's custom fields."""

from __future__ import annotations

import chalicelib.records.customfields.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.core.http import Api, ApiRequest
from chalicelib.records.customfields import schemas as s
from chalicelib.records.customfields import service

api = Api(__name__, tag="customfields")


@api.route("/api/v1/custom-fields", summary="The custom field definitions (of one entity, or all)",
           query=s.FieldListQuery, response=s.FieldPage)
def custom_fields_list(request: ApiRequest) -> s.FieldPage:
    query = request.query
    page = service.list_fields(request.tenant, entity=query.entity, include_archived=query.include_archived,
                               limit=query.limit, cursor=query.cursor)
    return s.FieldPage(items=[service.field_read(d) for d in page.items], next_cursor=page.next_cursor)


@api.route("/api/v1/custom-fields", method="POST", summary="Define a custom field", body=s.FieldIn,
           response=s.FieldRead, status=201, errors=(409,))
def custom_fields_create(request: ApiRequest) -> s.FieldRead:
    return service.field_read(service.create_field(request.tenant, request.body))


@api.route("/api/v1/custom-fields/{field_id}", summary="One custom field definition", response=s.FieldRead,
           errors=(404,))
def custom_fields_get(request: ApiRequest, field_id: str) -> s.FieldRead:
    return service.field_read(service.get_field_or_raise(request.tenant, field_id))


@api.route("/api/v1/custom-fields/{field_id}", method="PATCH",
           summary="Change a custom field's label, options, order or flags; restore an archived one",
           body=s.FieldUpdate, response=s.FieldRead, errors=(404, 409))
def custom_fields_update(request: ApiRequest, field_id: str) -> s.FieldRead:
    return service.field_read(service.update_field(request.tenant, field_id, request.body))


@api.route("/api/v1/custom-fields/{field_id}", method="DELETE",
           summary="Archive a custom field (its values are kept)", status=204, errors=(404,))
def custom_fields_archive(request: ApiRequest, field_id: str) -> None:
    service.archive_field(request.tenant, field_id)
