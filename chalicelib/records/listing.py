"""List rows: small projections of a record that make every list, filter and search one Query.

A contact (or company) owns one row per way it is listed, all rewritten in the transaction that
changes the record. Under ``T#<tid>#<space>#...`` (space ``CX`` for contacts, ``COX`` for companies):

- ``ALL``, ``OWNER#<user>``, ``TEAM#<team>``, ``TAG#<tag>``, ``CF#<key>#<value>``: sk is the record
  id (a ULID, so the table order is creation order); gsi1 on the same partition sorts by folded
  name (only for types whose name is no one's personal data: a product), gsi2 by last update. One row
  serves the sort orders, and its key never changes while the record stays in that list, so an update
  is a put, not a delete and a put.
- ``TOKEN``: sk ``<blind index of a prefix>#<id>``, one row per prefix of 1, 3 and 5 characters of each
  name word and e-mail (``PREFIX_LENGTHS``). A search reads the bucket of the longest such prefix of
  its longest word, and keeps the rows whose tokens (sealed in the row) every word prefixes: one Query,
  and no key holds a word (#21). A phone's token (``~<digits>``, ``matching.phone_tokens``) has a row per
  run of 4 of its digits instead, so a part of the number reads the bucket of its first 4 digits; a word
  starting with 4 digits ("1520 Studio") has one more row in that bucket, so digits alone find both at once.
- ``TRASH``: deleted records, gsi1 sorted by deletion time.

The module is shared by the contacts and companies packages; each supplies its row model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import crypto, db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import matching
from chalicelib.records.matching import key_segment, words

MAX_TRANSACTION = 100
_CUSTOM_KEY = "custom."
SORTS = ("updated", "created", "name")
# A name that is personal data (a contact's, a company's, a deal's title) is never in a key, so those
# types are not listed in name order by the table; a page is sorted on the screen instead.
PERSONAL_SORTS = ("updated", "created")
PREFIX_LENGTHS = (1, 3, 5)  # a token row per prefix of these lengths: more rows, smaller buckets to filter


@dataclass(frozen=True)
class Facets:
    """What a record is listed, filtered and found by."""

    record_id: str
    owner_id: str
    team_id: str | None
    tags: tuple[str, ...] = ()
    custom: tuple[tuple[str, str], ...] = ()
    tokens: tuple[str, ...] = ()
    sort_name: str = ""
    updated_at: str = ""
    deleted_at: str | None = None
    digit_words: bool = False  # a word starting with 4 digits also has a row in their bucket (a type with phones)


@dataclass(frozen=True)
class RowKey:
    """The key of one list row; sorted rows also carry the name and update orders on gsi1/gsi2."""

    pk: str
    sk: str
    by_name: str | None = None
    by_update: str | None = None


def row_keys(ctx: TenantContext, space: str, facets: Facets, kinds: tuple[str, ...] | None = None, *,
             sorts: tuple[str, ...] = SORTS) -> list[RowKey]:
    """Every row a record in this state owns (only its trash row once it is deleted), of the partition
    kinds given (None: all of them); a row carries the index keys of the sorts given only (a type listed
    by creation alone, like calls, writes no index entries: each would cost a write unit per row)."""
    keys = _row_keys(ctx, space, facets)
    if kinds is not None:
        keys = [key for key in keys if key.pk.removeprefix(tenant_key(ctx, space)).lstrip("#").split("#", 1)[0]
                in kinds]
    if sorts != SORTS and facets.deleted_at is None:  # the trash row is always sorted by deletion time
        keys = [RowKey(key.pk, key.sk, key.by_name if "name" in sorts else None,
                       key.by_update if "updated" in sorts else None) for key in keys]
    return keys


def _row_keys(ctx: TenantContext, space: str, facets: Facets) -> list[RowKey]:
    rid = facets.record_id
    if facets.deleted_at is not None:
        return [RowKey(tenant_key(ctx, space, "TRASH"), rid, by_name=f"{facets.deleted_at}#{rid}")]
    partitions: list[tuple[str, ...]] = [("ALL",), ("OWNER", facets.owner_id)]
    if facets.team_id:
        partitions.append(("TEAM", facets.team_id))
    partitions += [("TAG", key_segment(tag)) for tag in facets.tags]
    partitions += [("CF", key_segment(key), key_segment(value)) for key, value in facets.custom]
    by_name, by_update = f"{matching.sort_form(facets.sort_name)}#{rid}", f"{facets.updated_at}#{rid}"
    keys = [RowKey(tenant_key(ctx, space, *parts), rid, by_name, by_update) for parts in partitions]
    token_pk = tenant_key(ctx, space, "TOKEN")
    buckets = sorted({token_bucket(ctx, prefix) for token in facets.tokens
                      for prefix in token_prefixes(token, digit_words=facets.digit_words)})
    return keys + [RowKey(token_pk, f"{bucket}#{rid}") for bucket in buckets]


def token_prefixes(token: str, *, digit_words: bool = False) -> set[str]:
    """The prefixes of a search token that get a row (``PREFIX_LENGTHS``); a phone's, its runs of 4 digits; with
    digit_words (a type with phones, whose digits alone read a phone's bucket), a word's that starts with 4 digits
    also the bucket of a phone's part of them (``matching.digit_start``). A type without phones reads a word's own
    bucket for digits as for any word, so it writes no such row."""
    if token.startswith(matching.PHONE_MARK):
        return matching.phone_windows(token)
    digits = matching.digit_start(token) if digit_words else None
    return {token[:length] for length in PREFIX_LENGTHS if len(token) >= length} | ({digits} if digits else set())


def token_bucket(ctx: TenantContext, prefix: str) -> str:
    """The key segment of the rows of the tokens starting with prefix: its keyed blind index."""
    return crypto.blind_key(ctx, kind="token", value=prefix)


def search_bucket(word: str) -> str:
    """The longest indexed prefix of a search word: the bucket whose rows a search reads."""
    return word[:max(length for length in PREFIX_LENGTHS if length <= len(word))]


def rewrite_rows(change: db.Change, make_row: Callable[[RowKey], db.MainTable], *,
                 old: Iterable[RowKey], new: Iterable[RowKey]) -> None:
    """Put every row of the new state and delete the rows the old state had and the new one lacks."""
    new_keys = {(key.pk, key.sk): key for key in new}
    for key in new_keys.values():
        change.save(make_row(key))
    for key in old:
        if (key.pk, key.sk) not in new_keys:
            change.delete(make_row(key))


def apply_row_key(row: db.MainTable, key: RowKey) -> db.MainTable:
    """Set a row's table and index keys (gsi1 by name, gsi2 by update, on the row's own partition)."""
    row.pk, row.sk = key.pk, key.sk
    if key.by_name is not None:
        row.gsi1pk, row.gsi1sk = key.pk, key.by_name
    if key.by_update is not None:
        row.gsi2pk, row.gsi2sk = key.pk, key.by_update
    return row


def change_size(change: db.Change) -> int:
    """How many actions a change's transaction holds."""
    return (len(change.saves) + len(change.creates) + len(change.deletes) + len(change.checks) + len(change.updates)
            + len(change.limited))


