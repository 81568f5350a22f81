"""Routes of the audit trail: the feed, the sensitive-read log, chain verification and revert."""

from __future__ import annotations

from typing import Any

from chalicelib.auditlog import schemas as s
from chalicelib.auditlog import service
from chalicelib.core.http import Api, ApiRequest
from chalicelib.core.tenancy import TenantContext
from chalicelib.records.fieldaccess import views as shown

api = Api(__name__, tag="auditlog")


@api.route("/api/v1/audit", summary="The company's audit trail, newest first (filter by entity, actor, action, "
                                    "time)", query=s.AuditQuery, response=s.AuditPage, errors=(403,))
def audit_list(request: ApiRequest) -> dict[str, Any]:
    page = service.list_records(request.tenant, request.query)
    return {"items": [_read(request.tenant, r) for r in page.items], "next_cursor": page.next_cursor}


def _read(ctx: TenantContext, record: Any) -> dict[str, Any]:
    """An audit record as the caller's role may see it: values of fields it may not read left out, and then
    its hashes too (with the rest of the record known, a hash would let a short value be guessed)."""
    read = service.record_read(record)
    changes = shown.audit_changes(ctx, read.entity, read.changes)
    if changes == read.changes:
        return read.model_dump(mode="json")
    return {**read.model_dump(mode="json", exclude={"hash", "prev_hash"}), "changes": changes}


@api.route("/api/v1/audit/reads", summary="Who read sensitive values in clear, newest first", query=s.ReadsQuery,
           response=s.SensitiveReadPage, errors=(403,))
def audit_reads(request: ApiRequest) -> s.SensitiveReadPage:
    page = service.list_sensitive_reads(request.tenant, request.query)
    return s.SensitiveReadPage(items=[service.sensitive_read_view(r) for r in page.items],
                               next_cursor=page.next_cursor)


@api.route("/api/v1/audit/verify", summary="Verify the hash chain of one entity, or of the entities in a page of "
                                           "the trail", query=s.VerifyQuery, response=s.VerifyOut, errors=(403, 404))
def audit_verify(request: ApiRequest) -> s.VerifyOut:
    query = request.query
    if query.entity is not None and query.entity_id is not None:
        report = service.verify_entity(request.tenant, entity=query.entity, entity_id=query.entity_id)
        return s.VerifyOut(ok=report.ok, first_broken_seq=report.first_broken_seq, chains=[report])
    chains, cursor = service.verify_feed_page(request.tenant, limit=query.limit, cursor=query.cursor)
    return s.VerifyOut(ok=all(c.ok for c in chains), chains=chains, next_cursor=cursor)


@api.route("/api/v1/audit/{audit_id}/revert", method="POST", summary="Put back the values a recorded change "
                                                                    "replaced (itself audited)",
           body=s.RevertIn, response=s.AuditRead, errors=(403, 404, 409))
def audit_revert(request: ApiRequest, audit_id: str) -> Any:
    return _read(request.tenant, service.revert(request.tenant, audit_id, force=request.body.force))
