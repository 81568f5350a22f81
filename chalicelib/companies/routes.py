"""Routes of the companies domain: CRUD, search, card, timeline, trash (links to contacts: ``contacts.routes``)."""

from __future__ import annotations

import chalicelib.companies.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.companies import schemas as s
from chalicelib.companies import service
from chalicelib.companies.models import CompanyRow
from chalicelib.companies.record import COMPANY
from chalicelib.core import db
from chalicelib.core.http import Api, ApiRequest
from chalicelib.records import search, trash
from chalicelib.records import timeline as timeline_service
from chalicelib.records.schemas import TimelinePage

api = Api(__name__, tag="companies")


def _summary(row: CompanyRow) -> s.CompanySummary:
    return s.CompanySummary(
        id=row.record_id, name=row.name, phone=row.phone, email=row.email, website=row.website,
        industry=row.industry, tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id,
        created_at=row.created_at, updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version),
    )


def _page(page: db.Page[CompanyRow]) -> s.CompanyPage:
    return s.CompanyPage(items=[_summary(row) for row in page.items], next_cursor=page.next_cursor)


@api.route("/api/v1/companies", summary="List, search and filter companies", query=s.CompanyListQuery,
           response=s.CompanyPage, errors=(400, 403))
def companies_list(request: ApiRequest) -> s.CompanyPage:
    return _page(search.list_records(request.tenant, COMPANY, request.query))


@api.route("/api/v1/companies", method="POST", summary="Create a company", body=s.CompanyCreate,
           response=s.CompanyRead, status=201, errors=(403,))
def companies_create(request: ApiRequest) -> s.CompanyRead:
    return service.company_read(request.tenant, service.create(request.tenant, data=request.body))


@api.route("/api/v1/companies/{company_id}", summary="The company card: company, contacts, deals, timeline",
           response=s.CompanyCard, errors=(404,))
def companies_get(request: ApiRequest, company_id: str) -> s.CompanyCard:
    return service.card(request.tenant, company_id)


@api.route("/api/v1/companies/{company_id}", method="PATCH", summary="Change a company (with its version)",
           body=s.CompanyUpdate, response=s.CompanyRead, errors=(403, 404, 409))
def companies_update(request: ApiRequest, company_id: str) -> s.CompanyRead:
    return service.company_read(request.tenant, service.update(request.tenant, company_id, data=request.body))


@api.route("/api/v1/companies/{company_id}", method="DELETE", summary="Move a company to the trash",
           response=s.CompanyRead, errors=(403, 404, 409))
def companies_delete(request: ApiRequest, company_id: str) -> s.CompanyRead:
    return service.company_read(request.tenant, trash.delete(request.tenant, COMPANY, company_id))


@api.route("/api/v1/companies/{company_id}/restore", method="POST", summary="Bring a company back from the trash",
           response=s.CompanyRead, errors=(403, 404, 409))
def companies_restore(request: ApiRequest, company_id: str) -> s.CompanyRead:
    return service.company_read(request.tenant, trash.restore(request.tenant, COMPANY, company_id))


@api.route("/api/v1/companies/{company_id}/timeline", summary="A company's timeline, newest first",
           query=s.PageQuery, response=TimelinePage, errors=(400, 404))
def companies_timeline(request: ApiRequest, company_id: str) -> TimelinePage:
    ctx = request.tenant
    service.get_or_raise(ctx, company_id)
    page = timeline_service.list_entries(ctx, subject_type="company", subject_id=company_id,
                                         limit=request.query.limit, cursor=request.query.cursor)
    return TimelinePage(items=[timeline_service.entry_view(e) for e in page.items], next_cursor=page.next_cursor)


@api.route("/api/v1/trash/companies", summary="Deleted companies, most recent first", query=s.PageQuery,
           response=s.CompanyPage, errors=(400, 403))
def companies_trash(request: ApiRequest) -> s.CompanyPage:
    return _page(trash.list_trash(request.tenant, COMPANY, limit=request.query.limit, cursor=request.query.cursor))


@api.route("/api/v1/trash/companies/{company_id}", method="DELETE", summary="Purge a deleted company for good",
           status=204, errors=(403, 404))
def companies_purge(request: ApiRequest, company_id: str) -> None:
    trash.purge(request.tenant, COMPANY, company_id)
