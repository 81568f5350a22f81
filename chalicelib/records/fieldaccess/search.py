"""Lists and searches of a role that may not read some fields: it may not filter or sort by them, nor find a
record by their values (else a search by a hidden phone would tell who has it).

A filter (``custom.<key>``, ``tag``, ``tax_id`` ...) or the name order on a hidden field answers 403 naming
it. A search ``q`` still runs as one Query on the rows; a row is kept only when the query is explained by
the fields of the row the caller may read (a phone query, whole or a part of 4 digits or more, by a phone field
it may read; words by the visible words, a number among them by the phone the row shows; digits alone by
either). Rows show a list field's first value only (a contact's first e-mail), so while a search field of the
type is hidden, a record found by its second e-mail alone is left out: a missed hit, never a leak.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import db, phones
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import listing, lookups, matching, types
from chalicelib.records import search as records_search
from chalicelib.records.fieldaccess import service
from chalicelib.records.types import RecordType

_NAMED_FILTERS = frozenset({"q", "tag", "owner_id", "sort", "order", "limit", "cursor"})


def list_records(ctx: TenantContext, rtype: RecordType, query: Any) -> db.Page[Any]:
    """The engine's list and search (``records.search.list_records``) within the caller's field rules."""
    gone = service.hidden(ctx, rtype)
    if not gone:
        return records_search.list_records(ctx, rtype, query)
    check_query(rtype, query, gone)
    page = records_search.list_records(ctx, rtype, query)
    if not query.q or not searched_hidden(rtype, gone):
        return page
    q = query.q.strip()
    whole = matching.looks_like_phone(q) and phones.e164(q, matching.tenant_region(ctx)) is not None
    return db.Page(items=[row for row in page.items if explains(rtype, q, row, gone, whole_number=whole)],
                   next_cursor=page.next_cursor)


def check_query(rtype: RecordType, query: Any, gone: frozenset[str]) -> None:
    """403 naming the hidden fields a list query filters or sorts by."""
    refused = [f"{service.CUSTOM}{key}" for key, _ in listing.custom_filters(query)
               if f"{service.CUSTOM}{key}" in gone]
    if getattr(query, "tag", None) and "tags" in gone:
        refused.append("tags")
    if getattr(query, "sort", None) == "name":
        refused += [name for name in service.name_fields(rtype) if name in gone]
    named = set(type(query).model_fields) - _NAMED_FILTERS
    refused += sorted(name for name in named if getattr(query, name, None) is not None and name in gone)
    if refused:
        raise service.not_visible(rtype, refused)


def searched_hidden(rtype: RecordType, gone: frozenset[str]) -> bool:
    """True when a field the type's search reads (its words or lookups, or a custom value) is hidden."""
    return any((f.search or f.lookup) and f.name in gone for f in rtype.fields) or bool(_hidden_custom(gone))


def _hidden_custom(gone: frozenset[str]) -> list[str]:
    """The hidden custom fields: their values give search words (``customfields.words``) that a row does not
    show, so while one is hidden a record is found by its visible fields alone (a missed hit, never a leak)."""
    return sorted(name for name in gone if name.startswith(service.CUSTOM))


def _row_value(row: Any, name: str) -> Any:
    keys = service.fields_of_row(name)
    return next((getattr(row, key) for key in keys if getattr(row, key, None) is not None), None)


def explains(rtype: RecordType, q: str, row: Any, gone: frozenset[str], *, whole_number: bool = False) -> bool:
    """True when q finds the row by fields the caller may read (see the module docstring); whole_number: q is a
    valid number, found by its lookup."""
    visible = [f for f in rtype.fields if (f.search or f.lookup) and f.name not in gone]
    sees_phones = any(f.lookup == "phone" for f in visible)
    part = lookups.digits_of(rtype, q)
    if part is not None and matching.digits_alone(q) and not whole_number:
        # "1520": found by a phone's part (its digits are among the row's tokens) or by a word's start
        if sees_phones and matching.matches_phone(part, (row.tokens or "").split()):
            return True
    elif matching.looks_like_phone(q) or part is not None:  # found by a phone alone
        return sees_phones
    values = [str(value) for f in visible if (value := _row_value(row, f.name)) is not None]
    whole = [matching.fold(value).removeprefix("www.") for value in values]
    whole += [host for value in whole if (host := value.split("://", 1)[-1].split("/", 1)[0])]
    tokens = {token for value in values for token in matching.words(value)} | set(whole)
    folded = matching.fold(q).removeprefix("www.")
    if any(value.startswith(folded) for value in whole):
        return True
    numbers = [str(value) for f in visible if f.lookup == "phone" and (value := _row_value(row, f.name))]
    digits = matching.phone_tokens(numbers)  # "anna 4567": the number's part by the phone the row shows
    return all(any(token.startswith(word) for token in tokens)
               or (len(word) >= matching.MIN_PHONE_DIGITS and word.isdigit() and matching.matches_phone(word, digits))
               for word in matching.words(q))


def check_export(ctx: TenantContext, type_name: str, filters: dict[str, str]) -> None:
    """403 for an export filtered by a field the caller may not read, or searched (``q``) while a field its
    search reads is hidden (the file would tell which records hold the value)."""
    rtype = types.find(type_name)
    gone = service.hidden(ctx, rtype) if rtype is not None else frozenset()
    if rtype is None or not gone:
        return
    refused = [name for name in filters if name.startswith(service.CUSTOM) and name in gone]
    refused += ["tags"] if filters.get("tag") and "tags" in gone else []
    refused += [name for name in service.name_fields(rtype) if name in gone] if filters.get("sort") == "name" else []
    refused += [f.name for f in rtype.fields if (f.search or f.lookup) and f.name in gone] if filters.get("q") else []
    refused += [name for name in _hidden_custom(gone) if name not in refused] if filters.get("q") else []
    if refused:
        raise service.not_visible(rtype, refused)
