"""The sensitive built-ins of a contact: passport number, tax id, IBAN.

Stored only as ``core.crypto`` tokens sealed to the contact's id and the field; every answer shows
``crypto.mask`` of the value (kept beside the token at write time, so reads need no key) unless the
caller asks to reveal it and may, and every clear-text reveal is recorded before it is returned.
Tax ids and IBANs are found by exact value through blind-index lookup items, never plaintext.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.contacts.models import Contact
from chalicelib.contacts.read_schemas import SENSITIVE_FIELDS
from chalicelib.core import audit, crypto, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import matching

ENTITY = "contact"
INDEXED = ("tax_id", "iban")
_CLEANERS: dict[str, Callable[[str], str]] = {
    "passport_number": lambda value: " ".join(value.split()),
    "tax_id": matching.clean_tax_id,
    "iban": matching.clean_iban,
}


def clean(field: str, value: str) -> str:
    """The stored form of a sensitive value; 422 when it is not one (an IBAN's check digits ...)."""
    try:
        return _CLEANERS[field](value)
    except ValueError as exc:
        raise errors.ValidationError(details=[{"loc": [field], "msg": str(exc), "type": f"invalid_{field}"}]) from exc


def seal(ctx: TenantContext, contact: Contact, field: str, value: str | None) -> None:
    """Set (or clear, with None) one sensitive field of a contact: token, mask and blind index."""
    masks, blind = dict(contact.masks or {}), dict(contact.blind or {})
    if value is None:
        setattr(contact, field, None)
        masks.pop(field, None)
        blind.pop(field, None)
    else:
        value = clean(field, value)
        setattr(contact, field, crypto.encrypt_field(ctx, entity=ENTITY, record_id=contact.contact_id, field=field,
                                                     plaintext=value))
        masks[field] = crypto.mask(value)
        if field in INDEXED:
            blind[field] = crypto.blind_index(ctx, entity=ENTITY, field=field, value=value)
    contact.masks, contact.blind = masks, blind


def lookup_digest(ctx: TenantContext, field: str, value: str) -> str | None:
    """The blind index a search for this tax id or IBAN looks up (None when it cannot be one)."""
    try:
        cleaned = _CLEANERS[field](value)
    except ValueError:
        return None
    return crypto.blind_index(ctx, entity=ENTITY, field=field, value=cleaned)


def open_field(ctx: TenantContext, contact: Contact, field: str) -> str | None:
    """The clear text of one sensitive field (callers record the read first)."""
    token = getattr(contact, field)
    if token is None:
        return None
    return crypto.decrypt_field(ctx, entity=ENTITY, record_id=contact.contact_id, field=field, token=token)


def parse_reveal(raw: str | None) -> frozenset[str]:
    """The fields a ``?reveal=a,b`` asks for: built-in names or ``custom.<key>``; 422 for others."""
    if not raw:
        return frozenset()
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(n for n in names if n not in SENSITIVE_FIELDS and not n.startswith("custom."))
    if unknown:
        raise errors.ValidationError(details=[{"loc": ["query", "reveal"], "msg": f"Cannot reveal {name}",
                                               "type": "unknown_field"} for name in unknown])
    return names


def reveal(ctx: TenantContext, contact: Contact, fields: frozenset[str]) -> dict[str, str | None]:
    """Clear text of the asked built-ins, recorded as read before it is returned; 403 for a role without."""
    if not fields:
        return {}
    if not permissions.sees_sensitive(ctx):
        raise errors.ForbiddenError("Your role may not see sensitive fields.", code="sensitive_forbidden")
    present = sorted(name for name in fields if name in SENSITIVE_FIELDS and getattr(contact, name) is not None)
    custom = sorted(name for name in fields if name.startswith("custom.")
                    and name.removeprefix("custom.") in (contact.custom_sensitive or []))
    if present or custom:
        audit.record_reads(ctx, entity=ENTITY, entity_id=contact.contact_id, fields=present + custom)
    return {name: open_field(ctx, contact, name) for name in present}


def copy_for(ctx: TenantContext, source: Contact, target: Contact, field: str) -> None:
    """Re-seal a sensitive value of one contact for another (tokens are bound to their record)."""
    seal(ctx, target, field, open_field(ctx, source, field))
