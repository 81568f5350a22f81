"""The company record type: what the engine needs to know of a company (``records.types``)."""

from __future__ import annotations

from typing import Any

from chalicelib.companies.models import Company, CompanyLink, CompanyRow
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import editing, links, listing, matching, types


def facets(company: Company) -> listing.Facets:
    """What the company is listed, filtered and found by: its name, e-mails and web domain."""
    emails = [email["address"] for email in company.emails or []]
    return listing.Facets(
        record_id=company.company_id, owner_id=company.owner_id, team_id=company.team_id,
        tags=tuple(company.tags or ()), custom=tuple((k, v) for k, v in company.custom_indexed or []),
        tokens=tuple(matching.search_tokens(company.name, extra=[*emails, web_host(company.website)])),
        sort_name=matching.fold(company.name), updated_at=company.updated_at.isoformat(),
        deleted_at=company.deleted_at.isoformat() if company.deleted_at else None,
    )


def web_host(website: str | None) -> str:
    """The host of a web address without ``www.`` ("https://www.acme.io/x" -> "acme.io")."""
    return (website or "").split("://", 1)[-1].split("/", 1)[0].removeprefix("www.").lower()


def row_values(company: Company) -> dict[str, Any]:
    """What a company's list rows show besides the common attributes."""
    phones, emails = company.phones or [], company.emails or []
    return {"name": company.name, "phone": phones[0]["number"] if phones else None,
            "email": emails[0]["address"] if emails else None, "website": company.website,
            "industry": company.industry}


def whole_token(q: str) -> str | None:
    """An e-mail or a web address is searched as one token."""
    if "@" in q or ("." in q and " " not in q):
        return matching.fold(q).removeprefix("www.")
    return None


def link_summary(company: Company) -> dict[str, Any]:
    """What a contact's card shows of its company."""
    return {"name": company.name, "website": company.website}


def apply(ctx: TenantContext, company: Company, fields: dict[str, Any]) -> None:
    """Set a company's own fields from a request."""
    if "name" in fields:
        company.name = fields["name"].strip()
    if "phones" in fields:
        company.phones = editing.phones(fields["phones"] or [], matching.tenant_region(ctx))
    if "emails" in fields:
        company.emails = editing.emails(fields["emails"] or [])
    if "tags" in fields:
        company.tags = list(fields["tags"] or [])
    if "address" in fields:
        address = {k: v for k, v in (fields["address"] or {}).items() if v is not None}
        company.address = address or None
    for name in ("website", "industry", "tax_number", "kpp", "registration_number"):
        if name in fields:
            setattr(company, name, fields[name] or None)


def _updated(ctx: TenantContext, before: Company, after: Company) -> None:
    from chalicelib.companies import service

    service.refresh_contact_links(ctx, before, after)


def _update_schema() -> type[Any]:
    from chalicelib.companies.schemas import CompanyUpdate

    return CompanyUpdate


def purging(ctx: TenantContext, company: Company) -> None:
    """Before a company is purged, unlink its contacts (they keep it on their cards until then)."""
    detach = types.get("contact").hooks["detach"]
    for contact_id in links.linked_ids(ctx, "company", subject_id=company.company_id, kind="contact"):
        detach(ctx, contact_id, kind="company", ref_id=company.company_id)


COMPANY = types.register(types.RecordType(
    name="company", plural="companies", prefix="CO", model=Company, id_attribute="company_id", space="COX",
    row_model=CompanyRow, link_model=CompanyLink, sorts=listing.PERSONAL_SORTS,
    link_kinds={"contact": "CONTACT", "deal": "DEAL", "task": "TASK"},
    fields=(types.Field("name", search=True, personal=True, aliases=("company", "organisation", "organization")),
            types.Field("phones", lookup="phone", personal=True), types.Field("emails", search=True, personal=True),
            types.Field("website", search=True, personal=True), types.Field("address", personal=True),
            # a sole trader's VAT ID is theirs: sealed like its name; "tax_number", as "*_id" names a record
            types.Field("tax_number", personal=True, title="VAT ID"),
            # a sole trader's ОГРНИП names them as their INN does: sealed alike, and the КПП with them
            types.Field("kpp", personal=True, title="KPP"),
            types.Field("registration_number", personal=True, title="registration number")),
    audit_fields=("name", "phones", "emails", "website", "industry", "address", "tax_number", "kpp",
                  "registration_number", "tags", "owner_id", "team_id", "deleted_at"),
    hooks={"facets": facets, "row_values": row_values, "whole_token": whole_token, "link_summary": link_summary,
           "purging": purging, "apply": apply, "updated": _updated,
           "update_schema": _update_schema},
))
