"""Request and response schemas of custom field definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import RecordTypeName

Entity = RecordTypeName
FieldType = Literal["text", "long_text", "number", "money", "date", "datetime", "select", "multiselect", "bool",
                    "phone", "email", "url"]
FieldKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Label = Annotated[str, Field(min_length=1, max_length=120)]
Position = Annotated[int, Field(ge=0, le=10_000)]
CHOICE_TYPES = frozenset({"select", "multiselect"})
MAX_OPTIONS = 200


class OptionIn(Schema):
    value: str = Field(min_length=1, max_length=100)
    label: Label


def _check_options(options: list[OptionIn] | None) -> None:
    if options is not None and len({option.value for option in options}) != len(options):
        raise ValueError("option values must be unique")


class FieldIn(Schema):
    entity: Entity
    key: FieldKey
    label: Label
    type: FieldType
    required: bool = False
    sensitive: bool = False
    options: list[OptionIn] | None = Field(default=None, max_length=MAX_OPTIONS)
    position: Position = 0
    filterable: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FieldIn:
        _check_options(self.options)
        if self.type in CHOICE_TYPES and not self.options:
            raise ValueError("select and multiselect fields need options")
        if self.type not in CHOICE_TYPES and self.options:
            raise ValueError("only select and multiselect fields take options")
        if self.filterable and self.type not in CHOICE_TYPES:
            raise ValueError("only select and multiselect fields can be filterable")
        if self.filterable and self.sensitive:
            raise ValueError("a sensitive field cannot be filterable (its values would be indexed in clear)")
        return self


class FieldUpdate(Schema):
    """What may change: never the entity, key, type or sensitivity, which stored values depend on."""

    not_null = frozenset({"label", "required", "options", "position", "filterable", "archived"})
    version: int
    label: Label | None = None
    required: bool | None = None
    options: list[OptionIn] | None = Field(default=None, max_length=MAX_OPTIONS)
    position: Position | None = None
    filterable: bool | None = None
    archived: bool | None = None

    @model_validator(mode="after")
    def _unique_options(self) -> FieldUpdate:
        _check_options(self.options)
        return self


class OptionRead(BaseModel):
    value: str
    label: str


class FieldRead(BaseModel):
    id: str
    entity: str
    key: str
    label: str
    type: str
    required: bool
    sensitive: bool
    options: list[OptionRead]
    position: int
    filterable: bool
    archived: bool
    created_at: datetime
    updated_at: datetime
    version: int


class FieldPage(BaseModel):
    items: list[FieldRead]
    next_cursor: str | None = None


class FieldListQuery(Schema):
    entity: Entity | None = None
    include_archived: bool = False
    limit: int = Field(default=200, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)
