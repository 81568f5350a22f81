"""Documents: issued from a record (a deal, an order) through a template, numbered without gaps, kept in S3,
listed on the record's timeline, lent through short-lived audited links.

Issuing reads the type's counter, renders the template with the next number, stores the PDF, then commits in one
transaction the counter advanced (a version-checked put), the document's item, the record's timeline entry, the
document's audit record and its bytes counted in the plan's storage. A transaction that fails consumes no number;
one that meets another document's number (the counter moved on) renders again with the next one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.core import audit, db, errors
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.documents import files, numbering, pdf, rendering, requisites, sources, templates, vat, wording
from chalicelib.documents import schemas as s
from chalicelib.documents.models import DOCUMENT_SK, Document, document_pk, source_pk
from chalicelib.documents.sources import Line, Source
from chalicelib.identity import plans
from chalicelib.identity import service as identity_service
from chalicelib.records import timeline

ATTEMPTS = 5  # numbers taken by others meanwhile, before giving up with 409 (a retry then succeeds)
AUDIT_FIELDS = ("doc_type", "number", "source_kind", "source_id", "currency", "total_minor", "file_key")


def today(ctx: TenantContext) -> date:
    """The company's date (its time zone): the year a number belongs to and the date the document carries."""
    return company_day(ctx, db.utcnow())


def company_day(ctx: TenantContext, moment: datetime) -> date:
    """The company's date (its time zone) at a moment (UTC)."""
    tenant = identity_service.tenant_settings(ctx)
    zone = getattr(tenant, "timezone", None) or "UTC"
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError):  # a zone this machine's tz database lacks: the UTC date
        return moment.date()


def company_country(ctx: TenantContext) -> str | None:
    """The company's country (ISO code), or None."""
    tenant = identity_service.tenant_settings(ctx)
    return str(tenant.country) if tenant is not None and tenant.country else None


def company_locale(ctx: TenantContext) -> str:
    """The language the company works in."""
    return wording.locale_of(identity_service.company_locale(ctx))


def document_locale(ctx: TenantContext, found: Any) -> str:
    """The language the company's documents are worded in: the one it chose (Settings -> Requisites: English,
    Russian or German), else the one it works in, as every document was worded before it could choose."""
    return requisites.in_use_locale(ctx, found)


# -- the template's context ------------------------------------------------------------------------


def _line_view(n: int, line: Line, currency: str, locale: str) -> dict[str, Any]:
    return {"n": n, "description": line.description, "quantity": wording.quantity(line.quantity, locale),
            "unit": line.unit or "", "price": wording.money(line.unit_price_minor, currency, locale),
            "amount": wording.money(line.amount_minor, currency, locale),
            "gross": wording.money(line.amount_minor + line.tax_minor, currency, locale),
            "tax_rate": wording.rate(line.tax_rate, locale), "taxed": line.tax_rate is not None,
            "tax": wording.money(line.tax_minor, currency, locale),
            "discount": wording.money(line.discount_minor, currency, locale) if line.discount_minor else "",
            "price_minor": line.unit_price_minor, "amount_minor": line.amount_minor, "tax_minor": line.tax_minor,
            "discount_minor": line.discount_minor}


def by_rate(lines: list[Line], currency: str, locale: str) -> list[dict[str, Any]]:
    """The net and the tax of each rate the lines charge, highest rate first ("zzgl. 19 % USt.: 190,00 €"; section 14
    (4) no. 8 UStG asks for each rate's tax); lines without a rate are not among them."""
    rates: dict[Decimal, tuple[int, int]] = {}
    for line in lines:
        if line.tax_rate is not None:
            net, tax = rates.get(line.tax_rate.normalize(), (0, 0))
            rates[line.tax_rate.normalize()] = (net + line.amount_minor, tax + line.tax_minor)
    return [{"rate": wording.rate(rate, locale), "net": wording.money(net, currency, locale),
             "tax": wording.money(tax, currency, locale), "net_minor": net, "tax_minor": tax}
            for rate, (net, tax) in sorted(rates.items(), reverse=True)]


def totals(lines: list[Line]) -> tuple[int, int, int]:
    """Subtotal, tax and total of lines, in minor units."""
    subtotal, tax = sum(line.amount_minor for line in lines), sum(line.tax_minor for line in lines)
    return subtotal, tax, subtotal + tax


def custom_view(record: Any, hidden: frozenset[str]) -> dict[str, Any]:
    """A contact's or company's custom values by key as stored (`{{ contact.custom.plate }}`: a car service's act
    names the car it was for), without sensitive ones (reading one is an audited read of its own, not something a
    document does on the way) and those the issuer's role may not see."""
    sealed = set(getattr(record, "custom_sensitive", None) or ())
    return {key: value for key, value in (getattr(record, "custom", None) or {}).items()
            if key not in sealed and f"custom.{key}" not in hidden}


