"""Applying requested values to a contact: phones to E.164, e-mails, custom values, sensitive ids, owner."""

from __future__ import annotations

from typing import Any, TypeVar

from chalicelib.contacts import matching, sensitive
from chalicelib.contacts.models import Contact
from chalicelib.contacts.schemas import SENSITIVE_FIELDS
from chalicelib.core import db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.customfields import service as customfields_service

_Item = TypeVar("_Item", bound=db.MainTable)
PLAIN_FIELDS = ("billing_address", "shipping_address", "utm", "consent", "source", "birthday")
NAME_FIELDS = ("first_name", "last_name")


def clone(item: _Item) -> _Item:
    """An independent copy of an item (the "before" of a change)."""
    return type(item).from_raw_data(item.serialize())


def phones(raw: list[dict[str, Any]], region: str) -> list[dict[str, str]]:
    """Phones in E.164 with their kind, duplicates dropped; 422 naming the first invalid one."""
    found: dict[str, str] = {}
    for position, phone in enumerate(raw):
        number = matching.clean_phone(phone["number"], region, loc=["phones", position, "number"])
        found.setdefault(number, phone.get("kind") or "mobile")
    return [{"number": number, "kind": kind} for number, kind in found.items()]


def emails(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    """E-mails (already lower-cased by the schema) with their kind, duplicates dropped."""
    found: dict[str, str] = {}
    for email in raw:
        found.setdefault(email["address"], email.get("kind") or "work")
    return [{"address": address, "kind": kind} for address, kind in found.items()]


def _messengers(value: dict[str, Any] | None, region: str) -> dict[str, Any] | None:
    if not value:
        return None
    kept = {key: item for key, item in value.items() if item is not None}
    if "whatsapp" in kept:
        kept["whatsapp"] = matching.clean_phone(kept["whatsapp"], region, loc=["messengers", "whatsapp"])
    if "telegram_username" in kept:
        kept["telegram_username"] = kept["telegram_username"].lstrip("@")
    return kept or None


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
        contact.phones = phones(fields["phones"] or [], region)
    if "emails" in fields:
        contact.emails = emails(fields["emails"] or [])
    if "tags" in fields:
        contact.tags = list(fields["tags"] or [])
    if "messengers" in fields:
        contact.messengers = _messengers(fields["messengers"], region)
    for name in PLAIN_FIELDS:
        if name in fields:
            setattr(contact, name, _compact(fields[name]))
    for name in SENSITIVE_FIELDS:
        if name in fields:
            sensitive.seal(ctx, contact, name, fields[name])


def apply_custom(ctx: TenantContext, contact: Contact, values: dict[str, Any] | None, *, new: bool) -> None:
    """Validate custom values against the tenant's definitions and set them with their index pairs."""
    cleaned = customfields_service.clean(ctx, entity="contact", record_id=contact.contact_id, values=values or {},
                                         existing=None if new else dict(contact.custom or {}))
    contact.custom = cleaned.stored
    contact.custom_indexed = [[key, value] for key, value in cleaned.indexed]
    contact.custom_sensitive = sorted(cleaned.sensitive)


def require_identity(contact: Contact) -> None:
    """422 unless the contact keeps a name, a phone or an e-mail (else nobody could find it)."""
    if not (contact.first_name or contact.last_name or contact.phones or contact.emails):
        raise errors.ValidationError("A contact needs a name, a phone or an e-mail.", details=[
            {"loc": ["first_name"], "msg": "A name, a phone or an e-mail is required", "type": "missing"}])


def resolve_owner(ctx: TenantContext, owner_id: str | None, scope: str) -> tuple[str, str | None]:
    """The owner (default: the acting user, else the tenant's owner) and the team the record joins."""
    from chalicelib.identity import service as identity_service

    if owner_id is None:  # an API key or a webhook gives new records to the tenant's owner
        owner_id = ctx.actor_id if ctx.actor_kind == "user" else identity_service.tenant_settings_or_raise(ctx).owner_id
    user = identity_service.get_user(ctx, owner_id)
    if user is None or user.status == "deactivated":
        raise errors.ValidationError(details=[{"loc": ["owner_id"], "msg": "No such active user",
                                               "type": "unknown_owner"}])
    if not permissions.may_touch(ctx, scope, owner_id=user.user_id, team_id=user.team_id):
        raise errors.ForbiddenError("You may not give a contact to someone outside your scope.")
    return user.user_id, user.team_id


def touch(contact: Contact) -> None:
    """Mark a contact as changed now."""
    contact.updated_at = db.utcnow()
