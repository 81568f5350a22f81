"""Listing and searching records of any type: every answer is one Query on a list partition or a lookup.

- ``q`` a type finds by an exact key (a phone or e-mail of a lookup field, ``records.lookups``; a
  contact's own lookups and encrypted ids through its hook ``exact``): that lookup.
- ``q`` of 4 or more digits (spaces, dashes, brackets) that is no whole valid number, for a type with a phone
  lookup: the phones starting (national number) or ending with them, from the rows of their first 4 digits;
  digits alone ("1520") also the records with a word, e-mail or web address starting with them, from the same
  rows ("1520 Studio": one Query still).
- ``q`` a type reads as one whole token (an e-mail, a web address, a SKU; its hook ``whole_token``):
  a prefix search for that token.
- any other ``q``: prefix search of the longest word over the token partition; the other words must
  prefix one of the row's tokens.
- no ``q``: the most selective partition among ``custom.<key>``, ``tag``, ``owner_id`` and the
  caller's scope (own -> the owner's partition, team -> the team's), other filters applied by DynamoDB.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import listing, lookups, matching
from chalicelib.records.types import RecordType


def row_matches(ctx: TenantContext, row: Any, query: Any, scope: str, custom: list[tuple[str, str]]) -> bool:
    """The list filters, applied in code to the few rows a lookup by key found."""
    return (permissions.may_touch(ctx, scope, owner_id=row.owner_id, team_id=row.team_id)
            and (not query.tag or query.tag in (row.tags or ()))
            and (not query.owner_id or row.owner_id == query.owner_id)
            and all(f"{key}={value}" in (row.cf or ()) for key, value in custom))


def list_records(ctx: TenantContext, rtype: RecordType, query: Any) -> db.Page[Any]:
    """One page of the records the caller may see, filtered, searched and sorted as asked."""
    scope = permissions.require(ctx, rtype.plural, "read")
    if query.sort not in rtype.sorts:
        raise errors.ValidationError(details=[{
            "loc": ["query", "sort"], "type": "unsortable",
            "msg": f"{rtype.plural.capitalize()} are listed by {' or '.join(rtype.sorts)}: "
                   f"{query.sort} would need it stored in clear"}])
    custom = listing.custom_filters(query)
    exact_hook = rtype.hook("exact")
    exact = exact_hook(ctx, query) if exact_hook is not None else None
    if exact_hook is None and query.q:
        exact = lookups.search(ctx, rtype, query.q.strip())
    if exact is not None:
        return db.Page(items=[row for row in exact if row_matches(ctx, row, query, scope, custom)], next_cursor=None)
    plan = listing.plan(ctx, rtype.rows, query, scope, custom, search=bool(query.q))
    space = rtype.space or ""
    if not query.q:
        return listing.list_rows(ctx, rtype.rows, space, plan)
    q = query.q.strip()
    digits = lookups.digits_of(rtype, q)
    if digits is not None:
        return listing.search_by_digits(ctx, rtype.rows, space, plan, digits=digits, words=matching.digits_alone(q))
    whole = rtype.hook("whole_token")
    token = whole(q) if whole is not None else None
    if token is not None:
        prefix, others = token, list[str]()
    else:
        split = listing.split_words(q)
        if split is None:
            return db.Page(items=[], next_cursor=None)
        prefix, others = split
    return listing.search_by_words(ctx, rtype.rows, space, plan, prefix=prefix, others=others)