def customer_of(source: Source, country: str | None = None) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The template's contact, company and customer (the company, else the contact) of a source, without what the
    issuer may not see of them."""
    from chalicelib.documents.source_deal import company_fields, contact_fields

    contact = {k: ("" if k in source.hidden_contact or (k in ("first_name", "last_name")
                                                         and "name" in source.hidden_contact) else v)
               for k, v in contact_fields(source.contact, country).items()}
    company = {k: ("" if k in source.hidden_company else v)
               for k, v in company_fields(source.company, country).items()}
    if source.contact is not None:
        contact["custom"] = custom_view(source.contact, source.hidden_contact)
    if source.company is not None:
        company["custom"] = custom_view(source.company, source.hidden_company)
    customer = {"name": company.get("name") or contact.get("name") or "",
                "email": contact.get("email") or company.get("email") or "",
                "phone": contact.get("phone") or company.get("phone") or "",
                "address": company.get("address") or contact.get("address") or "",
                "tax_id": company.get("tax_id") or "", "kpp": company.get("kpp") or ""}
    return contact, company, customer


def context(*, source: Source, doc_type: str, number: str, day: date, locale: str,
            seller: dict[str, str], country: str | None = None, supply: date | None = None,
            vat_treatment: str = "standard", vat_exemption_reason: str | None = None,
            basis: str = "") -> dict[str, Any]:
    """Everything a template may print: plain values only (the sandbox has nothing else to reach); ``country``: the
    company's, whose way of writing an address an address naming no country takes; ``supply``: the date of supply
    (else the document's date); the VAT treatment, whose note says why no VAT is charged; ``basis``: what an act is
    based on (``act_basis``)."""
    contact, company, customer = customer_of(source, country)
    subtotal, tax, total = totals(source.lines)
    discount = sum(line.discount_minor for line in source.lines)
    currency = source.currency
    supplied = supply or day
    return {
        "document": {"type": doc_type, "title": wording.title(doc_type, locale), "number": number,
                     "date": wording.day(day, locale, country), "date_iso": day.isoformat(), "currency": currency,
                     "locale": locale, "supply_date": wording.day(supplied, locale, country),
                     "supply_date_iso": supplied.isoformat(), "supply_differs": supplied != day,
                     "vat_treatment": vat_treatment,
                     "vat_note": wording.vat_note(vat_treatment, locale, country, vat_exemption_reason),
                     "basis": basis},
        "seller": seller, "customer": customer, "contact": contact, "company": company,
        "source": {"kind": source.kind, "title": source.title or ""}, source.kind: dict(source.fields),
        "lines": [_line_view(n, line, currency, locale) for n, line in enumerate(source.lines, start=1)],
        "totals": {"subtotal": wording.money(subtotal, currency, locale), "tax": wording.money(tax, currency, locale),
                   "total": wording.money(total, currency, locale), "subtotal_minor": subtotal, "tax_minor": tax,
                   "total_minor": total, "currency": currency,
                   "discount": wording.money(discount, currency, locale), "discount_minor": discount,
                   "taxed": any(line.tax_rate is not None for line in source.lines),
                   # an order priced with its VAT in (a shop's retail prices): its lines print at those prices and
                   # its total says the VAT it includes
                   "inclusive": source.fields.get("price_mode") == "inclusive",
                   "by_rate": by_rate(source.lines, currency, locale),
                   "in_words": wording.in_words(total, currency, locale)},
    }


VARIABLES = {  # what the template editor lists
    "document": ["type", "title", "number", "date", "date_iso", "currency", "locale", "supply_date",
                 "supply_date_iso", "supply_differs", "vat_treatment", "vat_note", "basis"],
    "seller": ["legal_name", "tax_id", "registration_id", "address", "bank_name", "bank_account", "bank_code",
               "correspondent_account", "iban", "phone", "email", "director", "note"],
    "customer": ["name", "tax_id", "kpp", "email", "phone", "address"],
    "contact": ["name", "first_name", "last_name", "email", "phone", "address", "custom"],
    "company": ["name", "tax_id", "kpp", "registration_number", "email", "phone", "website", "address", "custom"],
    "source": ["kind", "title"],
    "deal": ["title", "amount_minor", "currency", "status", "expected_close_on"],
    "order": ["status", "currency", "price_mode", "subtotal_minor", "discount_minor", "tax_minor", "total_minor",
              "paid_minor", "shipping_address", "carrier", "tracking_number"],
    "lines": ["n", "description", "quantity", "unit", "price", "amount", "gross", "tax_rate", "taxed", "tax",
              "discount", "price_minor", "amount_minor", "tax_minor", "discount_minor"],
    "totals": ["subtotal", "tax", "total", "subtotal_minor", "tax_minor", "total_minor", "currency", "discount",
               "discount_minor", "taxed", "inclusive", "by_rate", "in_words"],
}


INVOICES_LOOKED_AT = 50  # an act's basis: the newest invoice among a record's newest documents (one Query)


def act_basis(ctx: TenantContext, source: Source, *, locale: str, country: str | None) -> str:
    """What an act is based on: the record's newest invoice ("Счёт на оплату № 12 от 07.12.2026"), else the deal
    ("Сделка «Ремонт котла»") or the order ("Заказ № 154 от 01.12.2026")."""
    if source.record_id:
        newest = db.query_page(ctx, Document, source_pk(ctx, source.kind, source.record_id),
                               scope=f"documents:{source.record_id}", limit=INVOICES_LOOKED_AT, index=Document.gsi1,
                               newest_first=True).items
        invoice = next((found for found in newest if found.doc_type == "invoice"), None)
        if invoice is not None:
            return wording.basis("invoice", locale, named=wording.named("invoice", invoice.number, locale),
                                 day=wording.day(company_day(ctx, invoice.created_at), locale, country))
    made = company_day(ctx, source.created_at) if source.created_at is not None else None
    return wording.basis(source.kind, locale, title=source.title or "", number=source.fields.get("number"),
                         day=wording.day(made, locale, country) if made else "")


def make_pdf(body: str, ctx_values: dict[str, Any], *, country: str | None = None) -> bytes:
    """A template made into a PDF with a context, on the paper of the company's country (422 naming what is
    wrong)."""
    html = rendering.render(body, ctx_values)
    return pdf.render(html, title=f"{ctx_values['document']['title']} {ctx_values['document']['number']}",
                      paper=pdf.paper_of(country))


# -- issuing ---------------------------------------------------------------------------------------


def _lines_of(ctx: TenantContext, data: s.DocumentCreate) -> list[Line] | None:
    """The lines typed for a document, their prices with VAT in where the company's prices include it."""
    if data.lines is None:
        return None
    inclusive = identity_service.prices_include_tax(ctx)
    return [sources.priced(line.description, Decimal(line.quantity), line.unit_price_minor, line.rate(), line.unit,
                           inclusive=inclusive) for line in data.lines]


