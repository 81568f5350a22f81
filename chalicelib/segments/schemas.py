"""Request and response schemas of segments: conditions, the segment, its members, a draft's preview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.core.schema import Schema
from chalicelib.segments.conditions import TYPES

Id = Annotated[str, Field(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
ConditionType = Literal["tag_has", "tag_lacks", "owner_is", "source_is", "custom_is", "created_within_days",
                        "no_activity_days", "birthday_this_month", "bought_within_days", "no_purchase_days"]
MAX_CONDITIONS = 10


class SegmentCondition(Schema):
    """One condition: ``value`` is text (a tag, a user id, a source, a custom value) or days, as its type says."""

    type: ConditionType
    value: Annotated[str, Field(min_length=1, max_length=100)] | Annotated[int, Field(ge=1, le=3650)] | None = None
    key: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        default=None, description="custom_is: the custom field's key")
    product_id: Id | None = Field(default=None, description="bought_within_days: the product (any when left out)")

    @model_validator(mode="after")
    def _value_fits(self) -> SegmentCondition:
        wanted = TYPES[self.type]
        if wanted == "text" and not isinstance(self.value, str):
            raise ValueError(f"{self.type} needs a text value")
        if wanted == "days" and (not isinstance(self.value, int) or isinstance(self.value, bool)):
            raise ValueError(f"{self.type} needs a number of days")
        if wanted is None and self.value is not None:
            raise ValueError(f"{self.type} takes no value")
        if (self.type == "custom_is") != (self.key is not None):
            raise ValueError("key belongs to custom_is, and custom_is needs it")
        if self.product_id is not None and self.type != "bought_within_days":
            raise ValueError("product_id belongs to bought_within_days")
        return self


class SegmentDraft(Schema):
    """What a segment selects: its conditions, all of them or any."""

    match: Literal["all", "any"] = "all"
    conditions: list[SegmentCondition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


class SegmentCreate(SegmentDraft):
    name: Annotated[str, Field(min_length=1, max_length=120)]


class SegmentUpdate(Schema):
    not_null = frozenset({"name", "match", "conditions"})

    version: int = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    match: Literal["all", "any"] | None = None
    conditions: list[SegmentCondition] | None = Field(default=None, max_length=MAX_CONDITIONS)


class SegmentRead(BaseModel):
    id: str
    name: str
    match: str
    conditions: list[dict[str, object]]
    status: str = Field(description="building (members are being placed) | ready")
    members: int
    built_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class SegmentPage(BaseModel):
    items: list[SegmentRead]
    next_cursor: str | None


class SegmentListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class SegmentMemberRead(BaseModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    joined_at: datetime


class SegmentMemberPage(BaseModel):
    items: list[SegmentMemberRead]
    next_cursor: str | None


class SegmentPreview(BaseModel):
    count: int = Field(description="Contacts of the sample that match")
    sampled: int = Field(description="Contacts read (at most the sample's size)")
    estimated: int = Field(description="The tenant's contacts that would match: the count when exact, else scaled")
    exact: bool = Field(description="True when the sample was every contact the segments know")
