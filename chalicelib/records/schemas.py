"""Schemas every record type shares: phones, e-mails, addresses, tags, ids, pages, links and timelines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler

from chalicelib.core.schema import Schema
from chalicelib.records import matching, types

MAX_PHONES = 10
MAX_EMAILS = 10
MAX_TAGS = 20
Id = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
# A record named in a body is looked up, not pattern-checked: a malformed id answers 404 like a missing one.
RecordRef = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(max_length=100)]
Text = Annotated[str, Field(max_length=200)]
# The id an accounting system knows a record by (a product's, an order's), in any script: 1C writes "УТ-000123"  # noqa: RUF003
ExternalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]


class Utm(Schema):
    """Where a lead came from, as its page's utm_* parameters said (a contact's, a lead deal's)."""

    source: Text | None = None
    medium: Text | None = None
    campaign: Text | None = None
    term: Text | None = None
    content: Text | None = None


def _tag(value: str) -> str:
    value = " ".join(value.split()).lower()
    if not value or "#" in value:
        raise ValueError("a tag is 1 to 40 characters without '#'")
    return value


def _email(value: str) -> str:
    value = matching.normalise_email(value)
    if not matching.is_email(value):
        raise ValueError("not a valid e-mail address")
    return value


def unique(values: list[Any]) -> list[Any]:
    """The values without repeats, in their order."""
    return list(dict.fromkeys(values))


def _record_type(value: str) -> str:
    if types.find(value) is None:
        raise ValueError(f"not one of the record types: {', '.join(types.names())}")
    return value


class _RecordTypeNames:
    """The published schema of a record type's name: the registry's names, read when the schema is made, so that
    importing this module does not load every declaration (a cold Lambda's first card loaded all eight, #22)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"type": "string", "enum": list(types.names())}


# The name of a declared record type; the published schema lists them (the registry, not a copy).
RecordTypeName = Annotated[str, AfterValidator(_record_type), _RecordTypeNames()]
Tag = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_tag)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(unique)]
EmailAddress = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]


class PhoneIn(Schema):
    number: str = Field(min_length=3, max_length=40)
    kind: Literal["mobile", "work", "home", "fax", "other"] = "mobile"


class EmailIn(Schema):
    address: EmailAddress
    kind: Literal["work", "personal", "other"] = "work"


class Address(Schema):
    line1: Text | None = None
    line2: Text | None = None
    city: Name | None = None
    region: Name | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None


class PhoneOut(BaseModel):
    number: str
    kind: str


class EmailOut(BaseModel):
    address: str
    kind: str


class LinkOut(BaseModel):
    id: str
    linked_at: datetime | None
    summary: dict[str, Any]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class TimelinePage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class ListQuery(Schema):
    """A list of records; ``custom.<key>=<value>`` filters are accepted besides the named fields."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    q: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    tag: Tag | None = None
    owner_id: Id | None = None
    sort: Literal["updated", "created", "name"] = "updated"
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class RecordRead(BaseModel):
    """What every record type's answer has besides its own fields."""

    id: str
    tags: list[str]
    owner_id: str
    team_id: str | None
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int


class RecordSummary(BaseModel):
    """What every record type's list row shows besides its own fields."""

    id: str
    tags: list[str]
    owner_id: str
    team_id: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int


class CardParts(BaseModel):
    """What a record's card shows besides the record (``records.card``): links by kind, newest timeline."""

    links: dict[str, list[LinkOut]]
    timeline: list[dict[str, Any]]
    more_timeline: bool
    more_links: bool


class BulkIn(Schema):
    """One action on many records of a type (at most 100), each checked and written on its own."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=100), AfterValidator(unique)]
    action: Literal["assign", "tag", "untag", "delete"]
    owner_id: Id | None = Field(default=None, description="Required to assign")
    tags: Tags | None = Field(default=None, description="Required to tag or untag")


class BulkOutcome(BaseModel):
    id: str
    ok: bool
    status: int
    code: str | None = None
    version: int | None = None


class BulkOut(BaseModel):
    items: list[BulkOutcome]
