"""The pydantic side of the API: the one request-schema base, the error shape, validation to 422.

Kept apart from ``core.http`` so that pydantic (and every schema module) loads with the first
route that needs it, not with the app (cold start).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import ValidationError as PydanticValidationError

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


class Schema(BaseModel):
    """The one pydantic base: unknown fields are an error, not silently dropped.

    ``not_null`` names fields of a change that may be left out (unchanged) but never sent as null,
    since the record cannot be without them.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_not_null_in_schema,
                              defer_build=True)
    not_null: ClassVar[frozenset[str]] = frozenset()

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
