"""Lookups: a phone, an e-mail or a code (a SKU) that finds its record in one read.

A declared field with ``lookup="<kind>"`` gives the record one item per value under
``T#<tid>#<KIND>#<value>``, written in the record's transaction and carrying its list row, so a
search by that value answers from the lookup alone:

Phones and e-mails are personal data: their partitions hold the value's keyed blind index
(``crypto.blind_key``), never the value.

- ``unique=True`` (a product's SKU): sk ``LOOKUP``, created conditionally, so two live records never
  share the value (409 ``duplicate_<field>``, naming the holder when the caller may see it);
- otherwise (a company's switchboard phone): sk ``<type prefix>#<id>``, so the partition also holds
  the contact that has the number (its own sk ``LOOKUP``): an incoming call finds every record that
  has its number with one Query.

A record in the trash holds no lookups; restoring it claims them again. Contacts keep their own,
older lookups (``contacts.derived``), written the same way.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import crypto, db, errors, phones
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import matching, types
from chalicelib.records.models import RecordLookup
from chalicelib.records.types import RecordType

UNIQUE_SK = "LOOKUP"
Key = tuple[str, str]
_ROW_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")


PERSONAL_KINDS = frozenset({"phone", "email"})  # looked up by their blind index: never in a key in clear


def lookup_pk(ctx: TenantContext, kind: str, value: str) -> str:
    """The partition of one value's lookups: ``T#<tid>#PHONE#<blind index of the E.164 number>``,
    ``T#<tid>#EMAIL#<blind index>``, ``T#<tid>#SKU#<sku>`` (a product code is no one's personal data)."""
    if kind in PERSONAL_KINDS:
        return tenant_key(ctx, kind.upper(), crypto.blind_key(ctx, kind=kind, value=value))
    return tenant_key(ctx, kind.upper(), matching.key_segment(value))


def values(rtype: RecordType, record: Any) -> list[tuple[types.Field, str]]:
    """The lookup values a record holds: phones' numbers, e-mails' addresses, plain values as given."""
    found: list[tuple[types.Field, str]] = []
    for field in rtype.fields:
        if field.lookup is None:
            continue
        value = getattr(record, field.name, None)
        for item in value if isinstance(value, list) else [value]:
            text = item.get("number") or item.get("address") if isinstance(item, dict) else item
            if text:
                found.append((field, normalise(field.lookup, str(text))))
    return found


def normalise(kind: str, value: str) -> str:
    """The stored form of a looked-up value: e-mails lower-cased, codes folded, phones as given (E.164)."""
    if kind == "email":
        return matching.normalise_email(value)
    return value if kind == "phone" else matching.fold(value)


def keys(ctx: TenantContext, rtype: RecordType, record: Any) -> list[tuple[types.Field, Key]]:
    """The keys of the lookups a live record holds (none while it is in the trash)."""
    if record is None or record.deleted_at is not None:
        return []
    record_id = rtype.record_id(record)
    return [(field, (lookup_pk(ctx, field.lookup or "", value),
                     UNIQUE_SK if field.unique else f"{rtype.prefix}#{record_id}"))
            for field, value in values(rtype, record)]


def items(ctx: TenantContext, rtype: RecordType, record: Any, row: Any) -> dict[Key, tuple[types.Field, Any]]:
    """The lookup items a live record holds, each carrying its list row."""
    carried = {name: value for name, value in row.serialize().items() if name not in _ROW_KEYS}
    return {(pk, sk): (field, RecordLookup(pk, sk, record_type=rtype.name, record_id=rtype.record_id(record),
                                           row=carried)) for field, (pk, sk) in keys(ctx, rtype, record)}


def rewrite(ctx: TenantContext, rtype: RecordType, change: db.Change, before: Any, after: Any,
            row: Any) -> list[tuple[types.Field, Any]]:
    """Add the record's lookups to change: claim new values, drop old ones, refresh the kept ones' rows.

    Answers the unique values claimed, which a failed transaction checks (see :func:`taken`)."""
    old, new = items(ctx, rtype, before, row), items(ctx, rtype, after, row)
    claimed = []
    for key, (field, item) in new.items():
        if field.unique and key not in old:
            change.create(item)
            claimed.append((field, item))
        else:
            change.save(item)
    for key, (_, item) in old.items():
        if key not in new:
            change.delete(item)
    return claimed


def taken(ctx: TenantContext, rtype: RecordType, record_id: str,
          claimed: list[tuple[types.Field, Any]]) -> errors.ConflictError | None:
    """The 409 for a unique value another record holds, or None (the conflict was something else)."""
    for field, item in claimed:
        holder = db.get(ctx, RecordLookup, item.pk, item.sk)
        if holder is not None and holder.record_id != record_id:
            return errors.ConflictError(f"Another {rtype.label} already has this {field.label}.",
                                        code=f"duplicate_{field.name}",
                                        details=[{"loc": [field.name], "msg": f"Another {rtype.label} has it",
                                                  "type": "duplicate", "existing_id": holder.record_id}])
    return None


def holder(ctx: TenantContext, field: types.Field, value: str) -> str | None:
    """The id of the live record holding a unique value (one GetItem), or None."""
    found = db.get(ctx, RecordLookup, lookup_pk(ctx, field.lookup or "", normalise(field.lookup or "", value)),
                   UNIQUE_SK)
    return found.record_id if found is not None else None


def row_of(rtype: RecordType, lookup: RecordLookup) -> Any:
    """The list row a lookup carries."""
    return rtype.rows.from_raw_data({**lookup.row, "pk": {"S": lookup.pk}, "sk": {"S": lookup.sk}})


def search(ctx: TenantContext, rtype: RecordType, q: str) -> list[Any] | None:
    """Rows of the live records holding q as a lookup value (one read), or None when q is none of them (a
    phone's part, not a whole number, is searched by its digits: ``digits_of``)."""
    for field in rtype.fields:
        if field.lookup == "phone" and matching.looks_like_phone(q):
            e164 = phones.e164(q, matching.tenant_region(ctx))
            return _rows(ctx, rtype, field, lookup_pk(ctx, "phone", e164)) if e164 else None
        if field.lookup == "email" and "@" in q and matching.is_email(matching.normalise_email(q)):
            return _rows(ctx, rtype, field, lookup_pk(ctx, "email", matching.normalise_email(q))) or None
    return None


def digits_of(rtype: RecordType, q: str) -> str | None:
    """The digits a query finds a type's phones by (their start or tail, 4 or more), or None: the type has no
    phone lookup, or q is not digits (a whole valid number is looked up first, :func:`search`)."""
    return matching.digit_query(q) if any(field.lookup == "phone" for field in rtype.fields) else None


def _rows(ctx: TenantContext, rtype: RecordType, field: types.Field, pk: str) -> list[Any]:
    with db.translate_errors():
        if field.unique:
            found = [db.get(ctx, RecordLookup, pk, UNIQUE_SK)]
        else:
            found = list(RecordLookup.query(pk, RecordLookup.sk.startswith(f"{rtype.prefix}#"), limit=50))
    return [row_of(rtype, item) for item in found if item is not None and db.owned(ctx, item) is not None]
