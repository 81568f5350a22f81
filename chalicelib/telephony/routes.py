"""Calls: the list (missed first on the screen), one call, its recording, click-to-call, the counters."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.calls import schemas as s
from chalicelib.calls.record import CALL
from chalicelib.core import errors
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown
from chalicelib.telephony import service

api = Api(__name__, tag="calls")
BASE = "/api/v1/calls"


@api.route(BASE, summary="Calls, newest first, filtered by contact, employee, direction, status and dates",
           query=s.CallListQuery, response=s.CallPage, errors=(400, 422))
def calls_list(request: ApiRequest) -> dict[str, Any]:
    page = service.list_calls(request.tenant, request.query)
    return {"items": shown.records(request.tenant, CALL, page.items), "next_cursor": page.next_cursor}


@api.route(BASE, method="POST", summary="Click-to-call: ring my extension, then the customer",
           body=s.CallCreate, response=s.CallStarted, status=202, errors=(403, 404, 409, 422, 502))
def calls_dial(request: ApiRequest) -> Response:
    call = service.click_to_call(request.tenant, request.body)
    return json_response({"id": call.call_id, "status": call.status}, status=202)


@api.route(BASE + "/stats", summary="Call counters of a period per employee and direction", query=s.StatsQuery,
           response=s.StatsRead, errors=(422,))
def calls_stats(request: ApiRequest) -> dict[str, Any]:
    return {"items": service.stats(request.tenant, request.query)}


@api.route(BASE + "/lines", summary="My telephone lines: where I have an extension (click-to-call uses them)",
           response=s.LinePage, errors=(403,))
def calls_lines(request: ApiRequest) -> dict[str, Any]:
    return {"items": service.my_lines(request.tenant)}


@api.route(BASE + "/{call_id}", summary="One call", response=s.CallRead, errors=(404,))
def calls_get(request: ApiRequest, call_id: str) -> Any:
    ctx = request.tenant
    return shown.record(ctx, CALL, CALL.hooks["read"](ctx, service.get_call(ctx, call_id)))


@api.route(BASE + "/{call_id}/recording", summary="A five-minute link to the call's recording (an audited read)",
           response=s.RecordingLink, errors=(404,))
def calls_recording(request: ApiRequest, call_id: str) -> dict[str, Any]:
    if "recording" in field_rules.hidden(request.tenant, CALL):
        raise errors.ForbiddenError("Your role may not listen to call recordings.", code="field_hidden")
    return service.recording_link(request.tenant, call_id)
