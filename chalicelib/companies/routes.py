"""Routes of the companies domain: the record engine's (links to contacts: ``contacts.routes``)."""

from __future__ import annotations

from chalicelib.companies import schemas as s
from chalicelib.companies import service
from chalicelib.companies.models import CompanyRow
from chalicelib.companies.record import COMPANY
from chalicelib.core import db
from chalicelib.core.http import Api
from chalicelib.records import routes

api = Api(__name__, tag="companies")


def _summary(row: CompanyRow) -> s.CompanySummary:
    return s.CompanySummary(
        id=row.record_id, name=row.name, phone=row.phone, email=row.email, website=row.website,
        industry=row.industry, tags=sorted(row.tags or ()), owner_id=row.owner_id, team_id=row.team_id,
        created_at=row.created_at, updated_at=row.updated_at, deleted_at=row.deleted_at, version=int(row.version),
    )


def _page(page: db.Page[CompanyRow]) -> s.CompanyPage:
    return s.CompanyPage(items=[_summary(row) for row in page.items], next_cursor=page.next_cursor)


routes.declare(api, COMPANY, routes.Views(
    read=service.company_read, read_schema=s.CompanyRead, page=_page, page_schema=s.CompanyPage,
    list_query=s.CompanyListQuery, create=s.CompanyCreate, update=s.CompanyUpdate, card=service.card,
    card_schema=s.CompanyCard, bulk=True))
