"""Routes of tenant data: the owner's export and the deletion of the company (with its cancellation)."""

from __future__ import annotations

from chalicelib.core.http import Api, ApiRequest
from chalicelib.tenantdata import schemas as s
from chalicelib.tenantdata import service

api = Api(__name__, tag="tenantdata")


@api.route("/api/v1/tenant/export", method="POST", summary="Export all the company's data (owner only)",
           response=s.TenantExportRead, status=202, errors=(403,))
def export_request(request: ApiRequest) -> s.TenantExportRead:
    ctx = request.tenant
    return service.export_read(ctx, service.request_export(ctx))


@api.route("/api/v1/tenant/export/{export_id}", summary="An export's progress and, when done, a download link "
           "valid 15 minutes", response=s.TenantExportRead, errors=(403, 404))
def export_get(request: ApiRequest, export_id: str) -> s.TenantExportRead:
    ctx = request.tenant
    return service.export_read(ctx, service.get_export(ctx, export_id))


@api.route("/api/v1/tenant/deletion", method="POST", summary="Delete the company and all its data after a 30-day "
                                                            "grace period (owner, password again)",
           body=s.TenantDeletionIn, response=s.TenantDeletionRead, status=202, errors=(403, 409, 429))
def deletion_schedule(request: ApiRequest) -> s.TenantDeletionRead:
    return service.deletion_read(service.schedule_deletion(request.tenant, password=request.body.password))


@api.route("/api/v1/tenant/deletion", method="DELETE", summary="Cancel the scheduled deletion with the e-mailed "
                                                              "link's token", body=s.TenantDeletionCancelIn, status=204,
           public=True, errors=(400, 409))
def deletion_cancel(request: ApiRequest) -> None:
    service.cancel_with_link(token=request.body.token)
