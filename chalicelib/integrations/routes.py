"""Integration settings and their inbox: create, list, read, change, delete, rotate; events and replay."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import permissions
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.inbox import service as inbox_service
from chalicelib.integrations import schemas as s
from chalicelib.integrations import (
    service,
    tenantdata_items,  # noqa: F401 - declares the items to tenant data
)

api = Api(__name__, tag="integrations")
BASE = "/api/v1/integrations"


@api.route(BASE, summary="The company's integrations", query=s.ListQuery, response=s.IntegrationPage)
def integrations_list(request: ApiRequest) -> dict[str, Any]:
    ctx, query = request.tenant, request.query
    page = service.list_integrations(ctx, limit=query.limit, cursor=query.cursor)
    return {"items": [service.integration_read(ctx, item) for item in page.items], "next_cursor": page.next_cursor}


@api.route(BASE, method="POST", summary="Create an integration; its secret is shown once",
           body=s.IntegrationCreate, response=s.IntegrationCreated, status=201, errors=(403, 422))
def integrations_create(request: ApiRequest) -> Response:
    ctx = request.tenant
    integration, secret = service.create(ctx, data=request.body)
    return json_response({**service.integration_read(ctx, integration), "secret": secret}, status=201)


@api.route(BASE + "/{integration_id}", summary="One integration", response=s.IntegrationRead, errors=(404,))
def integrations_get(request: ApiRequest, integration_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return service.integration_read(ctx, service.get_or_raise(ctx, integration_id))


@api.route(BASE + "/{integration_id}", method="PATCH", summary="Rename, enable, disable or reconfigure",
           body=s.IntegrationUpdate, response=s.IntegrationRead, errors=(403, 404, 409, 422))
def integrations_update(request: ApiRequest, integration_id: str) -> dict[str, Any]:
    ctx = request.tenant
    return service.integration_read(ctx, service.update(ctx, integration_id, data=request.body))


@api.route(BASE + "/{integration_id}", method="DELETE", summary="Delete; its webhook URL answers 404 at once",
           status=204, errors=(403, 404))
def integrations_delete(request: ApiRequest, integration_id: str) -> None:
    service.delete(request.tenant, integration_id)


@api.route(BASE + "/{integration_id}/rotate", method="POST", summary="A new signing secret or webhook key",
           body=s.RotateIn, response=s.IntegrationRotated, errors=(403, 404, 409))
def integrations_rotate(request: ApiRequest, integration_id: str) -> dict[str, Any]:
    ctx = request.tenant
    integration, secret = service.rotate(ctx, integration_id, data=request.body)
    return {**service.integration_read(ctx, integration), **({"secret": secret} if secret else {})}


@api.route(BASE + "/{integration_id}/events", summary="An integration's recent events, newest first",
           query=s.EventListQuery, response=s.EventPage, errors=(404,))
def integrations_events(request: ApiRequest, integration_id: str) -> dict[str, Any]:
    ctx, query = request.tenant, request.query
    service.get_or_raise(ctx, integration_id)
    page = inbox_service.list_events(ctx, integration_id, status=query.status, limit=query.limit,
                                     cursor=query.cursor)
    return {"items": [inbox_service.event_view(event) for event in page.items], "next_cursor": page.next_cursor}


@api.route(BASE + "/{integration_id}/events/{event_id}", summary="One event with its fields as received",
           response=s.EventDetail, errors=(404,))
def integrations_event(request: ApiRequest, integration_id: str, event_id: str) -> dict[str, Any]:
    ctx = request.tenant
    integration = service.get_or_raise(ctx, integration_id)
    event = inbox_service.get_event(ctx, integration_id, event_id)
    payload = inbox_service.read_payload(ctx, event)
    if integration.integration_type == "form" and not permissions.sees_sensitive(ctx):
        from chalicelib.forms import service as forms_service  # only for a role that may not see sensitive values

        payload = forms_service.masked_payload(ctx, integration, payload)
    return {**inbox_service.event_view(event), "payload": payload}


@api.route(BASE + "/{integration_id}/events/{event_id}/replay", method="POST",
           summary="Process an event again now", response=s.EventRead, errors=(403, 404))
def integrations_replay(request: ApiRequest, integration_id: str, event_id: str) -> dict[str, Any]:
    return inbox_service.event_view(inbox_service.replay(request.tenant, integration_id, event_id))
