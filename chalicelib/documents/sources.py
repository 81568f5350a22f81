"""The document source seam: which kinds of record can have documents, and what each gives the template.

A source is a module named in ``SOURCES`` (loaded on first use, like the engine's record types) whose ``load``
answers a :class:`Source`: the record's scope (who may see its documents), its lines, currency and title, the
template's view of it (``fields``, under the source's own name: ``deal``, ``order``) and the customer (contact,
company) the document is made out to and may be sent to. Who may issue a record's documents is who may change
the record; who may see them, who may read it. A new kind of record joins by adding its module here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, types

SOURCES: dict[str, str] = {
    "deal": "chalicelib.documents.source_deal",
    "order": "chalicelib.documents.source_order",
}


@dataclass(frozen=True)
class Line:
    """One line of a document, its amounts computed on the server in minor units."""

    description: str
    quantity: Decimal
    unit_price_minor: int
    tax_rate_bp: int = 0  # basis points: 2000 is 20 %
    unit: str | None = None
    amount_minor: int = 0  # net of the discount and of tax
    tax_minor: int = 0
    discount_minor: int = 0


@dataclass
class Source:
    """What a document is made from."""

    kind: str
    record_id: str
    title: str | None
    currency: str
    owner_id: str | None
    team_id: str | None
    lines: list[Line]
    fields: dict[str, Any] = field(default_factory=dict)
    contact: Any = None  # the record, for its e-mail and messengers
    company: Any = None


def priced(description: str, quantity: Decimal, unit_price_minor: int, tax_rate_bp: int = 0,
           unit: str | None = None) -> Line:
    """A line with its amount (quantity x price) and tax (on top of the amount), each rounded half up per line
    to whole minor units, as accountants round."""
    amount = (quantity * unit_price_minor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    tax = (amount * tax_rate_bp / Decimal(10000)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Line(description=description, quantity=quantity, unit_price_minor=unit_price_minor,
                tax_rate_bp=tax_rate_bp, unit=unit, amount_minor=int(amount), tax_minor=int(tax))


def kinds() -> tuple[str, ...]:
    """The kinds of record that can have documents."""
    return tuple(SOURCES)


def _module(kind: str, loc: tuple[str | int, ...]) -> Any:
    name = SOURCES.get(kind)
    if name is None:
        raise errors.ValidationError(details=[{"loc": list(loc), "msg": "This kind of record has no documents",
                                               "type": "unknown_source"}])
    return importlib.import_module(name)


def load(ctx: TenantContext, kind: str, record_id: str, *, action: str, lines: list[Line] | None = None,
         loc: tuple[str | int, ...] = ("body", "source", "kind")) -> Source:
    """A record's source, when the caller may do action on it (404 / 403 as the record answers)."""
    return _module(kind, loc).load(ctx, record_id, action=action, lines=lines)  # type: ignore[no-any-return]


def check(ctx: TenantContext, kind: str, record_id: str, *, action: str) -> Any:
    """The record a document belongs to, when the caller may do action on it (404 / 403 otherwise)."""
    _module(kind, ("source_kind",))
    return access.get_or_raise(ctx, types.get(kind), record_id, action=action)


def readable(ctx: TenantContext, type_name: str, record_id: str | None) -> Any:
    """A live record the caller may read, or None: a document prints only what its maker may see."""
    if not record_id:
        return None
    rtype = types.get(type_name)
    record = access.get(ctx, rtype, record_id)
    return record if record is not None and access.may_read(ctx, rtype, record) else None
