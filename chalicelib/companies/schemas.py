"""Request and response schemas of companies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import (
    MAX_EMAILS,
    MAX_PHONES,
    Address,
    CardParts,
    EmailIn,
    EmailOut,
    Id,
    ListQuery,
    PageQuery,
    PhoneIn,
    PhoneOut,
    RecordRead,
    RecordSummary,
    Tags,
)

__all__ = ["CompanyCard", "CompanyCreate", "CompanyListQuery", "CompanyPage", "CompanyRead", "CompanySummary",
           "CompanyUpdate", "PageQuery"]


def _website(value: str) -> str:
    value = value.strip()
    host = value.split("://", 1)[-1].split("/", 1)[0]
    if not host or "." not in host or any(char.isspace() for char in value):
        raise ValueError("not a website address")
    return value if "://" in value else f"https://{value}"


Website = Annotated[str, Field(min_length=3, max_length=200), AfterValidator(_website)]
# Their text is stripped first (_stripped), then its length and pattern are checked as a string's (string_too_short,
# "String should have at least 9 characters"): the validator before them had made them a collection's ("too_short",
# "Value should have at least 9 items after validation"), in English whatever the web app's language.
_stripped = BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value)
# A number as the company writes it: letters, digits, and spaces, dots, dashes or slashes between them ("12-3456789",
# "123/456/78901"): its tax number and its registration number
CODE = r"^[0-9A-Za-z]([0-9A-Za-z ./-]*[0-9A-Za-z])?$"
# A VAT ID ("DE312345678", "FR40303265045"), a Russian INN ("7701234567") or another country's tax number
TaxNumber = Annotated[str, Field(min_length=2, max_length=40, pattern=CODE,
                                 description="VAT ID (EU), INN (Russia) or another tax number, as invoices print it"),
                      _stripped]

# A Russian company's КПП (tax registration reason code), printed beside its INN as the buyer on Russian documents:
# NNNNPPNNN, its tax office (4 digits), the reason (2 digits or capital Latin letters) and a number (3 digits)
Kpp = Annotated[str, Field(min_length=9, max_length=9, pattern=r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$",
                           description="КПП (Russia): 9 characters, NNNNPPNNN (PP: digits or capital letters)"),
                _stripped]
# Its registration number: ОГРН (13 digits) or ОГРНИП (15) in Russia, a company number elsewhere, as written
RegistrationNumber = Annotated[str, Field(min_length=2, max_length=40, pattern=CODE,
                                          description="ОГРН / ОГРНИП (Russia) or another registration number"),
                               _stripped]


class CompanyFields(Schema):
    """Fields a company is created or changed with."""

    phones: Annotated[list[PhoneIn], Field(max_length=MAX_PHONES)] | None = None
    emails: Annotated[list[EmailIn], Field(max_length=MAX_EMAILS)] | None = None
    website: Website | None = None
    industry: Annotated[str, Field(max_length=100)] | None = None
    address: Address | None = None
    tax_number: TaxNumber | None = None
    kpp: Kpp | None = None
    registration_number: RegistrationNumber | None = None
    tags: Tags | None = None
    owner_id: Id | None = None
    custom: Annotated[dict[str, Any], Field(max_length=50)] | None = None


class CompanyCreate(CompanyFields):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class CompanyUpdate(CompanyFields):
    not_null = frozenset({"name"})
    version: int = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class CompanyRead(RecordRead):
    name: str
    phones: list[PhoneOut]
    emails: list[EmailOut]
    website: str | None
    industry: str | None
    address: dict[str, Any] | None
    tax_number: str | None = None
    kpp: str | None = None
    registration_number: str | None = None


class CompanyCard(CompanyRead, CardParts):
    contact_ids: list[str]


class CompanySummary(RecordSummary):
    name: str
    phone: str | None
    email: str | None
    website: str | None
    industry: str | None


class CompanyPage(BaseModel):
    items: list[CompanySummary]
    next_cursor: str | None


class CompanyListQuery(ListQuery):
    """``GET /companies``; ``custom.<key>=<value>`` filters are accepted besides the named fields."""
