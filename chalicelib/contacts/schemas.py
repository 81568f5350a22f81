"""Request and response schemas of contacts: create, update, lists, merge, bulk (what answers show of a contact,
its card among them, is in ``read_schemas`` and re-exported here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator

from chalicelib.contacts.read_schemas import SENSITIVE_FIELDS, CardQuery, ContactCard, ContactRead, ContactSummary
from chalicelib.core.schema import Schema
from chalicelib.records.schemas import (
    MAX_EMAILS,
    MAX_PHONES,
    MAX_TAGS,
    Address,
    EmailIn,
    EmailOut,
    Id,
    LinkOut,
    ListQuery,
    Name,
    PageQuery,
    PhoneIn,
    PhoneOut,
    RecordRef,
    Tag,
    Tags,
    Text,
    TimelinePage,
    Utm,
    unique,
)

__all__ = ["MAX_EMAILS", "MAX_PHONES", "MAX_TAGS", "SENSITIVE_FIELDS", "Address", "CardQuery", "ContactCard",
           "ContactRead", "ContactSummary", "EmailIn", "EmailOut", "Id", "LinkOut", "PageQuery", "PhoneIn", "PhoneOut",
           "RecordRef", "Tag", "Tags", "TimelinePage", "Utm"]

MAX_COMPANIES = 20


class Messengers(Schema):
    whatsapp: Annotated[str, Field(max_length=40)] | None = None
    telegram_id: Annotated[str, Field(pattern=r"^[0-9]{1,20}$")] | None = None
    telegram_username: Annotated[str, Field(pattern=r"^@?[A-Za-z0-9_]{4,32}$")] | None = None


class Consent(Schema):
    marketing: bool
    at: datetime | None = None
    source: Text | None = None


class ContactFields(Schema):
    """Fields a contact is created or changed with."""

    first_name: Name | None = None
    last_name: Name | None = None
    phones: Annotated[list[PhoneIn], Field(max_length=MAX_PHONES)] | None = None
    emails: Annotated[list[EmailIn], Field(max_length=MAX_EMAILS)] | None = None
    tags: Tags | None = None
    owner_id: Id | None = None
    custom: dict[str, Any] | None = None
    messengers: Messengers | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    birthday: date | None = None
    job_title: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="What the person does where they work (\"Office manager\")")
    source: Annotated[str, Field(max_length=40)] | None = None
    utm: Utm | None = None
    consent: Consent | None = None
    passport_number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    tax_id: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    iban: Annotated[str, Field(min_length=1, max_length=42)] | None = None

    @field_validator("custom")
    @classmethod
    def _custom_size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(value) > 50:
            raise ValueError("at most 50 custom values")
        return value


class ContactCreate(ContactFields):
    company_ids: Annotated[list[Id], Field(max_length=MAX_COMPANIES), AfterValidator(unique)] = []
    on_duplicate: Literal["fail", "merge"] = "fail"


class ContactUpdate(ContactFields):
    version: int = Field(ge=1)


class ContactPage(BaseModel):
    items: list[ContactSummary]
    next_cursor: str | None


class ContactListQuery(ListQuery):
    """``GET /contacts``; ``custom.<key>=<value>`` filters are accepted besides the named fields."""

    tax_id: Annotated[str, Field(max_length=40)] | None = None
    iban: Annotated[str, Field(max_length=42)] | None = None


class ContactLinkIn(Schema):
    contact_id: RecordRef


class MergeIn(Schema):
    other_id: RecordRef
    version: int = Field(ge=1)
    other_version: int = Field(ge=1)


class MergeOut(BaseModel):
    merge_id: str
    status: str
    contact: ContactRead


class MergeUndoOut(BaseModel):
    merge_id: str
    status: str
    contact: ContactRead
    other: ContactRead

