"""Listing and searching companies: one Query on a list partition or on the name tokens."""

from __future__ import annotations

from chalicelib.companies.models import CompanyRow
from chalicelib.companies.schemas import CompanyListQuery
from chalicelib.companies.service import ENTITY, SPACE
from chalicelib.contacts import listing, matching
from chalicelib.core import db, permissions
from chalicelib.core.tenancy import TenantContext


def list_companies(ctx: TenantContext, query: CompanyListQuery) -> db.Page[CompanyRow]:
    """One page of the companies the caller may see, filtered, searched and sorted as asked."""
    scope = permissions.require(ctx, ENTITY, "read")
    custom = listing.custom_filters(query)
    plan = listing.plan(ctx, CompanyRow, query, scope, custom)
    if not query.q:
        return listing.list_rows(ctx, CompanyRow, SPACE, plan)
    q = query.q.strip()
    if "@" in q or ("." in q and " " not in q):  # an e-mail or a web address is one token
        prefix, others = matching.fold(q).removeprefix("www."), list[str]()
    else:
        split = listing.split_words(q)
        if split is None:
            return db.Page(items=[], next_cursor=None)
        prefix, others = split
    return listing.search_by_words(ctx, CompanyRow, SPACE, plan, prefix=prefix, others=others)
