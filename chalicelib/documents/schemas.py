"""Requests and answers of documents, their templates and the seller's requisites."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt, model_validator

from chalicelib.core.schema import Schema
from chalicelib.documents.rendering import MAX_BODY
from chalicelib.records import money
from chalicelib.records.money import Percent
from chalicelib.records.schemas import EmailAddress

DocType = Literal["quote", "invoice", "delivery_note", "act"]  # wording.DOC_TYPES
Locale = Literal["en", "ru", "de"]  # documents' languages: the web app's two and German, which only documents speak
Id = Annotated[str, Field(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Text = Annotated[str, Field(max_length=500)]
Line = Annotated[str, Field(max_length=200)]


class ListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


# -- templates --------------------------------------------------------------------------------


class DocumentTemplateCreate(Schema):
    type: DocType
    name: Annotated[str, Field(min_length=1, max_length=100)]
    locale: Locale = "en"
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY, description="Jinja2 text making the HTML")]
    is_default: bool = Field(default=False, description="Used for this type when a document names no template")


class DocumentTemplateUpdate(Schema):
    not_null = frozenset({"name", "locale", "body", "is_default"})

    version: StrictInt = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    locale: Locale | None = None
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)] | None = None
    is_default: bool | None = None


class DocumentTemplateRead(BaseModel):
    id: str
    type: str
    name: str
    locale: str
    body: str
    is_default: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class DocumentTemplatePage(BaseModel):
    items: list[DocumentTemplateRead]
    next_cursor: str | None = None


class DocumentBuiltInTemplate(BaseModel):
    type: str
    locale: str
    body: str


class DocumentBuiltInList(BaseModel):
    items: list[DocumentBuiltInTemplate]
    variables: dict[str, list[str]]


class DocumentPreviewIn(Schema):
    type: DocType
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]
    locale: Locale = "en"
    deal_id: Id | None = Field(default=None, description="Fill it from this deal (else from sample values)")


class DocumentPreviewOut(BaseModel):
    content_type: str = "application/pdf"
    pdf_base64: str
    size: int


# -- requisites --------------------------------------------------------------------------------

_ALNUM = "0-9A-Za-zА-Яа-яЁё"  # noqa: RUF001
Prefix = Annotated[str, Field(max_length=12, pattern=rf"^([{_ALNUM}]([{_ALNUM}./-]*[{_ALNUM}])?)?$",
                              description="Letters and digits, '-', '.' or '/' inside; empty: the bare number")]


class NumberPrefixes(Schema):
    """The prefix of each type's numbers: "INV" makes INV-2026-0001, "" makes 1, 2 ... of the year."""

    quote: Prefix | None = None
    invoice: Prefix | None = None
    delivery_note: Prefix | None = None
    act: Prefix | None = None



