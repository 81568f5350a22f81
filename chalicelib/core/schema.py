"""The pydantic side of the API: the one request-schema base, the error shape, validation to 422.

Kept apart from ``core.http`` so that pydantic (and every schema module) loads with the first
route that needs it, not with the app (cold start).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from chalicelib.core import errors


def _not_null_in_schema(schema: dict[str, Any], cls: type) -> None:
    # The published schema says what is accepted: a field that may be left out but not sent as null.
    for name in getattr(cls, "not_null", ()):
        prop = schema.get("properties", {}).get(name)
        if prop is None or "anyOf" not in prop:
            continue
        kept = [option for option in prop["anyOf"] if option != {"type": "null"}]
        prop.pop("anyOf")
        prop.pop("default", None)
        prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})


# Control characters no text needs: NUL, the C0 set but tab and line breaks, DEL and the C1 set.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a name may not hold besides: tabs and line breaks (a name is one line in lists, exports, e-mail subjects).
LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
# Fields that are names or titles wherever they appear; a schema may name more in ``single_line``.
NAME_FIELDS = frozenset({"name", "first_name", "last_name", "middle_name", "company_name", "title", "label", "tag",
                         "tags", "unit", "sku"})


def _refuse_controls(value: Any, *, one_line: bool) -> None:
    if isinstance(value, str):
        if CONTROL.search(value):
            raise PydanticCustomError("control_character", "Control characters are not allowed")
        if one_line and LINE_BREAK.search(value):
            raise PydanticCustomError("control_character", "A name is one line: no tabs or line breaks")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_controls(item, one_line=one_line)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_controls(key, one_line=True)
            _refuse_controls(item, one_line=False)


class Schema(BaseModel):
    """The one pydantic base: unknown fields are an error, not silently dropped.

    ``not_null`` names fields of a change that may be left out (unchanged) but never sent as null,
    since the record cannot be without them. No text anywhere holds a control character, and names
    (``NAME_FIELDS`` plus ``single_line``) hold no tab or line break either (422 ``control_character``).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_not_null_in_schema,
                              defer_build=True)
    not_null: ClassVar[frozenset[str]] = frozenset()
    single_line: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        _refuse_controls(value, one_line=name in NAME_FIELDS or name in cls.single_line)
        return value

    @model_validator(mode="after")
    def _refuse_null(self) -> Schema:
        sent = sorted(name for name in self.not_null if name in self.model_fields_set and getattr(self, name) is None)
        if sent:
            raise ValueError(f"{', '.join(sent)} may be left out to keep the value, but not set to null")
        return self


class ErrorDetail(BaseModel):
    """One problem with the request (a field, a row, a rule)."""

    loc: list[str | int] = []
    msg: str
    type: str | None = None


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[Any] = []
    request_id: str | None = None


class ErrorResponse(BaseModel):
    """The error shape of every non-2xx answer."""

    error: ErrorInfo


def _validation_details(exc: PydanticValidationError) -> list[dict[str, Any]]:
    # Inputs are left out on purpose: they may hold passwords or personal data.
    return [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def validate(model: type[BaseModel], data: Any) -> Any:
    """Validate data against model, raising the API's 422 with per-field details."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise errors.ValidationError(details=_validation_details(exc)) from exc
