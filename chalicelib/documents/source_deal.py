"""Deals as a document source: its title and amount, or the lines the request gives, made out to its first
contact and its company."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.core import phones
from chalicelib.documents import sources
from chalicelib.documents.sources import Line, Source
from chalicelib.records import access, types


def address_text(address: Any) -> str:
    """An address as one line of print."""
    if not isinstance(address, dict):
        return ""
    parts = [address.get(name) for name in ("line1", "line2", "postal_code", "city", "region", "country")]
    return ", ".join(str(part) for part in parts if part)


def _phone(numbers: Any) -> str:
    """The first phone as people read it ("+44 7911 120000"; stored in E.164), or ""."""
    first = next((p.get("number") for p in numbers or [] if isinstance(p, dict)), "") or ""
    return phones.readable(str(first)) if first else ""


def contact_fields(contact: Any) -> dict[str, Any]:
    """The template's view of a contact."""
    if contact is None:
        return {}
    first, last = contact.first_name or "", contact.last_name or ""
    return {"name": " ".join(part for part in (first, last) if part), "first_name": first, "last_name": last,
            "email": next((e.get("address") for e in contact.emails or [] if isinstance(e, dict)), "") or "",
            "phone": _phone(contact.phones),
            "address": address_text(contact.billing_address or contact.shipping_address)}


def company_fields(company: Any) -> dict[str, Any]:
    """The template's view of a company."""
    if company is None:
        return {}
    return {"name": company.name or "", "website": company.website or "", "address": address_text(company.address),
            "email": next((e.get("address") for e in company.emails or [] if isinstance(e, dict)), "") or "",
            "phone": _phone(company.phones), "tax_id": _tax_id(company)}


def _tax_id(company: Any) -> str:
    """The company's INN, kept in its custom field ``inn`` (as imports keep it), unless that field is sensitive:
    reading a sensitive value is an audited read of its own, not something a document does on the way."""
    if sources.TAX_ID_FIELD in (company.custom_sensitive or []):
        return ""
    value = (company.custom or {}).get(sources.TAX_ID_FIELD)
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def load(ctx: Any, record_id: str, *, action: str, lines: list[Line] | None = None) -> Source:
    """A deal the caller may do action on, with its first contact and its company as far as the caller may read."""
    deal = access.get_or_raise(ctx, types.get("deal"), record_id, action=action)
    contact = sources.readable(ctx, "contact", (deal.contact_ids or [None])[0])
    company = sources.readable(ctx, "company", deal.company_id)
    if lines is None:
        lines = [sources.priced(deal.title, Decimal(1), int(deal.amount_minor or 0))]
    fields = {"title": deal.title, "amount_minor": int(deal.amount_minor or 0), "currency": deal.currency,
              "status": deal.status, "expected_close_on": deal.expected_close_on or ""}
    return Source(kind="deal", record_id=deal.deal_id, title=deal.title, currency=deal.currency,
                  owner_id=deal.owner_id, team_id=deal.team_id, lines=lines, fields=fields, contact=contact,
                  company=company)
