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
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.core import errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, types

SOURCES: dict[str, str] = {
    "deal": "chalicelib.documents.source_deal",
    "order": "chalicelib.documents.source_order",
}
# The fields of each kind a document prints (as field rules name them): a role that may not see one of them may
# neither issue nor read the record's documents (#21 item 10's hidden fields stay hidden on paper too).
PRINTED: dict[str, frozenset[str]] = {"deal": frozenset({"title", "amount"}),
                                      "order": frozenset({"lines", "shipping", "total", "totals"})}
# What a document prints of its customer, by the contact's and company's field names; hidden ones are left out.
# The company's VAT ID or tax number is its field ``tax_number``; before it, Russian companies kept an INN in a custom
# field ``inn`` (dataio's company import fills it), read where the field is empty
TAX_ID_FIELD = "inn"
# A Russian buyer's КПП is its field ``kpp`` (printed beside its INN); before it, a company may have kept it in a custom
# field ``kpp``, read where the field is empty. Its ОГРН (``registration_number``) is there for a company's template.
KPP_FIELD = "kpp"
CUSTOMER_FIELDS = {"name": ("first_name", "last_name", "name"), "email": ("emails",), "phone": ("phones",),
                   "address": ("billing_address", "shipping_address", "address"),
                   "tax_id": ("tax_number", f"custom.{TAX_ID_FIELD}"), "kpp": ("kpp", f"custom.{KPP_FIELD}"),
                   "registration_number": ("registration_number",)}


@dataclass(frozen=True)
class Line:
    """One line of a document, its amounts computed on the server in minor units."""

    description: str
    quantity: Decimal
    unit_price_minor: int
    tax_rate: Decimal | None = None  # percent, to 3 places (8.875); None: no rate applies ("Без НДС"), unlike 0 %
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
    hidden_contact: frozenset[str] = frozenset()  # what of them the issuer may not see (left off the document)
    hidden_company: frozenset[str] = frozenset()
    created_at: datetime | None = None  # when the record was made (an act of an order is based on "the order of ...")


def priced(description: str, quantity: Decimal, unit_price_minor: int, tax_rate: Decimal | None = None,
           unit: str | None = None, *, inclusive: bool = False) -> Line:
    """A line with its amount (quantity x price) and tax (on top of the amount; ``inclusive``: the price has its tax
    in, which is taken out of it, as ``orders.totals`` does), each rounded half up per line to whole minor units, as
    accountants round; no rate (None) is no tax."""
    amount = (quantity * unit_price_minor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    rate = tax_rate or Decimal(0)
    if inclusive:
        tax = (amount * rate / (Decimal(100) + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        amount -= tax
    else:
        tax = (amount * rate / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Line(description=description, quantity=quantity, unit_price_minor=unit_price_minor,
                tax_rate=tax_rate, unit=unit, amount_minor=int(amount), tax_minor=int(tax))


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
         default_rate: Decimal | None = None, loc: tuple[str | int, ...] = ("body", "source", "kind")) -> Source:
    """A record's source, when the caller may do action on it and see what its documents print (404 / 403);
    ``default_rate``: the company's VAT rate, which a line the source makes of its own amount takes (a deal's), with
    the VAT in that amount when the company's prices include it (``identity.service.prices_include_tax``)."""
    found: Source = _module(kind, loc).load(ctx, record_id, action=action, lines=lines, default_rate=default_rate)
    require_printed(ctx, kind)
    found.hidden_contact = hidden_customer_fields(ctx, "contact") if found.contact is not None else frozenset()
    found.hidden_company = hidden_customer_fields(ctx, "company") if found.company is not None else frozenset()
    return found


def check(ctx: TenantContext, kind: str, record_id: str, *, action: str) -> Any:
    """The record a document belongs to, when the caller may do action on it (404 / 403 otherwise)."""
    _module(kind, ("source_kind",))
    record = access.get_or_raise(ctx, types.get(kind), record_id, action=action)
    require_printed(ctx, kind)
    return record


def require_printed(ctx: TenantContext, kind: str) -> None:
    """403 ``field_hidden`` when the caller's role may not see a field the record's documents print."""
    from chalicelib.records.fieldaccess import service as fieldaccess

    gone = sorted(fieldaccess.hidden(ctx, types.get(kind)) & PRINTED.get(kind, frozenset()))
    if gone:
        raise errors.ForbiddenError(f"Documents print fields your role may not see: {', '.join(gone)}.",
                                    code="field_hidden", details=[{"loc": ["source"], "msg": name,
                                                                   "type": "field_hidden"} for name in gone])


def hidden_customer_fields(ctx: TenantContext, type_name: str) -> frozenset[str]:
    """What of a contact's or company's the caller may not see, as the customer block names it, and its custom
    fields hidden from the caller (``custom.<key>``)."""
    from chalicelib.records.fieldaccess import service as fieldaccess

    gone = fieldaccess.hidden(ctx, types.get(type_name))
    return frozenset(name for name, fields in CUSTOMER_FIELDS.items() if gone & set(fields)) \
        | frozenset(name for name in gone if name.startswith("custom."))


def readable(ctx: TenantContext, type_name: str, record_id: str | None) -> Any:
    """A live record the caller may read, or None: a document prints only what its maker may see."""
    if not record_id:
        return None
    rtype = types.get(type_name)
    record = access.get(ctx, rtype, record_id)
    return record if record is not None and access.may_read(ctx, rtype, record) else None
