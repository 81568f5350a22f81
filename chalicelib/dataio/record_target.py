"""Any record type as an import and export target, from its declaration (``records.types``).

The type's fields with import aliases are the columns an import recognises; a ``money`` field reads
an amount as people type it ("1 234,50", "1,234.50") in the row's ``currency`` column or the
company's currency; a ``money_list`` field (a product's price list) reads one column per currency, headed by
an alias and the code ("Price EUR", "Цена USD"); a ``percent`` field takes "20", "20 %" or "7,5"; a unique
lookup field (a product's SKU) finds the record a row duplicates, and
two rows sharing it are one record. A row becomes the type's create schema (its ``create_schema``
hook) and the engine creates it; an export lists what the caller may export through the engine's
search and shows each record as the API does (its ``read`` hook).
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.core import db, permissions, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import export_names
from chalicelib.dataio.deal_target import currency_of, parse_amount
from chalicelib.dataio.export_columns import amount_text, custom_cells, moment, plain
from chalicelib.dataio.export_names import Naming
from chalicelib.dataio.mapping import Choices, FieldSpec
from chalicelib.dataio.record_rows import LEFT_OUT, list_query
from chalicelib.records import access, lookups, search
from chalicelib.records import service as records_service
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.money import CURRENCIES
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.records.types import RecordType

_CYRILLIC = re.compile("[\u0400-\u04ff]")
READ_AS = {"money": "text", "list": "list", "phone": "phone", "email": "email", "date": "date"}


class RecordTarget:
    """A record type imported and exported through the record engine."""

    def __init__(self, rtype: RecordType) -> None:
        self.rtype = rtype
        self.entity = rtype.name
        self.permission = rtype.plural
        self.specs = {field.name: FieldSpec(field.name, READ_AS.get(field.kind, "text"), (field.name, *field.aliases),
                                            repeatable=field.kind in ("list", "phone", "email"))
                      for field in rtype.fields if field.aliases and field.kind != "money_list"}
        for field in rtype.fields:  # a price list: a column per currency, "<alias> <code>"
            if field.kind == "money_list":
                self.specs.update({f"{field.name}.{code}": FieldSpec(f"{field.name}.{code}", "text", tuple(
                    f"{alias} {code}" for alias in (field.name, *field.aliases))) for code in CURRENCIES})
        self.ignored = frozenset[str]()

    def build(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str, import_id: str,
              choices: Choices | None = None) -> Any:
        """The type's create schema of a row (422 naming the field otherwise)."""
        payload: dict[str, Any] = {"custom": values.get("custom") or {}}
        currency = None
        for field in self.rtype.fields:
            value = values.get(field.name)
            if field.kind == "money" and value not in (None, ""):
                currency = currency or currency_of(ctx, values)
                payload[field.name] = {"minor": parse_amount(str(value), currency, field=field.name),
                                       "currency": currency}
            elif field.kind == "money_list":
                listed = [{"minor": parse_amount(str(values[f"{field.name}.{code}"]), code, field=field.name),
                           "currency": code} for code in CURRENCIES if values.get(f"{field.name}.{code}")]
                if listed:
                    payload[field.name] = listed
            elif field.kind == "percent" and value not in (None, ""):
                payload[field.name] = str(value).replace("%", "").replace(",", ".").strip()
            elif field.aliases and field.name != "currency" and value not in (None, "", []):
                payload[field.name] = value
        data = schema.validate(self.rtype.hooks["create_schema"](), payload)
        if data.custom:
            customfields_service.clean(ctx, entity=self.entity, record_id=record_id, values=data.custom)
        return data

    def notes(self, data: Any) -> list[dict[str, str]]:
        """None: a valid row is imported whole."""
        return []

    def match_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """The unique lookup values of a row (a SKU): two rows sharing one are one record."""
        return [(field.name, lookups.normalise(field.lookup or "", str(values[field.name])))
                for field in self.rtype.fields if field.unique and values.get(field.name)]

    def find_duplicates(self, ctx: TenantContext, data: Any) -> list[tuple[str, str]]:
        """(field, existing id) of the records holding one of the row's unique values (one read each)."""
        found = []
        for field in self.rtype.fields:
            value = getattr(data, field.name, None) if field.unique else None
            holder = lookups.holder(ctx, field, str(value)) if value else None
            if holder is not None:
                found.append((field.name, holder))
        return found

    def create(self, ctx: TenantContext, data: Any, *, record_id: str) -> None:
        """One record under the row's id, with its rows, lookups, timeline entry and audit record."""
        records_service.create(ctx, self.rtype, data=data, record_id=record_id)

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        """True when the record exists, live or in the trash (a retried row finds the one it created)."""
        return access.get_any(ctx, self.rtype, record_id) is not None

    def check_filters(self, filters: dict[str, str]) -> None:
        """422 for filters the type's list does not take."""
        self._query(filters, None, 1)

    def export_page(self, ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
                    limit: int, reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the records the caller may export, as flat rows."""
        listed = search.list_records(ctx, self.rtype, self._query(filters, cursor, limit))
        read = self.rtype.hooks["read"]
        found = exportable(ctx, self.rtype, listed.items, scope)
        names = export_names.naming(ctx, self.entity, owners=[record.owner_id for record in found])
        return [record_row(self.rtype, read(ctx, record).model_dump(mode="json"), names)
                for record in found], listed.next_cursor

    def _query(self, filters: dict[str, str], cursor: str | None, limit: int) -> Any:
        return list_query(self.rtype.hooks["list_query"](), filters, cursor, limit)


def record_row(rtype: RecordType, data: dict[str, Any], names: Naming) -> dict[str, Any]:
    """One record as columns, as its import reads them: an amount as a number and a ``currency`` column, a price list
    a column per currency (``prices.EUR``: "Price EUR"), lists joined, anything nested in one cell."""
    row: dict[str, Any] = {"id": data.get("id")}
    declared = {field.name: field for field in rtype.fields}
    for name, value in data.items():
        field = declared.get(name)
        if name in LEFT_OUT or name in ("id", "revealed"):
            continue
        if field is not None and field.kind == "money" and isinstance(value, dict):
            row[name], row["currency"] = amount_text(int(value["minor"]), str(value["currency"])), value["currency"]
        elif field is not None and field.kind == "money_list":
            row.update({f"{name}.{price['currency']}": amount_text(int(price["minor"]), str(price["currency"]))
                        for price in value or []})
        elif name == "owner_id":
            row[name] = names.user(value)
        elif name in ("created_at", "updated_at"):
            row[name] = moment(value, names.zone)
        else:
            row[name] = plain(value)
    return {**row, **custom_cells(data.get("custom"), names.definitions, names.locale)}


def column_order(rtype: RecordType) -> tuple[str, ...]:
    """A record type's columns in its declaration's order (a price list's currencies together)."""
    own = [f"{field.name}.*" if field.kind == "money_list" else field.name for field in rtype.fields]
    return ("id", *own, "tags", "owner_id", "created_at", "updated_at")


def column_headings(rtype: RecordType, keys: list[str]) -> dict[str, tuple[str, str]]:
    """Headings of a type's own columns, English and Russian, as its import reads them: its title and first Russian
    alias ("SKU", "Артикул"); a price list's column per currency as "Price EUR", "Цена EUR"."""
    named = {}
    for field in rtype.fields:
        russian = next((alias for alias in field.aliases if _CYRILLIC.search(alias)), None)
        english = field.label[:1].upper() + field.label[1:]
        if field.kind == "money_list":
            english = (field.aliases or (field.name,))[0].capitalize()
            named.update({key: (f"{english} {key.split('.', 1)[1]}", f"{(russian or english).capitalize()} "
                                                                     f"{key.split('.', 1)[1]}")
                          for key in keys if key.startswith(f"{field.name}.")})
        else:
            named[field.name] = (english, russian.capitalize() if russian else english)
    return named


def exportable(ctx: TenantContext, rtype: RecordType, rows: list[Any], scope: str) -> list[Any]:
    """The live records a page of list rows names, read in one BatchGetItem, those within the export scope."""
    keys = [(access.collection_pk(ctx, rtype, row.record_id), PROFILE_SK) for row in rows]
    found = db.get_many(ctx, keys) if keys else {}
    records = [found.get(key) for key in keys]
    return [record for record in records if isinstance(record, rtype.model) and record.deleted_at is None
            and permissions.may_touch(ctx, scope, owner_id=record.owner_id, team_id=record.team_id)]


def importable(rtype: RecordType) -> bool:
    """True for a type the engine imports and exports by itself (it declares how to create and read one)."""
    return all(rtype.hook(name) is not None for name in ("create_schema", "list_query", "read"))