def audit_view(document: Document) -> dict[str, Any]:
    """What the audit trail records of a document."""
    return {name: getattr(document, name) for name in AUDIT_FIELDS}


def _document(ctx: TenantContext, document_id: str, *, source: Source, doc_type: str, number: numbering.Number,
              template_id: str | None, locale: str, body: bytes, key: str, customer: dict[str, Any],
              supply: date, vat_treatment: str, vat_exemption_reason: str | None) -> Document:
    subtotal, tax, total = totals(source.lines)
    return Document(
        document_pk(ctx, document_id), DOCUMENT_SK, document_id=document_id, doc_type=doc_type, number=number.text,
        year=number.year, seq=number.seq, source_kind=source.kind, source_id=source.record_id,
        order_number=source.fields.get("number") if source.kind == "order" else None,
        owner_id=source.owner_id, team_id=source.team_id, template_id=template_id, locale=locale,
        currency=source.currency, subtotal_minor=subtotal, tax_minor=tax, total_minor=total, file_key=key,
        file_size=len(body), created_by=ctx.actor_id, title=source.title, customer=customer,
        supply_date=supply.isoformat(), vat_treatment=vat_treatment, vat_exemption_reason=vat_exemption_reason,
        lines=[{"description": line.description, "quantity": str(line.quantity), "unit": line.unit,
                "unit_price_minor": line.unit_price_minor,
                "tax_rate": None if line.tax_rate is None else format(line.tax_rate.normalize(), "f"),
                "amount_minor": line.amount_minor, "tax_minor": line.tax_minor,
                "discount_minor": line.discount_minor} for line in source.lines],
        gsi1pk=source_pk(ctx, source.kind, source.record_id), gsi1sk=document_id)


def _change(ctx: TenantContext, document: Document, counter: Any, source: Source) -> db.Change:
    change = db.Change().save(counter).create(document)
    timeline.add_entry(ctx, change, subject_type=source.kind, subject_id=source.record_id, kind="document",
                       summary=f"{wording.title(document.doc_type, 'en')} {document.number}",
                       data={"document_id": document.document_id, "type": document.doc_type,
                             "number": document.number, "total_minor": int(document.total_minor),
                             "currency": document.currency})
    audit.attach(ctx, change, document, entity="document", entity_id=document.document_id, action="create",
                 before=None, after=audit_view(document))
    plans.store_file(ctx, size=int(document.file_size), change=change)  # a file the company adds: within its plan
    return change


