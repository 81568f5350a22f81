"""Writing a record: the record, its list rows and its audit record in one transaction.

A type writes through :func:`write`: its own ``save`` hook where it has one (a contact's lookups, a
deal's board totals), else :func:`save`. A type with list rows declares two hooks:
``facets(record) -> listing.Facets`` (what it is listed, filtered and found by) and
``row_values(record) -> dict`` (what its list rows show besides the common attributes). Rows follow
from the record's state before and after, so no read is needed to know which rows to delete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from chalicelib.billing import catalog
from chalicelib.core import audit, db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity import plans
from chalicelib.records import listing, lookups, matching, types
from chalicelib.records.customfields import words as custom_words
from chalicelib.records.types import RecordType

CUSTOM = "custom."


def audit_view(rtype: RecordType, record: Any) -> dict[str, Any] | None:
    """The fields of a record the audit trail records (custom values flattened to ``custom.<key>``)."""
    if record is None:
        return None
    view = {name: audit.plain(getattr(record, name)) for name in rtype.audit_fields}
    view.update({f"{CUSTOM}{key}": value for key, value in (getattr(record, "custom", None) or {}).items()})
    return view


def audit_sensitive(rtype: RecordType, *records: Any) -> frozenset[str]:
    """Audit fields whose values are masked in diffs: the type's sensitive fields and sensitive custom values."""
    custom = {f"{CUSTOM}{key}" for r in records if r is not None for key in getattr(r, "custom_sensitive", None) or []}
    return frozenset(f.name for f in rtype.fields if f.sensitive) | custom


def attach_audit(ctx: TenantContext, rtype: RecordType, change: db.Change, before: Any, after: Any, *,
                 action: str) -> None:
    """Add the audit record of a record going from before to after (None: absent) to change."""
    subject = after if after is not None else before
    audit.attach(ctx, change, subject, entity=rtype.name, entity_id=rtype.record_id(subject), action=action,
                 before=audit_view(rtype, before), after=audit_view(rtype, after),
                 sensitive=audit_sensitive(rtype, before, after))


def facets(rtype: RecordType, record: Any) -> listing.Facets:
    """What a record is listed, filtered and found by (the type's ``facets`` hook)."""
    hook = rtype.hook("facets")
    if hook is None:
        raise TypeError(f"record type {rtype.name} declares no facets")
    found: listing.Facets = hook(record)
    own = custom_words.tokens(getattr(record, "custom", None), getattr(record, "custom_sensitive", None))
    if own:  # a car's plate and VIN, its make and model: found as its name is (``customfields.words``)
        found = dataclasses.replace(found, tokens=(*found.tokens, *(t for t in own if t not in found.tokens)))
    if not any(field.lookup == "phone" for field in rtype.fields):
        return found
    # A type with phones is found by a part of one too (``matching.phone_tokens``), and its words starting with 4
    # digits by those digits alone, from the same rows (``listing.token_prefixes``)
    numbers = [value for field, value in lookups.values(rtype, record) if field.lookup == "phone"]
    return dataclasses.replace(found, tokens=(*found.tokens, *matching.phone_tokens(numbers)), digit_words=True)


def row_builder(rtype: RecordType, record: Any, *, pending: bool = True) -> Callable[[listing.RowKey], Any]:
    """A function making the record's list row for a key (pending: the record is about to be saved,
    which bumps its version by one)."""
    found = facets(rtype, record)
    values = rtype.hooks["row_values"](record)
    version = int(record.version or 0) + (1 if pending else 0)

    def make_row(key: listing.RowKey) -> Any:
        row = rtype.rows(
            record_id=found.record_id, tags=set(found.tags) or None, cf={f"{k}={v}" for k, v in found.custom} or None,
            tokens=" ".join(found.tokens) or None, owner_id=record.owner_id, team_id=record.team_id,
            created_at=record.created_at, updated_at=record.updated_at, deleted_at=record.deleted_at,
            version=version, **values)
        return listing.apply_row_key(row, key)

    return make_row


def rewrite_rows(ctx: TenantContext, rtype: RecordType, change: db.Change, before: Any, after: Any,
                 make_row: Callable[[listing.RowKey], Any] | None = None) -> None:
    """Add to change the rows of the record's new state and the removal of rows only the old one had."""
    if rtype.space is None:
        return
    old = listing.row_keys(ctx, rtype.space, facets(rtype, before), rtype.lists, sorts=rtype.sorts) \
        if before is not None else []
    new = listing.row_keys(ctx, rtype.space, facets(rtype, after), rtype.lists, sorts=rtype.sorts) \
        if after is not None else []
    make_row = make_row or row_builder(rtype, after if after is not None else before)
    listing.rewrite_rows(change, make_row, old=old, new=new)


