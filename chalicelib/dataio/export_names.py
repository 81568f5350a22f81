"""Who and what a page of exported records names, by name rather than by id: owners, a contact's companies, a deal's
contacts and company. One BatchGetItem a kind per 100 names; a record the caller may not read goes unnamed.

A deal's contact is written "Name (e-mail)" (else its phone), as HubSpot exports associations: readable, and what
the deal import resolves without the ambiguity of a name alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access, types
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.customfields.models import FieldDefinition
from chalicelib.records.fieldaccess import service as fieldaccess
from chalicelib.records.naming import record_names
from chalicelib.records.timeline import PROFILE_SK

BATCH = 100  # keys a BatchGetItem takes


@dataclass
class Naming:
    """What a page of rows is written with: the company's language and clock, its custom fields, and names."""

    locale: str
    zone: ZoneInfo
    definitions: dict[str, FieldDefinition]
    users: dict[str, str] = field(default_factory=dict)
    records: dict[tuple[str, str], str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)

    def user(self, user_id: str | None) -> str | None:
        """A user by name (their id when they are gone)."""
        return self.users.get(user_id, user_id) if user_id else None

    def record(self, type_name: str, record_id: str | None) -> str | None:
        """A record by name; None when the caller may not read it."""
        return self.records.get((type_name, record_id)) if record_id else None


def naming(ctx: TenantContext, entity: str, *, owners: Iterable[str | None] = (),
           records: Iterable[tuple[str, str]] = (), contacts: Iterable[str] = ()) -> Naming:
    """The naming of one page: the company's settings, then the owners, records and deal contacts it names."""
    from chalicelib.identity import service as identity_service
    from chalicelib.identity import zones

    definitions = {d.key: d for d in customfields_service.active_definitions(ctx, entity)}
    result = Naming(locale=identity_service.company_locale(ctx), zone=zones.company_zone(ctx), definitions=definitions)
    result.users = user_names(ctx, [owner for owner in owners if owner])
    wanted = list(dict.fromkeys(records))
    for chunk in db.each_in_batches(wanted, BATCH):
        result.records.update(record_names(ctx, chunk))
    result.contacts = contact_references(ctx, list(dict.fromkeys(contacts)))
    return result


def user_names(ctx: TenantContext, user_ids: list[str]) -> dict[str, str]:
    """Users' names by id, in one BatchGetItem."""
    from chalicelib.identity import service as identity_service

    keys = identity_service.user_keys(ctx, user_ids)
    return {user_id: name for chunk in db.each_in_batches(keys, BATCH)
            for user_id, name in identity_service.names_of_users(ctx, db.get_many(ctx, list(chunk))).items()}


def _reference(record: Any, hidden: frozenset[str]) -> str | None:
    name = " ".join(part for part in (record.first_name, record.last_name) if part) if "first_name" not in hidden \
        else ""
    emails = [e.get("address") for e in record.emails or [] if e.get("address")] if "emails" not in hidden else []
    phones = [p.get("number") for p in record.phones or [] if p.get("number")] if "phones" not in hidden else []
    key = (emails or phones or [None])[0]
    if name and key:
        return f"{name} ({key})"
    return name or key


def contact_references(ctx: TenantContext, contact_ids: list[str]) -> dict[str, str]:
    """Contacts as "Name (e-mail)", else "Name (phone)", else what there is, in one BatchGetItem."""
    rtype = types.get("contact")
    wanted = {(access.collection_pk(ctx, rtype, contact_id), PROFILE_SK): contact_id
              for contact_id in contact_ids if is_valid_id(contact_id)}
    found = {key: item for chunk in db.each_in_batches(list(wanted), BATCH)
             for key, item in db.get_many(ctx, list(chunk)).items()}
    hidden, _ = fieldaccess.hidden_keys(ctx, rtype)
    references = {}
    for key, record in found.items():
        if isinstance(record, rtype.model) and record.deleted_at is None and access.may_read(ctx, rtype, record):
            text = _reference(record, hidden)
            if text:
                references[wanted[key]] = text
    return references
