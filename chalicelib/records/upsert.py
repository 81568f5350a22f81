"""Upserts by external id: an accounting system (1C and others) sends a record as it has it, under its own id.

A type that declares a unique ``external_id`` lookup field (``lookup="<type>_ext"``) is found by that id in one
read (``records.lookups.holder``): absent, the record is created holding it (201); present, it is changed to the
values sent, at its current version (200). Two first sends racing for one id meet the lookup's conditional
claim: one creates, the other answers 409 ``duplicate_external_id``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel

from chalicelib.core import errors
from chalicelib.core.schema import validate
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import access, lookups, service
from chalicelib.records.types import RecordType

FIELD = "external_id"


def by_external_id(ctx: TenantContext, rtype: RecordType, external_id: str, *, data: BaseModel,
                   create: type[BaseModel], update: type[BaseModel]) -> tuple[Any, bool]:
    """The record holding external_id, created or changed to data; answers (record, created). The id comes from
    the address: API Gateway's REST API hands a path parameter on still percent-encoded ("%D0%A3%D0%A2-000123"), the
    local server decoded (1C's Cyrillic codes); an id holds no "%" (ExternalId), so decoding it again is safe."""
    external_id = unquote(external_id)
    field = next((f for f in rtype.fields if f.name == FIELD and f.lookup and f.unique), None)
    if field is None:
        raise errors.NotFoundError(f"{rtype.plural.capitalize()} have no external ids.")
    values = {**data.model_dump(mode="json", exclude_unset=True), FIELD: external_id}
    holder = lookups.holder(ctx, field, external_id)
    if holder is None:
        return service.create(ctx, rtype, data=validate(create, values)), True
    before = access.get_or_raise(ctx, rtype, holder, action="update")
    changed = validate(update, {**values, "version": int(before.version or 0)})
    return service.update(ctx, rtype, holder, data=changed)[1], False