def stage(change: db.Change, before: Any, after: Any) -> Any:
    """Put the record's new state into change (after None: its deletion); answers the record changed."""
    subject = after if after is not None else before
    if subject is None:
        raise ValueError("a record change needs a before or an after")
    if after is not None:
        change.save(after)
    else:
        change.delete(subject)
    return subject


def save(ctx: TenantContext, rtype: RecordType, before: Any, after: Any, *, action: str,
         change: db.Change | None = None) -> Any:
    """Write a record (after None: delete it) with its rows and its audit record in one transaction."""
    change = change or db.Change()
    subject = stage(change, before, after)
    make_row = row_builder(rtype, subject) if rtype.space is not None else None
    rewrite_rows(ctx, rtype, change, before, after, make_row)
    claimed = _rewrite_lookups(ctx, rtype, change, before, after, make_row)
    attach_audit(ctx, rtype, change, before, after, action=action)
    listing.check_size(change)
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:
        taken = lookups.taken(ctx, rtype, rtype.record_id(subject), claimed) if claimed else None
        if taken is not None:
            raise taken from None
        raise
    return after


def refresh_rows(ctx: TenantContext, rtype: RecordType, record: Any) -> bool:
    """Put every list row a stored record's state gives (rows written before the rows changed: a one-off pass),
    only while the record is still at the version read; False when it changed meanwhile (its write wrote them)
    or its rows pass one transaction (left for its next change)."""
    if rtype.space is None:
        return False
    make_row = row_builder(rtype, record, pending=False)
    change = db.Change()
    for key in listing.row_keys(ctx, rtype.space, facets(rtype, record), rtype.lists, sorts=rtype.sorts):
        change.save(make_row(key))
    change.checks.append((rtype.model, record.pk, record.sk, rtype.model.version == record.version))
    if listing.change_size(change) > listing.MAX_TRANSACTION:
        return False
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:
        return False
    return True


def derived_items(ctx: TenantContext, rtype: RecordType, record: Any) -> list[Any]:
    """The items a record's stored state alone gives (its list rows and lookups; the type's ``derived`` hook
    for a type that writes its own): an import builds them again, under the new tenant's key, whose blind
    indexes their keys carry."""
    own = rtype.hook("derived")
    if own is not None:
        return list(own(ctx, record))
    change = db.Change()
    make_row = row_builder(rtype, record, pending=False) if rtype.space is not None else None
    rewrite_rows(ctx, rtype, change, None, record, make_row)
    _rewrite_lookups(ctx, rtype, change, None, record, make_row)
    return [*change.saves, *change.creates]


def derived_kinds() -> frozenset[str]:
    """The item kinds :func:`derived_items` makes: rows and lookups, never copied between tenants."""
    kinds = {"record_lookup"}
    for rtype in types.all_types():
        kinds |= set(rtype.derived_kinds)
        if rtype.row_model is not None:
            kinds.add(kind_of(rtype.row_model))
    return frozenset(kinds)


def kind_of(model: type[Any]) -> str:
    """The kind (discriminator) a model's items are stored with."""
    return str(model._get_discriminator_attribute().get_discriminator(model))


def _rewrite_lookups(ctx: TenantContext, rtype: RecordType, change: db.Change, before: Any, after: Any,
                     make_row: Callable[[listing.RowKey], Any] | None) -> list[tuple[Any, Any]]:
    if make_row is None or not any(field.lookup for field in rtype.fields):
        return []
    subject = after if after is not None else before
    record_id = rtype.record_id(subject)
    row = make_row(listing.RowKey(tenant_key(ctx, rtype.prefix, record_id), record_id))
    if after is not None:
        after.lookup_keys = list(dict.fromkeys(pk for _, (pk, _) in lookups.keys(ctx, rtype, after)))  # values' order
    return lookups.rewrite(ctx, rtype, change, before, after, row)


def write(ctx: TenantContext, rtype: RecordType, before: Any, after: Any, *, action: str,
          change: db.Change | None = None) -> Any:
    """Write a record change the type's way: its ``save`` hook, else :func:`save`. A type the plan counts
    (contacts) adds the change in live records to the tenant's usage in the same transaction: a create or
    a restore past the plan's limit is refused (402) with nothing written."""
    counted = catalog.RECORD_LIMITS.get(rtype.name)
    delta = _live(after) - _live(before)
    if counted is not None and delta:
        change = change or db.Change()
        plans.require(ctx, count=counted, by=delta, change=change)
    own = rtype.hook("save")
    if own is not None:
        return own(ctx, before, after, action=action, change=change)
    return save(ctx, rtype, before, after, action=action, change=change)


def _live(record: Any) -> int:
    """1 for a record that exists outside the trash, else 0."""
    return int(record is not None and getattr(record, "deleted_at", None) is None)
