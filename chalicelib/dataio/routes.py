"""Routes of the dataio domain: imports (upload, preview, start, progress) and exports."""

from __future__ import annotations

from chalicelib.core.http import Api, ApiRequest
from chalicelib.dataio import history, service, undo
from chalicelib.dataio import schemas as s

api = Api(__name__, tag="dataio")


@api.route("/api/v1/imports", method="POST", summary="Read a CSV or XLSX file (inline or uploaded), preview its import",
           body=s.ImportIn, response=s.ImportRead, status=201, errors=(404, 413, 422), max_body=s.MAX_INLINE_BODY)
def imports_create(request: ApiRequest) -> s.ImportRead:
    ctx = request.tenant
    return service.import_read(ctx, service.create_import(ctx, request.body))


@api.route("/api/v1/imports", summary="The company's recent imports, newest first: status, counts, who started it",
           query=s.ImportListQuery, response=s.ImportPage, errors=(400, 403))
def imports_list(request: ApiRequest) -> s.ImportPage:
    return history.list_imports(request.tenant, limit=request.query.limit, cursor=request.query.cursor)


@api.route("/api/v1/imports/uploads", method="POST", summary="A presigned form to upload a file of up to 20 MB",
           body=s.UploadIn, response=s.UploadRead, status=201, errors=(403, 422))
def imports_upload(request: ApiRequest) -> s.UploadRead:
    return service.create_upload(request.tenant, request.body)


@api.route("/api/v1/imports/{import_id}", summary="An import: its preview, status and progress",
           response=s.ImportRead, errors=(404,))
def imports_get(request: ApiRequest, import_id: str) -> s.ImportRead:
    ctx = request.tenant
    return service.import_read(ctx, service.get_import(ctx, import_id))


@api.route("/api/v1/imports/{import_id}/start", method="POST",
           summary="Start an import (optionally remapped or, for deals, its stages mapped)",
           body=s.ImportStartIn, response=s.ImportRead, status=202, errors=(404, 409, 422))
def imports_start(request: ApiRequest, import_id: str) -> s.ImportRead:
    ctx = request.tenant
    body = request.body
    job = service.start_import(ctx, import_id, version=body.version, mapping=body.mapping,
                               pipeline_id=body.pipeline_id, stages=body.stages)
    return service.import_read(ctx, job)


@api.route("/api/v1/imports/{import_id}/undo", method="POST",
           summary="Undo a whole finished import: every record it created to the trash, audited as reverts",
           response=s.UndoRead, status=202, errors=(403, 404, 409))
def imports_undo(request: ApiRequest, import_id: str) -> s.UndoRead:
    return undo.start_undo(request.tenant, import_id)


@api.route("/api/v1/imports/{import_id}/undo", summary="An import's undo: its status and progress",
           response=s.UndoRead, errors=(404,))
def imports_undo_get(request: ApiRequest, import_id: str) -> s.UndoRead:
    return undo.get_undo(request.tenant, import_id)


@api.route("/api/v1/exports", method="POST", summary="Export records as CSV or XLSX",
           body=s.ExportIn, response=s.ExportRead, status=202, errors=(403, 422))
def exports_create(request: ApiRequest) -> s.ExportRead:
    return service.export_read(service.create_export(request.tenant, request.body))


@api.route("/api/v1/exports/{export_id}", summary="An export: its status and a 15-minute download link",
           response=s.ExportRead, errors=(404,))
def exports_get(request: ApiRequest, export_id: str) -> s.ExportRead:
    return service.export_read(service.get_export(request.tenant, export_id))
