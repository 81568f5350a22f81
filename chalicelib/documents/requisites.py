"""The seller's requisites (legal name, tax ids, bank details, address) every document prints: one item per company,
read by who may read its settings, written by who may change them, audited, every value sealed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.documents import numbering, wording
from chalicelib.documents import schemas as s
from chalicelib.documents.models import REQUISITE_FIELDS, REQUISITES_SK, Requisites, settings_pk
from chalicelib.records import money


def get(ctx: TenantContext) -> Requisites | None:
    """The company's requisites, or None (no permission check: documents print them)."""
    return db.get(ctx, Requisites, settings_pk(ctx), REQUISITES_SK)


def values(requisites: Requisites | None) -> dict[str, str]:
    """The template's view of the requisites (empty strings for what is not filled in)."""
    return {name: (getattr(requisites, name, None) or "") if requisites is not None else ""
            for name in REQUISITE_FIELDS}


def default_rate(requisites: Requisites | None) -> Decimal | None:
    """The VAT rate in percent a deal's own line takes, or None (no rate: "No VAT" / "Без НДС")."""
    milli = getattr(requisites, "default_tax_rate_milli", None)
    return None if milli is None else Decimal(money.from_milli(int(milli)))


def missing(requisites: Requisites | None) -> bool:
    """True while the company has not given its legal name (the seller line then prints its name alone)."""
    return not (getattr(requisites, "legal_name", None) or "").strip()


def seller(ctx: TenantContext, requisites: Requisites | None) -> dict[str, str]:
    """What a document prints as the seller: the requisites, the company's name standing for a legal name not
    given, so no document prints an empty seller line."""
    from chalicelib.identity import service as identity_service

    found = values(requisites)
    if missing(requisites):
        found["legal_name"] = str(getattr(identity_service.tenant_settings(ctx), "name", None) or "")
    return found


def in_use_locale(ctx: TenantContext, requisites: Requisites | None) -> str:
    """The language the company's documents are worded in today: the one it chose (Settings -> Requisites: English,
    Russian or German), else the one it works in (the web app's), as every document was worded before it could
    choose."""
    from chalicelib.identity import service as identity_service

    chosen = getattr(requisites, "document_locale", None)
    return wording.locale_of(chosen) if chosen else wording.locale_of(identity_service.company_locale(ctx))


def suggested_locale(ctx: TenantContext) -> str | None:
    """Its country's documents' language, where we have one (a Berlin agency's German): suggested, never chosen."""
    from chalicelib.identity import service as identity_service

    return wording.country_locale(getattr(identity_service.tenant_settings(ctx), "country", None))


def read(ctx: TenantContext, requisites: Requisites | None) -> s.RequisitesRead:
    """The API view of the requisites, with the number prefixes documents take (the company's or its default) and
    the documents' language: chosen, in use today, its country's, and the one the form starts at. The form starts at
    the language in use, so saving the requisites for another reason (a new IBAN) changes no document's language;
    a new company (no requisites saved and no document ever numbered) starts at its country's, as it has no
    document whose language could change (one Query of its counters, only while it has no requisites)."""
    prefixes = numbering.prefixes(ctx, requisites)
    in_use, suggested = in_use_locale(ctx, requisites), suggested_locale(ctx)
    starts = suggested if suggested and requisites is None and not numbering.any_issued(ctx) else in_use
    languages: dict[str, Any] = {"document_locale_in_use": in_use, "document_locale_suggested": suggested,
                                 "document_locale_default": starts}
    if requisites is None:
        return s.RequisitesRead(number_prefixes=prefixes, **languages)
    rate = default_rate(requisites)
    return s.RequisitesRead(**{name: getattr(requisites, name) for name in REQUISITE_FIELDS},
                            number_prefixes=prefixes, default_tax_rate=None if rate is None else format(rate, "f"),
                            document_locale=requisites.document_locale, **languages,
                            version=int(requisites.version or 0), updated_at=requisites.updated_at)


def show(ctx: TenantContext) -> s.RequisitesRead:
    """The requisites, for who may read the company's settings."""
    permissions.require(ctx, "settings", "read")
    return read(ctx, get(ctx))


def _audit_view(requisites: Requisites | None) -> dict[str, Any] | None:
    if requisites is None:
        return None
    return {name: getattr(requisites, name) for name in (*REQUISITE_FIELDS, "number_prefixes",
                                                         "default_tax_rate_milli", "document_locale")}


def _prefixes(given: s.NumberPrefixes | None) -> dict[str, str] | None:
    """The prefixes a company set (a type left out keeps its language's default)."""
    if given is None:
        return None
    return {name: value for name, value in given.model_dump().items() if value is not None} or None


def replace(ctx: TenantContext, *, data: s.RequisitesIn) -> s.RequisitesRead:
    """Set the requisites as a whole (the version read must match: 409 otherwise)."""
    permissions.require(ctx, "settings", "update")
    current = get(ctx)
    read_version = int(current.version or 0) if current is not None else 0
    if read_version != int(data.version or 0):
        raise errors.VersionConflictError()
    after = current if current is not None else Requisites(settings_pk(ctx), REQUISITES_SK)
    before = _audit_view(current)
    for name in REQUISITE_FIELDS:
        value = getattr(data, name)
        setattr(after, name, value or None)
    if "number_prefixes" in data.model_fields_set:  # left out (a client older than the prefixes): kept as they are
        after.number_prefixes = _prefixes(data.number_prefixes)
    if "default_tax_rate" in data.model_fields_set:  # left out (an older client): kept as it is
        rate = data.default_tax_rate
        after.default_tax_rate_milli = None if rate is None else money.to_milli(str(rate))
    if "document_locale" in data.model_fields_set:  # left out (an older client): kept as it is
        after.document_locale = data.document_locale
    after.updated_at = db.utcnow()
    change = db.Change().save(after)
    audit.attach(ctx, change, after, entity="requisites", entity_id=ctx.tenant_id,
                 action="create" if current is None else "update", before=before, after=_audit_view(after))
    db.commit(ctx, change)
    return read(ctx, after)