def issue(ctx: TenantContext, source_kind: str, source_id: str, *, data: s.DocumentCreate) -> Document:
    """Make a document of a record the caller may change, numbered in the transaction that writes it."""
    reason = (data.vat_exemption_reason or "").strip() or None
    vat.check(treatment=data.vat_treatment, reason=reason)
    found = requisites.get(ctx)
    source = sources.load(ctx, source_kind, source_id, action="update", lines=_lines_of(ctx, data),
                          default_rate=requisites.default_rate(found))
    country = company_country(ctx)
    vat.apply(source, treatment=data.vat_treatment, client_tax_id=customer_of(source, country)[2]["tax_id"])
    # a document's own language (a Berlin agency's English invoice to a French client) is kept on it; its number
    # stays the company's next, with the company's prefix: one run of numbers whatever the language
    body, template_id, locale = templates.body_for(ctx, doc_type=data.type, template_id=data.template_id,
                                                   locale=data.locale or document_locale(ctx, found),
                                                   asked=data.locale is not None)
    seller, day = requisites.seller(ctx, found), today(ctx)
    basis = act_basis(ctx, source, locale=locale, country=country) if data.type == "act" else ""
    prefix = numbering.prefixes(ctx, found)[data.type]
    document_id = new_id()
    key = files.object_key(ctx, document_id)
    stored = False
    try:
        for _ in range(ATTEMPTS):
            counter, number = numbering.next_number(ctx, data.type, day.year, prefix=prefix)
            values = context(source=source, doc_type=data.type, number=number.text, day=day, locale=locale,
                             seller=seller, country=country, supply=data.supply_date,
                             vat_treatment=data.vat_treatment, vat_exemption_reason=reason, basis=basis)
            pdf_bytes = make_pdf(body, values, country=country)
            files.put(key, pdf_bytes)
            stored = True
            document = _document(ctx, document_id, source=source, doc_type=data.type, number=number,
                                 template_id=template_id, locale=locale, body=pdf_bytes, key=key,
                                 customer=values["customer"], supply=data.supply_date or day,
                                 vat_treatment=data.vat_treatment, vat_exemption_reason=reason)
            try:
                db.commit(ctx, _change(ctx, document, counter, source))
                return document
            except errors.VersionConflictError:
                continue  # another document took this number meanwhile: render again with the next
        raise errors.ConflictError("Documents are being numbered too fast; try again.", code="numbering_busy")
    except BaseException:
        if stored:
            files.forget(key)
        raise


# -- reading ---------------------------------------------------------------------------------------


def get_or_raise(ctx: TenantContext, document_id: str, *, action: str = "read") -> Document:
    """A document whose record the caller may read (or change, for action update), else 404 / 403."""
    document = db.get(ctx, Document, document_pk(ctx, document_id), DOCUMENT_SK) if is_valid_id(document_id) else None
    if document is None:
        raise errors.NotFoundError("No such document.")
    try:
        sources.check(ctx, document.source_kind, document.source_id, action=action)
    except errors.NotFoundError:
        raise errors.NotFoundError("No such document.") from None
    return document


def list_documents(ctx: TenantContext, source_kind: str, source_id: str, *, limit: int = 50,
                   cursor: str | None = None) -> db.Page[Document]:
    """A record's documents, oldest first (one Query), when the caller may read the record."""
    sources.check(ctx, source_kind, source_id, action="read")
    return db.query_page(ctx, Document, source_pk(ctx, source_kind, source_id), scope=f"documents:{source_id}",
                         limit=limit, cursor=cursor, index=Document.gsi1, newest_first=False)


def pdf_name(document: Document) -> str:
    """The file name a document's PDF goes by (a download, an attachment, a messenger's file)."""
    return wording.file_name(document.doc_type, document.number, int(document.year), int(document.seq))


def link(ctx: TenantContext, document_id: str, *, download: bool = False) -> dict[str, Any]:
    """A five-minute link to a document's PDF, for who may read its record (an audited read)."""
    document = get_or_raise(ctx, document_id)
    return files.link(ctx, document_id=document.document_id, key=document.file_key,
                      filename=pdf_name(document),
                      download=download)


def document_read(document: Document) -> s.DocumentRead:
    """The API view of a document."""
    return s.DocumentRead(
        id=document.document_id, type=document.doc_type, number=document.number,
        source={"kind": document.source_kind, "id": document.source_id}, template_id=document.template_id,
        locale=document.locale, currency=document.currency, subtotal_minor=int(document.subtotal_minor),
        tax_minor=int(document.tax_minor), total_minor=int(document.total_minor), size=int(document.file_size),
        title=document.title, customer=document.customer,
        supply_date=date.fromisoformat(document.supply_date) if document.supply_date else None,
        vat_treatment=document.vat_treatment or "standard", vat_exemption_reason=document.vat_exemption_reason,
        lines=[s.DocumentLine.stored(line) for line in document.lines or []],
        sends=[s.DocumentSend(**send) for send in document.sends or []], created_by=document.created_by,
        created_at=document.created_at, version=int(document.version or 0))
