"""Record types: one declaration per type drives the engine (keys, access, lists, trash, links, timeline).

A record domain declares its type in ``<domain>/record.py`` (listed in ``records.catalog``) with
:func:`register`; the engine and every other domain find it by name (``types.get("company")``) or
walk them all (:func:`all_types`), so no list of record types is written out anywhere else.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib.core import errors

RETENTION = timedelta(days=30)  # how long a record waits in the trash before it is purged


@dataclass(frozen=True)
class Field:
    """One field of a record type and what it is for beyond being stored."""

    name: str
    # how an import reads its cells: text | list | phone | email | date | money | money_list (a column per
    # currency: a price list) | percent
    kind: str = "text"
    search: bool = False  # its words are found by prefix (``q``)
    lookup: str | None = None  # a lookup kind ("phone", "email", "sku"): one read finds the record
    unique: bool = False  # two live records may not share a value of it (a lookup that is claimed)
    sensitive: bool = False  # stored encrypted, shown masked
    personal: bool = False  # a customer's personal data: sealed under the tenant's key (model.personal), never in a key
    aliases: tuple[str, ...] = ()  # column titles an import recognises (a field with none is not imported)
    title: str | None = None  # how answers name it, when not its name ("SKU")

    @property
    def label(self) -> str:
        """The field as answers name it."""
        return self.title or self.name.replace("_", " ")


@dataclass(frozen=True)
class RecordType:
    """How one type of record is stored, listed, trashed and linked (see the module docstring)."""

    name: str  # "company": the audit entity, the timeline subject, the custom-field entity
    plural: str  # "companies": the permission entity, the route segment, the export file
    prefix: str  # the item collection T#<tid>#<prefix>#<id>
    model: type[Any]  # a db.VersionedItem with <id_attribute>, owner_id, team_id, deleted_at, expires_at
    id_attribute: str
    space: str | None = None  # list rows under T#<tid>#<space>#...; None: the type lists itself
    row_model: type[Any] | None = None
    lists: tuple[str, ...] | None = None  # the row partitions it keeps (None: all; a deal: "CF", "TOKEN")
    sorts: tuple[str, ...] = ("updated", "created", "name")  # the orders its lists offer (rows index only these)
    link_model: type[Any] | None = None  # link items of other records in its collection
    link_kinds: Mapping[str, str] = field(default_factory=dict)  # kind -> sort key prefix
    fields: tuple[Field, ...] = ()
    audit_fields: tuple[str, ...] = ()
    retention: timedelta = RETENTION
    derived_kinds: tuple[str, ...] = ()  # items its save hook derives beyond rows (a contact's own lookups)
    hooks: Mapping[str, Callable[..., Any]] = field(default_factory=dict)  # what is truly the type's own

    @property
    def label(self) -> str:
        """The record type as answers name it ("No such company.")."""
        return self.name.replace("_", " ")

    def record_id(self, record: Any) -> str:
        """The id of a record of this type."""
        return str(getattr(record, self.id_attribute))

    @property
    def rows(self) -> type[Any]:
        """The model of the type's list rows (a type without rows lists itself: TypeError)."""
        if self.row_model is None:
            raise TypeError(f"record type {self.name} has no list rows")
        return self.row_model

    def hook(self, name: str) -> Callable[..., Any] | None:
        """The type's own step for name, or None when the engine's default serves."""
        return self.hooks.get(name)


_TYPES: dict[str, RecordType] = {}
_LOCK = threading.Lock()
_LOADED = False


def register(record_type: RecordType) -> RecordType:
    """Declare a record type (once per name and prefix)."""
    taken = {t.prefix: t.name for t in _TYPES.values() if t.name != record_type.name}
    if record_type.prefix in taken:
        raise ValueError(f"key prefix {record_type.prefix} is {taken[record_type.prefix]}'s")
    if record_type.row_model is None and "save" not in record_type.hooks and any(f.lookup for f in record_type.fields):
        raise ValueError(f"record type {record_type.name}: a lookup carries the list row, so it needs a row model")
    unsealed = [f.name for f in record_type.fields if f.personal and f.name not in record_type.model.personal]
    if unsealed:
        raise ValueError(f"record type {record_type.name}: personal fields {unsealed} are not sealed by its model")
    _TYPES[record_type.name] = record_type
    return record_type


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from chalicelib.records.catalog import DECLARATIONS

    with _LOCK:
        if not _LOADED:
            for module in DECLARATIONS:
                importlib.import_module(module)
            _LOADED = True


def all_types() -> list[RecordType]:
    """Every declared record type, in declaration order."""
    _load()
    return list(_TYPES.values())


def names() -> tuple[str, ...]:
    """The names of every declared record type."""
    return tuple(t.name for t in all_types())


def find(name: str) -> RecordType | None:
    """The record type of that name, or None."""
    _load()
    return _TYPES.get(name)


def get(name: str, *, loc: tuple[str | int, ...] = ("subject_type",)) -> RecordType:
    """The record type of that name; 422 naming loc when there is none."""
    found = find(name)
    if found is None:
        raise errors.ValidationError(details=[{"loc": list(loc), "msg": "Unknown record type",
                                               "type": "unknown_subject"}])
    return found


def by_plural(plural: str) -> RecordType | None:
    """The record type whose plural (permission entity) this is, or None."""
    return next((t for t in all_types() if t.plural == plural), None)
