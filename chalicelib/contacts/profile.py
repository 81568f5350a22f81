"""Applying requested values to a contact: names, messengers, addresses, custom values, sensitive ids."""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import sensitive
from chalicelib.contacts.models import Contact
from chalicelib.contacts.schemas import SENSITIVE_FIELDS
from chalicelib.core import crypto, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import editing, matching

TELEGRAM = "telegram"  # contact.blind's key of its Telegram username's blind index (a CBI lookup)
PLAIN_FIELDS = ("billing_address", "shipping_address", "utm", "consent", "source", "birthday", "job_title")
NAME_FIELDS = ("first_name", "last_name")


def _messengers(value: dict[str, Any] | None, region: str) -> dict[str, Any] | None:
    if not value:
        return None
    kept = {key: item for key, item in value.items() if item is not None}
    if "whatsapp" in kept:
        kept["whatsapp"] = matching.clean_phone(kept["whatsapp"], region, loc=["messengers", "whatsapp"])
    if "telegram_username" in kept:
        kept["telegram_username"] = kept["telegram_username"].lstrip("@")
    return kept or None


def telegram_digest(ctx: TenantContext, username: str) -> str:
    """The blind index of a Telegram username (letter case and a leading @ aside)."""
    return crypto.blind_index(ctx, entity=sensitive.ENTITY, field=TELEGRAM, value=username.lstrip("@"))


def index_telegram(ctx: TenantContext, contact: Contact) -> None:
    """The contact's blind map follows its Telegram username, so a chat with the company's bot from that username
    finds the contact (a parent who left it on the website's form and then writes to the bot)."""
    blind = dict(contact.blind or {})
    username = (contact.messengers or {}).get("telegram_username")
    if username:
        blind[TELEGRAM] = telegram_digest(ctx, username)
    else:
        blind.pop(TELEGRAM, None)
    contact.blind = blind


def reindex(ctx: TenantContext, contact: Contact) -> None:
    """The contact's whole blind map as its values give it under ctx's key (its Telegram username, its tax id and
    IBAN), not as a copy of it kept from earlier holds it: a merge's undo and a tenant's import write a contact
    whose map was written before an index existed (or under another tenant's key)."""
    blind: dict[str, str] = {}
    for field in sensitive.INDEXED:
        clear = sensitive.open_field(ctx, contact, field)
        if clear:
            blind[field] = crypto.blind_index(ctx, entity=sensitive.ENTITY, field=field, value=clear)
    contact.blind = blind
    index_telegram(ctx, contact)


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {key: item for key, item in value.items() if item is not None}
        return kept or None
    return value


def apply(ctx: TenantContext, contact: Contact, fields: dict[str, Any], region: str) -> None:
    """Set the given fields (a JSON dump of the request, unset fields absent) on a contact."""
    for name in NAME_FIELDS:
        if name in fields:
            setattr(contact, name, (fields[name] or "").strip() or None)
    if "phones" in fields:
        contact.phones = editing.phones(fields["phones"] or [], region)
    if "emails" in fields:
        contact.emails = editing.emails(fields["emails"] or [])
    if "tags" in fields:
        contact.tags = list(fields["tags"] or [])
    if "messengers" in fields:
        contact.messengers = _messengers(fields["messengers"], region)
        index_telegram(ctx, contact)
    for name in PLAIN_FIELDS:
        if name in fields:
            setattr(contact, name, _compact(fields[name]))
    for name in SENSITIVE_FIELDS:
        if name in fields:
            sensitive.seal(ctx, contact, name, fields[name])


def require_identity(contact: Contact) -> None:
    """422 unless the contact keeps a name, a phone or an e-mail (else nobody could find it)."""
    if not (contact.first_name or contact.last_name or contact.phones or contact.emails):
        raise errors.ValidationError("A contact needs a name, a phone or an e-mail.", details=[
            {"loc": ["first_name"], "msg": "A name, a phone or an e-mail is required", "type": "missing"}])
