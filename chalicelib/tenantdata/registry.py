"""What a tenant's data is made of, as the domains declare it: partitions, linked items, sealed values.

The export and the purge walk a tenant with Queries and GetItems only (never a Scan of the pooled
table), starting from the partitions and feeds registered here and following the links each item
kind declares (an audit record names the partition of the item it audited; a user names its
global e-mail lookup). A domain that stores items nothing here reaches must register them, or its
data is neither exported nor purged: ``tests/tenantdata/test_walk.py`` compares the walk with
everything the embedded table holds for a tenant seeded by every ``tests/seeds`` module.

Sealed values (``core.crypto`` tokens) are opened for the export and sealed again on import under
the identity they were sealed with, which only the owning domain knows, so each one is declared.
A token nobody declared fails the export rather than ship ciphertext no one can open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from chalicelib.core.tenancy import TenantContext

RawItem = dict[str, dict]  # an item in DynamoDB's typed JSON ({"name": {"S": "..."}})
Link = tuple[str, str | None]  # (pk, sk) of one item, or (pk, None) for a whole partition


@dataclass(frozen=True)
class SealedValues:
    """Where an item kind keeps sealed values and the identity (AAD) they were sealed under.

    ``fields``: top-level attributes holding one token each, sealed as field ``<attribute>``.
    ``nested``: an attribute holding an object (a map, or JSON text) of tokens by key, each sealed as
    field ``<prefix><key>`` (custom fields seal ``custom.<key>``).
    ``within``: the fields and nested values above live not in the item itself but in a snapshot of a
    record it keeps (JSON text of DynamoDB typed values, as PynamoDB's ``serialize()`` makes it: a merge
    record's copy of the contacts it merged); the record id is still read from the enclosing item.
    """

    kind: str
    entity: str
    record_id_attribute: str
    fields: tuple[str, ...] = ()
    nested: tuple[str, str] | None = None  # (attribute, field prefix)
    within: str | None = None  # attribute holding a serialized record


_partitions: dict[str, Callable[[TenantContext], Iterable[str]]] = {}
_feeds: dict[str, Callable[[TenantContext], str]] = {}
_links: dict[str, Callable[[TenantContext, RawItem], Iterable[Link]]] = {}
_sealed: dict[str, list[SealedValues]] = {}
_excluded_kinds: dict[str, str] = {}
_excluded_attributes: dict[str, frozenset[str]] = {}
_unreachable: dict[str, str] = {}
_on_import: dict[str, Callable[[RawItem, str], RawItem]] = {}


def register_partitions(name: str, partitions: Callable[[TenantContext], Iterable[str]]) -> None:
    """Partitions every tenant may have (``T#<tid>#USER`` ...), each read whole by one paginated Query."""
    _partitions[name] = partitions


def register_feed(name: str, feed: Callable[[TenantContext], str]) -> None:
    """A gsi1 partition listing items of the tenant that live in partitions nothing else names."""
    _feeds[name] = feed


def register_links(kind: str, links: Callable[[TenantContext, RawItem], Iterable[Link]]) -> None:
    """Items or partitions an item of this kind leads to (its lookups, its record's partition)."""
    _links[kind] = links


def register_sealed(values: SealedValues) -> None:
    """Declare where a kind keeps sealed values, so the export can open them and the import seal them."""
    _sealed.setdefault(values.kind, []).append(values)


def exclude_from_export(kind: str, *, reason: str, attributes: Iterable[str] = ()) -> None:
    """Leave a kind (or, with attributes, only those attributes of it) out of exports: credentials, jobs."""
    if attributes:
        _excluded_attributes[kind] = _excluded_attributes.get(kind, frozenset()) | frozenset(attributes)
    else:
        _excluded_kinds[kind] = reason


def register_unreachable(kind: str, *, reason: str) -> None:
    """A kind of the tenant the walk cannot reach (say why it may stay: it expires, it holds no data)."""
    _unreachable[kind] = reason


def register_on_import(kind: str, adjust: Callable[[RawItem, str], RawItem]) -> None:
    """How an imported item of this kind must change (adjust(item, now_iso)): above all, an item naming a
    global lookup of the source tenant must be neutralised, or acting on it would touch the source."""
    _on_import[kind] = adjust


# -- reading the registry -------------------------------------------------------------------


def partitions(ctx: TenantContext) -> Iterator[str]:
    """Every registered partition of ctx's tenant."""
    for provider in _partitions.values():
        yield from provider(ctx)


def feeds(ctx: TenantContext) -> list[str]:
    """Every registered feed partition of ctx's tenant."""
    return [feed(ctx) for feed in _feeds.values()]


def links(ctx: TenantContext, item: RawItem) -> Iterable[Link]:
    """What an item leads to."""
    provider = _links.get(kind_of(item))
    return provider(ctx, item) if provider is not None else ()


def sealed(kind: str) -> list[SealedValues]:
    """Where items of a kind keep sealed values."""
    return _sealed.get(kind, [])


def is_excluded(kind: str) -> bool:
    """True when the kind never goes into an export."""
    return kind in _excluded_kinds


def excluded_attributes(kind: str) -> frozenset[str]:
    """Attributes of a kind that never go into an export."""
    return _excluded_attributes.get(kind, frozenset())


def unreachable_kinds() -> dict[str, str]:
    """Kinds the walk cannot reach, with the reason they may stay behind."""
    return dict(_unreachable)


def on_import(item: RawItem, now: str) -> RawItem:
    """The item as the import writes it."""
    adjust = _on_import.get(kind_of(item))
    return adjust(item, now) if adjust is not None else item


def kind_of(item: RawItem) -> str:
    """The item's kind (PynamoDB discriminator)."""
    return str(item.get("kind", {}).get("S", ""))


def text(item: RawItem, name: str) -> str | None:
    """A string attribute of a raw item, if it has one."""
    value = item.get(name, {}).get("S")
    return value if isinstance(value, str) else None
