"""Companies as an import and export target, through the companies domain's service and search.

The companies domain has no unique keys, so a duplicate is a company the caller can see with the
same name (folded: case, accents, ё) or the same web domain; an INN counts when the tenant keeps
one in a custom field ``inn``. A row's VAT ID or INN ("VAT ID", "Tax ID", "ИНН") is the company's ``tax_number``,
or that custom field's value where the tenant keeps one (as before the built-in field); its "КПП" and "ОГРН" are the
company's ``kpp`` and ``registration_number``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core import errors, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import export_names, row_notes
from chalicelib.dataio.export_columns import address_text, custom_cells, moment
from chalicelib.dataio.export_names import Naming
from chalicelib.dataio.mapping import (
    ADDRESS,
    NOTES,
    OWNER,
    RECORD_TYPE,
    TAGS,
    Choices,
    FieldSpec,
    address_of,
    phones_in,
)
from chalicelib.dataio.record_rows import list_query
from chalicelib.dataio.row_notes import RowNotes
from chalicelib.records import matching
from chalicelib.records.customfields import service as customfields_service

INN_FIELD = "inn"
COMPANY_SPECS = {spec.name: spec for spec in (
    FieldSpec("name", "text", ("company", "company name", "name", "organization", "organisation", "account",
                               "account name", "компания", "название", "название компании", "наименование",
                               "организация", "фирма", "organization name")),  # Pipedrive's "Organization - Name"
    FieldSpec("phone", "phone", ("phone", "phones", "phone number", "telephone", "tel", "телефон", "телефоны",
                                 "тел", "рабочий телефон", "other phone", "direct phone", "мобильный телефон",
                                 "рабочий прямой телефон", "другой телефон",
                                 "номер факса"), repeatable=True),  # Bitrix24's
    FieldSpec("email", "email", ("email", "e-mail", "emails", "mail", "почта", "эл. почта", "электронная почта",
                                 "емейл", "work email", "other email", "рабочий email", "личный email",
                                 "другой email",  # amoCRM's phone and e-mail columns
                                 "рабочий e-mail", "другой e-mail", "e-mail для рассылок"),  # Bitrix24's
              repeatable=True),
    FieldSpec("website", "text", ("website", "web site", "site", "web", "url", "domain", "сайт", "веб-сайт",
                                  "домен", "organization website", "company domain name", "domain name",  # HubSpot's
                                  "корпоративный сайт")),  # Bitrix24's
    FieldSpec("industry", "text", ("industry", "sector", "отрасль", "сфера", "сфера деятельности",
                                   "organization industry")),
    # one line, kept as the address's first line (the card shows it so, an invoice prints it): Pipedrive's
    # "Organization - Address", amoCRM's "Адрес", our export's "Address"
    FieldSpec("address", "text", ("address", "адрес", "organization address", "company address", "адрес компании",
                                  "organization address full combined address")),
    *ADDRESS,  # in parts (HubSpot's "Street Address", "City", "State/Region" ...)
    TAGS,
    FieldSpec("inn", "text", ("inn", "инн")),  # a Russian INN: the tenant's ``inn`` custom field where it has one
    FieldSpec("tax_number", "text", ("vat id", "vat", "vat number", "tax id", "tax number", "ust-idnr",
                                     "vat id / tax number")),
    # a Russian company's КПП and ОГРН (ОГРНИП): amoCRM's and Bitrix24's columns, our export's headings; Bitrix24's
    # requisites write both an "ОГРН" and an "ОГРНИП" column, a company's row filling the one and an ИП's the other
    FieldSpec("kpp", "text", ("kpp", "kpp (ru)", "кпп")),
    FieldSpec("registration_number", "text", ("registration number", "registration no", "company number",
                                              "ogrn", "огрн", "огрнип"), repeatable=True),
    OWNER,
    NOTES,
    RECORD_TYPE,
)}


def website_host(website: str | None) -> str:
    """The bare host of a web address (no scheme, path or www.), lower-cased."""
    return (website or "").split("://", 1)[-1].split("/", 1)[0].removeprefix("www.").lower()


def _has_inn_field(ctx: TenantContext) -> bool:
    return any(d.key == INN_FIELD for d in customfields_service.active_definitions(ctx, "company"))


def visible_companies(ctx: TenantContext, **filters: str) -> list[Any]:
    """List rows of the companies the caller sees that a search or filter finds (first 50)."""
    from chalicelib.companies.schemas import CompanyListQuery
    from chalicelib.records import search, types

    try:
        query = schema.validate(CompanyListQuery, {**filters, "limit": 50})
        return list(search.list_records(ctx, types.get("company"), query).items)
    except errors.ValidationError:  # a name that is no searchable word finds nothing
        return []


@dataclass
class CompanyRow:
    """A company row ready to create, and its notes."""

    company: Any  # CompanyCreate
    timeline_notes: RowNotes


class CompanyTarget:
    """Companies, through ``companies.service`` (its create schema and create)."""

    entity = "company"
    permission = "companies"
    specs = COMPANY_SPECS
    ignored = frozenset[str]()

    def build(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str, import_id: str,
              choices: Choices | None = None) -> CompanyRow:
        """CompanyCreate of a row and its notes; a VAT ID or INN is the company's tax number, or goes to the tenant's
        ``inn`` custom field when it has one."""
        from chalicelib.companies.schemas import CompanyCreate

        custom: dict[str, Any] = dict(values.get("custom") or {})
        tax_number = str(values.get("tax_number") or "").strip() or None
        inn = str(values.get("inn") or "").strip() or None
        if inn and _has_inn_field(ctx):
            custom.setdefault(INN_FIELD, inn)
        else:
            tax_number = tax_number or inn
        payload = {
            "name": values.get("name"), "website": values.get("website"), "industry": values.get("industry"),
            "phones": phones_in(values),
            "emails": [{"address": address} for address in values.get("email", [])],
            "tags": values.get("tags"), "custom": custom, "owner_id": values.get("owner_id"),
            "address": address_of(values, values.get("address")),
            "tax_number": tax_number,
            "kpp": str(values.get("kpp") or "").strip().upper() or None,
            "registration_number": str(values.get("registration_number") or "").strip() or None,
        }
        payload = {name: value for name, value in payload.items() if value}
        if not payload.get("name"):
            raise errors.ValidationError(details=[{"loc": ["name"], "msg": "A company needs a name",
                                                   "type": "missing"}])
        data = schema.validate(CompanyCreate, payload)
        if custom:
            customfields_service.clean(ctx, entity="company", record_id=record_id, values=custom)
        return CompanyRow(data, row_notes.read(ctx, values))

    def notes(self, data: CompanyRow) -> list[dict[str, str]]:
        """Notes the role may not write."""
        return list(data.timeline_notes.problems)

    def match_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """Name, web domain and INN: two rows sharing one are one company."""
        keys = [("name", matching.fold(values.get("name")))] if values.get("name") else []
        if website_host(values.get("website")):
            keys.append(("domain", website_host(values.get("website"))))
        return keys + [("inn", str(values[name]).strip()) for name in ("inn", "tax_number") if values.get(name)]

    def find_duplicates(self, ctx: TenantContext, row: CompanyRow) -> list[tuple[str, str]]:
        """Companies the caller sees with the row's name, web domain or INN."""
        data = row.company
        found = [("name", row.record_id) for row in visible_companies(ctx, q=data.name)
                 if matching.fold(row.name) == matching.fold(data.name)]
        host = website_host(data.website)
        if host:
            found += [("domain", row.record_id) for row in visible_companies(ctx, q=host)
                      if website_host(row.website) == host]
        inn = (data.custom or {}).get(INN_FIELD)
        if inn and _has_inn_field(ctx):
            found += [("inn", row.record_id)
                      for row in visible_companies(ctx, **{f"custom.{INN_FIELD}": str(inn)})]
        return list(dict.fromkeys(found))

    def create(self, ctx: TenantContext, data: CompanyRow, *, record_id: str) -> None:
        """One company with its rows, audit record, timeline entry and notes, in one transaction, under the row's
        id."""
        from chalicelib.companies import service as companies_service

        companies_service.create(ctx, data=data.company, company_id=record_id, change=row_notes.change(
            ctx, data.timeline_notes, subject_type="company", subject_id=record_id))

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        """True when the company exists."""
        from chalicelib.records import access, types

        return access.get(ctx, types.get("company"), record_id) is not None

    def check_filters(self, filters: dict[str, str]) -> None:
        """422 for filters GET /api/v1/companies does not take."""
        _query(filters, None, 1)

    def export_page(self, ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
                    limit: int, reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
        """One page of companies the caller may export, as flat rows."""
        from chalicelib.companies import service as companies_service
        from chalicelib.dataio.record_target import exportable
        from chalicelib.records import search, types

        companies = types.get("company")
        listed = search.list_records(ctx, companies, _query(filters, cursor, limit))
        found = exportable(ctx, companies, listed.items, scope)
        names = export_names.naming(ctx, "company", owners=[company.owner_id for company in found])
        return [company_row(companies_service.company_read(ctx, company).model_dump(mode="json"), names)
                for company in found], listed.next_cursor


def company_row(data: dict[str, Any], names: Naming) -> dict[str, Any]:
    """One company as columns, one a field (``export_columns``)."""
    row = {"id": data["id"], "name": data.get("name"),
           "phones": [phone["number"] for phone in data.get("phones") or []],
           "emails": [email["address"] for email in data.get("emails") or []], "website": data.get("website"),
           "industry": data.get("industry"), "address": address_text(data.get("address")),
           "tax_number": data.get("tax_number"), "kpp": data.get("kpp"),
           "registration_number": data.get("registration_number"),
           "tags": data.get("tags") or [], "owner_id": names.user(data.get("owner_id")),
           "created_at": moment(data.get("created_at"), names.zone),
           "updated_at": moment(data.get("updated_at"), names.zone)}
    return {**row, **custom_cells(data.get("custom"), names.definitions, names.locale)}


def _query(filters: dict[str, str], cursor: str | None, limit: int) -> Any:
    from chalicelib.companies.schemas import CompanyListQuery

    return list_query(CompanyListQuery, filters, cursor, limit)
