"""Documents made from templates (quotes, invoices, delivery notes), their templates, numbers and the seller's
requisites.

- DocumentTemplate: pk ``T#<tid>#DOCTPL``, sk ``<template id>``: a tenant's templates are one Query. Audited
  (entity ``document_template``). The business's own text, like a pipeline's names: kept in clear.
- Requisites: pk ``T#<tid>#DOCSET``, sk ``REQUISITES``: the seller's legal name, tax ids, bank details and address
  as documents print them. Audited (entity ``requisites``); every value sealed (a sole trader's are a person's),
  but the number prefixes per type, the default VAT rate and the documents' language (the company's own terms, read
  with the requisites when a document is issued).
- DocumentCounter: pk ``T#<tid>#DOCNUM``, sk ``<type>#<year>``: the last number given, advanced (version-checked)
  in the transaction that writes the document, so a number is consumed only with its document.
- Document: pk ``T#<tid>#DOC#<id>``, sk ``#DOC``; gsi1 ``T#<tid>#DOCS#<source kind>#<source id>`` / ``<id>``:
  a record's documents are one Query, oldest first. Audited (entity ``document``). Its number, type, totals and
  source in clear; what it says of the customer (names, lines, where it was sent) sealed.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.db import VersionedItem
from chalicelib.core.tenancy import TenantContext, tenant_key

DOCUMENT_SK = "#DOC"
REQUISITES_SK = "REQUISITES"
REQUISITE_FIELDS = ("legal_name", "tax_id", "registration_id", "address", "bank_name", "bank_account",
                    "bank_code", "correspondent_account", "iban", "phone", "email", "director", "note")


class DocumentTemplate(VersionedItem, discriminator="document_template"):
    """A tenant's template of one document type: Jinja2 text making the document's HTML."""

    template_id = UnicodeAttribute()
    doc_type = UnicodeAttribute()  # quote | invoice | delivery_note
    name = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    body = UnicodeAttribute()
    is_default = BooleanAttribute(default=False)
    created_by = UnicodeAttribute()


class Requisites(VersionedItem, discriminator="requisites"):
    """The seller's details every document prints."""

    personal = frozenset(REQUISITE_FIELDS)

    legal_name = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute(null=True)
    registration_id = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    bank_name = UnicodeAttribute(null=True)
    bank_account = UnicodeAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    correspondent_account = UnicodeAttribute(null=True)
    iban = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    director = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    number_prefixes = JSONAttribute(null=True)  # {type: prefix}; a type not named: the company language's default
    # the VAT rate a deal's own line takes (thousandths of a percent, 19000: 19 %), as a product's rate is kept; in
    # clear, like the prefixes: the company's terms, not a person's
    default_tax_rate_milli = NumberAttribute(null=True)
    # the language documents are worded in (en | ru | de), chosen here; None: the company's own (the web app's), as
    # before it could choose, so no company's documents changed language unless it chose. In clear, like the prefixes
    document_locale = UnicodeAttribute(null=True)


class DocumentCounter(VersionedItem, discriminator="document_counter"):
    """The last number given to a document type in a year."""

    doc_type = UnicodeAttribute()
    year = NumberAttribute()
    last = NumberAttribute(default=0)


class Document(VersionedItem, discriminator="document"):
    """One issued document: its number, totals, source, PDF in S3, and where it was sent."""

    personal = frozenset({"title", "customer", "lines", "sends"})

    document_id = UnicodeAttribute()
    doc_type = UnicodeAttribute()
    number = UnicodeAttribute()
    year = NumberAttribute()
    seq = NumberAttribute()
    source_kind = UnicodeAttribute()  # deal | order
    source_id = UnicodeAttribute()
    order_number = NumberAttribute(null=True)  # its order's number when issued (the message sending it names it)
    owner_id = UnicodeAttribute(null=True)  # the source's, when issued: who else may see it follows the source
    team_id = UnicodeAttribute(null=True)
    template_id = UnicodeAttribute(null=True)  # None: the built-in template
    locale = UnicodeAttribute(default="en")
    currency = UnicodeAttribute()
    subtotal_minor = NumberAttribute(default=0)
    tax_minor = NumberAttribute(default=0)
    total_minor = NumberAttribute(default=0)
    file_key = UnicodeAttribute()
    file_size = NumberAttribute(default=0)
    created_by = UnicodeAttribute()
    supply_date = UnicodeAttribute(null=True)  # ISO date of supply (Art. 226(7)); None: issued before it was kept
    vat_treatment = UnicodeAttribute(default="standard")  # standard | reverse_charge | exempt
    vat_exemption_reason = UnicodeAttribute(null=True)  # an exemption's ground as printed ("§ 4 Nr. 14 UStG")
    title = UnicodeAttribute(null=True)  # the source's title (a deal's)
    customer = JSONAttribute(null=True)  # {"name", "email", "phone"} as printed
    lines = JSONAttribute(default=list)
    sends = JSONAttribute(default=list)  # [{"channel", "to", "at", "by"}]


def templates_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's templates."""
    return tenant_key(ctx, "DOCTPL")


def settings_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's document settings (the requisites)."""
    return tenant_key(ctx, "DOCSET")


def counters_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's document counters."""
    return tenant_key(ctx, "DOCNUM")


def document_pk(ctx: TenantContext, document_id: str) -> str:
    """A document's own partition."""
    return tenant_key(ctx, "DOC", document_id)


def source_pk(ctx: TenantContext, source_kind: str, source_id: str) -> str:
    """gsi1 partition of a record's documents."""
    return tenant_key(ctx, "DOCS", source_kind, source_id)