class RequisitesIn(Schema):
    version: StrictInt | None = Field(default=None, ge=0, description="The version read (0 or null: none yet)")
    legal_name: Text | None = None
    tax_id: Annotated[str, Field(max_length=40)] | None = None
    registration_id: Annotated[str, Field(max_length=60)] | None = None
    address: Text | None = None
    bank_name: Text | None = None
    bank_account: Annotated[str, Field(max_length=60)] | None = None
    bank_code: Annotated[str, Field(max_length=40)] | None = None
    correspondent_account: Annotated[str, Field(max_length=60)] | None = None
    iban: Annotated[str, Field(max_length=40)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    email: EmailAddress | None = None
    director: Annotated[str, Field(max_length=200)] | None = None
    note: Text | None = None
    number_prefixes: NumberPrefixes | None = Field(default=None, description=(
        "Each type's number prefix; a type not given (or null): the default of the company's language; the field "
        "left out: the prefixes stay as they are"))
    default_tax_rate: Percent | None = Field(default=None, description=(
        "The VAT rate in percent (\"19\", \"8.875\") a deal's documents charge on top of the deal's amount when "
        "they are issued without lines of their own; null: none (printed 'No VAT' / 'Без НДС'); the field left out: "
        "kept as it is"))
    document_locale: Locale | None = Field(default=None, description=(
        "The language documents are worded in (en, ru, de); null: the company's own (the web app's); the field left "
        "out: kept as it is"))


class RequisitesRead(BaseModel):
    legal_name: str | None = None
    tax_id: str | None = None
    registration_id: str | None = None
    address: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    bank_code: str | None = None
    correspondent_account: str | None = None
    iban: str | None = None
    phone: str | None = None
    email: str | None = None
    director: str | None = None
    note: str | None = None
    number_prefixes: dict[str, str] = Field(default_factory=dict, description="The prefix each type's numbers take")
    default_tax_rate: str | None = Field(default=None, description="Percent (\"19\"): a deal's own line's VAT rate")
    document_locale: str | None = Field(default=None, description=(
        "The language the company chose for its documents; null: none chosen (they are worded in its own language)"))
    document_locale_in_use: str = Field(default="en", description=(
        "The language its documents are worded in today: the one chosen, else the company's own (the web app's)"))
    document_locale_suggested: str | None = Field(default=None, description=(
        "Its country's documents' language where we have one (DE, AT, CH, LI, LU: de; RU, BY, KZ: ru): suggested, "
        "never chosen for it"))
    document_locale_default: str = Field(default="en", description=(
        "The language the requisites form starts at: the one in use, so saving the form for another reason changes "
        "no document's language; a new company's (no requisites saved, no document numbered) its country's"))
    version: int = 0
    updated_at: datetime | None = None


# -- documents ---------------------------------------------------------------------------------


class DocumentLineIn(Schema):
    description: Annotated[str, Field(min_length=1, max_length=200)]
    quantity: Decimal = Field(default=Decimal(1), gt=0, le=Decimal(10**6), decimal_places=3)
    unit: Annotated[str, Field(max_length=20)] | None = None
    unit_price_minor: StrictInt = Field(ge=0, le=10**12)
    tax_rate: Percent | None = Field(default=None, description=(
        "Tax on top, in percent up to 3 decimals (\"20\", \"8.875\"; \"0\": a 0% rate); none (and no tax_rate_bp): no "
        "rate applies (printed 'Без НДС' / '—')"))
    tax_rate_bp: StrictInt | None = Field(default=None, ge=0, le=10000, description=(
        "The same in basis points (2000: 20%), as before rates had three places; give one of the two"))

    @model_validator(mode="after")
    def _one_rate(self) -> DocumentLineIn:
        if self.tax_rate is not None and self.tax_rate_bp is not None:
            raise ValueError("give tax_rate or tax_rate_bp, not both")
        return self

    def rate(self) -> Decimal | None:
        """The line's rate in percent, whichever way it was given; None: no rate applies."""
        if self.tax_rate is not None:
            return Decimal(str(self.tax_rate))
        return None if self.tax_rate_bp is None else Decimal(self.tax_rate_bp) / money.BASIS_POINTS


# A date of supply from 1970 to 2100 is one an invoice names; another is a typing mistake (0026-12-07)
VatTreatment = Literal["standard", "reverse_charge", "exempt"]
SupplyDate = Annotated[date, Field(ge=date(1970, 1, 1), le=date(2100, 12, 31))]


class DocumentCreate(Schema):
    type: DocType
    template_id: Id | None = Field(default=None, description="The company's template (else its default one)")
    locale: Locale | None = Field(default=None, description=(
        "This document's language, kept on it (else the one chosen for documents in the requisites, else the "
        "company's): the company's template of the type in it (its default first), else the built-in one. Its number "
        "is the company's next of the type, with the company's prefix, whatever the language"))
    lines: Annotated[list[DocumentLineIn], Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The lines (else one line: the deal's title and amount)")
    supply_date: SupplyDate | None = Field(default=None, description=(
        "The date the goods or services were supplied (Art. 226(7) of the VAT Directive, the German Leistungsdatum), "
        "else the document's date; printed on invoices: always an EU company's, else where it differs"))
    vat_treatment: VatTreatment = Field(default="standard", description=(
        "standard: the lines' rates; reverse_charge: no VAT, the client accounts for it (an EU business client in "
        "another member state; needs the client's VAT ID on its company card); exempt: no VAT, for the reason given"))
    vat_exemption_reason: Annotated[str, Field(max_length=300)] | None = Field(default=None, description=(
        "Exempt only, and then required: the ground printed (\"Exempt under section 4 no. 14 UStG\")"))


class DocumentSendIn(Schema):
    channel: Literal["email", "messenger"]
    to: EmailAddress | None = Field(default=None, description="E-mail: the address (else the customer's)")
    integration_id: Id | None = Field(default=None, description="Messenger: the line (else the contact's last one)")
    message: Annotated[str, Field(max_length=2000)] | None = None


class DocumentLine(BaseModel):
    description: str
    quantity: str
    unit: str | None = None
    unit_price_minor: int
    tax_rate: str | None = Field(default=None, description="Percent as given (\"8.875\"); none: no rate applies")
    tax_rate_bp: int | None = Field(default=None, description=(
        "The rate in basis points, as before rates had three places (rounded half up for one of three: read tax_rate)"))
    amount_minor: int
    tax_minor: int
    discount_minor: int = 0

    @classmethod
    def stored(cls, line: dict[str, Any]) -> DocumentLine:
        """A line as a document keeps it: its rate in percent ("tax_rate") since rates have three places, in basis
        points ("tax_rate_bp") on a document issued before, read as then."""
        values = {name: value for name, value in line.items() if name in cls.model_fields}
        rate = line["tax_rate"] if "tax_rate" in line else money.stored_percent(None, line.get("tax_rate_bp"))
        points = None if rate is None else int((Decimal(rate) * money.BASIS_POINTS).quantize(
            Decimal(1), rounding=ROUND_HALF_UP))
        return cls(**{**values, "tax_rate": rate, "tax_rate_bp": points})


class DocumentSend(BaseModel):
    channel: str
    to: str | None = None
    status: str
    at: datetime
    by: str | None = None


class DocumentRead(BaseModel):
    id: str
    type: str
    number: str
    source: dict[str, str]
    template_id: str | None = None
    locale: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    size: int
    title: str | None = None
    supply_date: date | None = Field(default=None, description="The date of supply (none: issued before it was kept)")
    vat_treatment: str = "standard"
    vat_exemption_reason: str | None = None
    customer: dict[str, Any] | None = None
    lines: list[DocumentLine]
    sends: list[DocumentSend]
    created_by: str
    created_at: datetime
    version: int


class DocumentPage(BaseModel):
    items: list[DocumentRead]
    next_cursor: str | None = None
    document_locale: str | None = Field(default=None, description=(
        "The language a document is worded in unless it is given one (locale): the company's documents' language"))
    requisites_missing: bool = Field(default=False, description=(
        "The company has not given its legal name: documents print its name alone as the seller until its "
        "requisites are filled in (PUT /api/v1/document-settings/requisites)"))


class DocumentLinkQuery(Schema):
    download: bool = False


class DocumentLinkOut(BaseModel):
    url: str
    expires_in: int
    content_type: str
    filename: str
