"""Routes of segments: the saved filters, their members and a draft's live count (a segment's export is a dataio
export job: ``POST /api/v1/exports`` with the filter ``segment``)."""

from __future__ import annotations

from chalicelib.core.http import Api, ApiRequest
from chalicelib.segments import schemas as s
from chalicelib.segments import service

api = Api(__name__, tag="segments")


@api.route("/api/v1/segments", summary="The company's segments with their member counts", query=s.SegmentListQuery,
           response=s.SegmentPage, errors=(403,))
def segments_list(request: ApiRequest) -> s.SegmentPage:
    return service.list_segments(request.tenant, limit=request.query.limit, cursor=request.query.cursor)


@api.route("/api/v1/segments", method="POST", summary="Save a segment: conditions over contacts, kept as events happen",
           body=s.SegmentCreate, response=s.SegmentRead, status=201, errors=(403, 422))
def segments_create(request: ApiRequest) -> s.SegmentRead:
    return service.create(request.tenant, data=request.body)


@api.route("/api/v1/segments/preview", method="POST", summary="How many contacts a draft of conditions selects (live)",
           body=s.SegmentDraft, response=s.SegmentPreview, errors=(403, 422))
def segments_preview(request: ApiRequest) -> s.SegmentPreview:
    return service.preview(request.tenant, draft=request.body)


@api.route("/api/v1/segments/{segment_id}", summary="One segment with its count", response=s.SegmentRead,
           errors=(403, 404))
def segments_get(request: ApiRequest, segment_id: str) -> s.SegmentRead:
    return service.read_one(request.tenant, segment_id)


@api.route("/api/v1/segments/{segment_id}", method="PATCH", summary="Rename a segment or change its conditions",
           body=s.SegmentUpdate, response=s.SegmentRead, errors=(403, 404, 409, 422))
def segments_update(request: ApiRequest, segment_id: str) -> s.SegmentRead:
    return service.update(request.tenant, segment_id, data=request.body)


@api.route("/api/v1/segments/{segment_id}", method="DELETE", summary="Delete a segment", status=204,
           errors=(403, 404))
def segments_delete(request: ApiRequest, segment_id: str) -> None:
    service.delete(request.tenant, segment_id)


@api.route("/api/v1/segments/{segment_id}/members", summary="A page of a segment's contacts", query=s.SegmentListQuery,
           response=s.SegmentMemberPage, errors=(400, 403, 404))
def segments_members(request: ApiRequest, segment_id: str) -> s.SegmentMemberPage:
    return service.members(request.tenant, segment_id, limit=request.query.limit, cursor=request.query.cursor)