def check_size(change: db.Change, *, what: str = "change") -> None:
    """422 when a change needs more writes than one DynamoDB transaction takes."""
    count = change_size(change)
    if count > MAX_TRANSACTION:
        raise errors.ValidationError(
            f"This {what} touches too much at once ({count} writes); split it into smaller changes.",
            code="change_too_large",
        )


# -- queries --------------------------------------------------------------------------------


@dataclass
class ListQuery:
    """One list request, already checked: which partition, which order, which extra filters."""

    partition: tuple[str, ...]
    sort: str = "updated"
    newest_first: bool = True
    limit: int = 50
    cursor: str | None = None
    conditions: list[Any] = field(default_factory=list)
    keep: Callable[[Any], bool] | None = None
    fingerprint: dict[str, Any] = field(default_factory=dict)


def scope_name(space: str, query: ListQuery) -> str:
    """The cursor scope of a list: its partition, order and filters (a cursor fits one list only)."""
    digest = hashlib.sha256(json.dumps(query.fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    return f"{space}:{'/'.join(query.partition)}:{query.sort}:{int(query.newest_first)}:{digest}"


def combined(conditions: list[Any]) -> Any:
    """The conditions given (None skipped) joined by AND, or None."""
    joined = None
    for condition in conditions:
        if condition is not None:
            joined = condition if joined is None else joined & condition
    return joined


def list_rows(ctx: TenantContext, model: type[Any], space: str, query: ListQuery) -> db.Page[Any]:
    """One Query on the partition of a list, in the requested order, filters applied by DynamoDB."""
    pk = tenant_key(ctx, space, *query.partition)
    index = {"name": model.gsi1, "updated": model.gsi2}.get(query.sort)
    return db.query_page(ctx, model, pk, scope=scope_name(space, query), limit=query.limit, cursor=query.cursor,
                         index=index, filter_condition=combined(query.conditions),
                         newest_first=query.newest_first, keep=query.keep)


def search_rows(ctx: TenantContext, model: type[Any], space: str, query: ListQuery, *, prefix: str) -> db.Page[Any]:
    """One Query on the token partition: the rows of prefix's bucket, other filters applied."""
    pk = tenant_key(ctx, space, "TOKEN")
    bucket = token_bucket(ctx, search_bucket(prefix))
    return db.query_page(ctx, model, pk, scope=scope_name(space, query), limit=query.limit, cursor=query.cursor,
                         range_key_condition=model.sk.startswith(f"{bucket}#"),
                         filter_condition=combined(query.conditions), newest_first=False, keep=query.keep)


def trash_rows(ctx: TenantContext, model: type[Any], space: str, *, limit: int, cursor: str | None,
               conditions: list[Any]) -> db.Page[Any]:
    """Deleted records, most recently deleted first (the due timers purge them, not a walk of this list)."""
    pk = tenant_key(ctx, space, "TRASH")
    query = ListQuery(partition=("TRASH",), sort="name", limit=limit, cursor=cursor)
    return db.query_page(ctx, model, pk, scope=scope_name(space, query), limit=limit, cursor=cursor,
                         index=model.gsi1, filter_condition=combined(conditions), newest_first=True)


def scope_conditions(ctx: TenantContext, model: type[Any], scope: str) -> list[Any]:
    """Filters that keep a list within the caller's record scope (own / team / all)."""
    if scope == "own":
        return [model.owner_id == ctx.actor_id]
    if scope == "team":
        if ctx.team_id is None:
            return [model.owner_id == ctx.actor_id]
        return [(model.owner_id == ctx.actor_id) | (model.team_id == ctx.team_id)]
    return []


def matches_all_words(query_words: list[str], tokens: str | None) -> bool:
    """True when every query word prefixes one of the row's tokens (multi-word name search); a word of 4 digits
    or more may also start or end one of its phones ("anna 4567"; digits alone: ``search_by_digits``)."""
    have = (tokens or "").split()
    return all(_matches(word, have) for word in query_words)


def _matches(word: str, tokens: list[str]) -> bool:
    if any(token.startswith(word) for token in tokens):
        return True
    return word.isdigit() and len(word) >= matching.MIN_PHONE_DIGITS and matching.matches_phone(word, tokens)


def query_words(q: str) -> list[str]:
    """The folded words of a search query, longest first (the longest is the most selective prefix), words of
    letters before numbers (a number may be a phone's part, which a word's bucket does not hold)."""
    return sorted(set(words(q)), key=lambda word: (not word.isdigit(), len(word)), reverse=True)


def search_by_words(ctx: TenantContext, model: type[Any], space: str, query: ListQuery, *, prefix: str,
                    others: list[str]) -> db.Page[Any]:
    """One page of rows whose tokens start with prefix and contain every other word (one Query).

    A record has one row per bucket however many of its words share the bucket's prefix, so a search
    walked by cursor lists each record once; the bucket may be shorter than the prefix, so the row's
    own tokens decide."""
    words = [prefix, *others]
    query.keep = lambda row: matches_all_words(words, row.tokens)
    page = search_rows(ctx, model, space, query, prefix=prefix)
    return db.Page(items=unique_rows(page.items), next_cursor=page.next_cursor)


def search_by_digits(ctx: TenantContext, model: type[Any], space: str, query: ListQuery, *, digits: str,
                     words: bool) -> db.Page[Any]:
    """One page of rows whose phone starts or ends with digits, and (words: the query was the digits alone) whose
    word, e-mail or web address starts with them, in one Query of the bucket of their first 4 digits, which holds
    both (``token_prefixes``), in the order of every search (a record's id), a record once."""
    query.keep = lambda row: matching.matches_digits(digits, (row.tokens or "").split(), words=words)
    page = search_rows(ctx, model, space, query, prefix=f"{matching.PHONE_MARK}{digits}")
    return db.Page(items=unique_rows(page.items), next_cursor=page.next_cursor)


def split_words(q: str) -> tuple[str, list[str]] | None:
    """The first word of a name query (searched by prefix) and the rest (filtered), or None."""
    found = query_words(q)
    return (found[0], found[1:]) if found else None


def unique_rows(rows: list[Any]) -> list[Any]:
    """Rows of distinct records, first one kept (two tokens of one record may match one prefix)."""
    kept: dict[str, Any] = {}
    for row in rows:
        kept.setdefault(row.record_id, row)
    return list(kept.values())


# -- list requests --------------------------------------------------------------------------


def custom_filters(query: Any) -> list[tuple[str, str]]:
    """The ``custom.<key>=<value>`` filters of a list query; 422 for any other unknown parameter."""
    pairs, problems = [], []
    for name, value in sorted((query.model_extra or {}).items()):
        key = name.removeprefix(_CUSTOM_KEY)
        valid = name.startswith(_CUSTOM_KEY) and key.isidentifier() and len(key) <= 40
        if not valid or not isinstance(value, str) or not 0 < len(value) <= 100:
            problems.append({"loc": ["query", name], "msg": "Unknown or invalid parameter", "type": "extra_forbidden"})
        else:
            pairs.append((key, value))
    if problems:
        raise errors.ValidationError(details=problems)
    return pairs


def _partition(ctx: TenantContext, query: Any, scope: str, custom: list[tuple[str, str]]) -> tuple[str, ...]:
    """The most selective list partition for the filters (the others become DynamoDB filters)."""
    if custom:
        key, value = custom[0]
        return ("CF", key_segment(key), key_segment(value))
    if query.tag:
        return ("TAG", key_segment(query.tag))
    if query.owner_id:
        return ("OWNER", query.owner_id)
    if scope == "own" or (scope == "team" and ctx.team_id is None):
        return ("OWNER", ctx.actor_id)  # an agent's list is its own partition, not a filter over all
    if scope == "team":
        return ("TEAM", ctx.team_id or "")
    return ("ALL",)


def plan(ctx: TenantContext, model: type[Any], query: Any, scope: str, custom: list[tuple[str, str]], *,
         search: bool = False) -> ListQuery:
    """Choose the partition of the list and turn every other filter into a DynamoDB filter (a search
    reads the token partition, so every filter becomes one)."""
    partition = ("TOKEN",) if search else _partition(ctx, query, scope, custom)
    conditions = scope_conditions(ctx, model, scope)
    if query.tag and partition[0] != "TAG":
        conditions.append(model.tags.contains(query.tag))
    if query.owner_id and partition[0] != "OWNER":
        conditions.append(model.owner_id == query.owner_id)
    conditions += [model.cf.contains(f"{key}={value}") for key, value in (custom if search else custom[1:])]
    newest_first = query.order == "desc" if query.order else query.sort != "name"
    fingerprint = {"tag": query.tag, "owner": query.owner_id, "custom": custom, "q": query.q}
    return ListQuery(partition=partition, sort=query.sort, newest_first=newest_first, limit=query.limit,
                     cursor=query.cursor, conditions=conditions, fingerprint=fingerprint)
