"""Custom fields per tenant and entity: definitions, validation of values, encryption of sensitive ones.

Other domains call :func:`clean` before storing a record's custom values and :func:`view` before
showing them. Definitions are read with one Query per entity and cached only within one request
(keyed by its request id), so a change of definition is seen by the very next request everywhere.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import audit, crypto, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.records import matching, types
from chalicelib.records.customfields import values as value_types
from chalicelib.records.customfields.models import FieldDefinition
from chalicelib.records.customfields.schemas import CHOICE_TYPES, FieldIn, FieldRead, FieldUpdate, OptionRead

MAX_FIELDS_PER_ENTITY = 100  # archived ones count: their values are kept
MAX_STORED_BYTES = 100_000  # all custom values of one record, so the record stays far below 400 KB
MASK = crypto.MASK_PREFIX  # a sensitive value as shown: fixed width, nothing of its length
AUDIT_FIELDS = ("entity", "key", "label", "field_type", "required", "sensitive", "filterable", "options",
                "position", "archived")


@dataclass
class Cleaned:
    """Validated custom values ready to store, and the select values to index for filtering."""

    stored: dict[str, Any] = field(default_factory=dict)
    indexed: list[tuple[str, str]] = field(default_factory=list)
    sensitive: frozenset[str] = frozenset()


def definitions_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's custom field definitions."""
    return tenant_key(ctx, "CFDEF")


# -- the per-request cache ------------------------------------------------------------------

_CACHE_ENTRIES = 64
_CACHE_SECONDS = 30.0  # bounds staleness for jobs, whose "request" id lasts one run
_cache: OrderedDict[tuple[str, str, str], tuple[float, list[FieldDefinition]]] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(ctx: TenantContext, entity: str, load: Callable[[], list[FieldDefinition]]) -> list[FieldDefinition]:
    if not ctx.request_id:
        return load()
    key = (ctx.tenant_id, ctx.request_id, entity)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
    found = load()
    with _cache_lock:
        _cache[key] = (time.monotonic(), found)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    return found


def _forget(ctx: TenantContext) -> None:
    with _cache_lock:
        for key in [key for key in _cache if key[0] == ctx.tenant_id]:
            del _cache[key]


# -- definitions ----------------------------------------------------------------------------


def definitions(ctx: TenantContext, entity: str) -> list[FieldDefinition]:
    """Every definition of an entity, archived ones included, by position (one Query per request)."""
    if types.find(entity) is None:
        raise errors.ValidationError(details=[{"loc": ["entity"], "msg": "Unknown entity", "type": "unknown_entity"}])

    def load() -> list[FieldDefinition]:
        with db.translate_errors():
            found = list(FieldDefinition.query(definitions_pk(ctx), FieldDefinition.sk.startswith(f"{entity}#"),
                                               consistent_read=True))
        return sorted(found, key=lambda d: (int(d.position or 0), d.key))

    return _cached(ctx, entity, load)


def active_definitions(ctx: TenantContext, entity: str) -> list[FieldDefinition]:
    """The definitions of an entity that are in use (not archived), by position."""
    return [definition for definition in definitions(ctx, entity) if not definition.archived]


def field_read(definition: FieldDefinition) -> FieldRead:
    """The API view of a definition."""
    return FieldRead(
        id=definition.field_id, entity=definition.entity, key=definition.key, label=definition.label,
        type=definition.field_type, required=bool(definition.required), sensitive=bool(definition.sensitive),
        options=[OptionRead(**option) for option in definition.options or []], position=int(definition.position),
        filterable=bool(definition.filterable), archived=bool(definition.archived),
        created_at=definition.created_at, updated_at=definition.updated_at, version=int(definition.version or 0),
    )


def _audit_view(definition: FieldDefinition) -> dict[str, Any]:
    return {name: getattr(definition, name) for name in AUDIT_FIELDS}


def list_fields(ctx: TenantContext, *, entity: str | None, include_archived: bool, limit: int,
                cursor: str | None) -> db.Page[FieldDefinition]:
    """One page of the tenant's definitions (of one entity, or all), in entity and key order."""
    permissions.require(ctx, "customfields", "read")
    return db.query_page(
        ctx, FieldDefinition, definitions_pk(ctx), scope=f"customfields:{entity or '*'}:{include_archived}",
        limit=limit, cursor=cursor, newest_first=False,
        range_key_condition=FieldDefinition.sk.startswith(f"{entity}#") if entity else None,
        filter_condition=None if include_archived else FieldDefinition.archived == False,  # noqa: E712
    )


def get_field(ctx: TenantContext, field_id: str) -> FieldDefinition | None:
    """A definition by id, or None (one Query over the tenant's small definitions partition)."""
    if not is_valid_id(field_id):
        return None
    with db.translate_errors():
        found = FieldDefinition.query(definitions_pk(ctx), filter_condition=FieldDefinition.field_id == field_id,
                                      consistent_read=True)
        return next((db.owned(ctx, definition) for definition in found), None)


def get_field_or_raise(ctx: TenantContext, field_id: str) -> FieldDefinition:
    """A definition by id, or 404."""
    permissions.require(ctx, "customfields", "read")
    definition = get_field(ctx, field_id)
    if definition is None:
        raise errors.NotFoundError("No such custom field.")
    return definition


def _duplicate() -> errors.CRMError:
    return errors.ConflictError("This entity already has a field with this key (it may be archived).",
                                code="duplicate_custom_field")


def create_field(ctx: TenantContext, body: FieldIn) -> FieldDefinition:
    """Define a custom field (admins only)."""
    permissions.require(ctx, "customfields", "create")
    if len(definitions(ctx, body.entity)) >= MAX_FIELDS_PER_ENTITY:
        raise errors.ConflictError(f"An entity can have at most {MAX_FIELDS_PER_ENTITY} custom fields.",
                                   code="too_many_custom_fields")
    field_id = new_id()
    definition = FieldDefinition(
        definitions_pk(ctx), f"{body.entity}#{body.key}", field_id=field_id, entity=body.entity, key=body.key,
        label=body.label, field_type=body.type, required=body.required, sensitive=body.sensitive,
        filterable=body.filterable, options=[o.model_dump() for o in body.options or []], position=body.position,
        archived=False,
    )
    change = db.Change().create(definition)
    audit.attach(ctx, change, definition, entity="custom_field", entity_id=field_id, action="create", before=None,
                 after=_audit_view(definition))
    db.commit(ctx, change, conflict=_duplicate)
    _forget(ctx)
    return definition


def _check_update(definition: FieldDefinition, fields: dict[str, Any]) -> None:
    choice = definition.field_type in CHOICE_TYPES
    problems = []
    if "options" in fields and not choice and fields["options"]:
        problems.append({"loc": ["options"], "msg": "Only select and multiselect fields take options",
                         "type": "value_error"})
    if "options" in fields and choice and not fields["options"]:
        problems.append({"loc": ["options"], "msg": "A select field needs options", "type": "value_error"})
    if fields.get("filterable") and (not choice or definition.sensitive):
        problems.append({"loc": ["filterable"], "msg": "Only non-sensitive select fields can be filterable",
                         "type": "value_error"})
    if problems:
        raise errors.ValidationError(details=problems)


def update_field(ctx: TenantContext, field_id: str, body: FieldUpdate) -> FieldDefinition:
    """Change a definition's label, options, position, flags, or restore it from the archive."""
    permissions.require(ctx, "customfields", "update")
    definition = get_field_or_raise(ctx, field_id)
    fields = body.model_dump(exclude={"version"}, exclude_unset=True)
    _check_update(definition, fields)
    before = _audit_view(definition)
    for name, value in fields.items():
        setattr(definition, name, value)
    definition.version = body.version
    change = db.Change().save(definition)
    audit.attach(ctx, change, definition, entity="custom_field", entity_id=field_id, action="update",
                 before=before, after=_audit_view(definition))
    db.commit(ctx, change)
    _forget(ctx)
    return definition


def archive_field(ctx: TenantContext, field_id: str) -> None:
    """Archive a definition: it leaves forms, views and validation; stored values are kept for a restore."""
    permissions.require(ctx, "customfields", "delete")
    definition = get_field_or_raise(ctx, field_id)
    if definition.archived:
        return
    before = _audit_view(definition)
    definition.archived = True
    change = db.Change().save(definition)
    audit.attach(ctx, change, definition, entity="custom_field", entity_id=field_id, action="archive",
                 before=before, after=_audit_view(definition))
    db.commit(ctx, change)
    _forget(ctx)


# -- values ---------------------------------------------------------------------------------


def _problem(key: str, message: str, kind: str) -> dict[str, Any]:
    return {"loc": ["custom", key], "msg": message, "type": kind}


def _seal(ctx: TenantContext, definition: FieldDefinition, entity: str, record_id: str, value: Any) -> str:
    return crypto.encrypt_field(ctx, entity=entity, record_id=record_id, field="custom." + definition.key,
                                plaintext=json.dumps(value, ensure_ascii=False))


def _apply(ctx: TenantContext, definition: FieldDefinition, raw: Any, *, entity: str, record_id: str,
           stored: dict[str, Any], country: Callable[[], str]) -> None:
    """Validate one submitted value into stored (None or an empty text clears it)."""
    key = definition.key
    if raw is None:
        stored.pop(key, None)
        return
    if definition.sensitive and raw == MASK:
        if key not in stored:  # the mask sent back by a form that never saw the value
            raise value_types.InvalidValue("A masked value cannot be stored", "masked_value")
        return  # unchanged: the form sent back what it was shown
    value = value_types.normalise(definition.field_type, raw, options=list(definition.options or []),
                                  country=country)
    if value is None:
        stored.pop(key, None)
    else:
        stored[key] = _seal(ctx, definition, entity, record_id, value) if definition.sensitive else value


def _missing_required(live: dict[str, FieldDefinition], stored: dict[str, Any], submitted: dict[str, Any],
                      creating: bool) -> list[dict[str, Any]]:
    # On an update only a required field the caller clears is refused: records that predate a new
    # required field stay editable until someone fills it in.
    return [_problem(key, "This field is required", "missing") for key, definition in live.items()
            if definition.required and stored.get(key) is None and (creating or key in submitted)]


def _indexed(live: dict[str, FieldDefinition], stored: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, definition in live.items():
        if not definition.filterable or stored.get(key) is None:
            continue
        value = stored[key]
        pairs += [(key, item) for item in value] if isinstance(value, list) else [(key, value)]
    return pairs


def clean(ctx: TenantContext, *, entity: str, record_id: str, values: dict[str, Any],
          existing: dict[str, Any] | None = None) -> Cleaned:
    """Validate a record's custom values against the tenant's definitions (422 on any problem)."""
    every = {definition.key: definition for definition in definitions(ctx, entity)}
    live = {key: definition for key, definition in every.items() if not definition.archived}
    stored, submitted, problems = dict(existing or {}), dict(values or {}), []
    country = lambda: matching.tenant_region(ctx)  # noqa: E731 - read only when a phone value needs it
    for key, raw in submitted.items():
        definition = live.get(key)
        if definition is None:
            problems.append(_problem(str(key), "No such custom field", "unknown_custom_field"))
            continue
        try:
            _apply(ctx, definition, raw, entity=entity, record_id=record_id, stored=stored, country=country)
        except value_types.InvalidValue as exc:
            problems.append(_problem(key, exc.message, exc.kind))
    problems += _missing_required(live, stored, submitted, existing is None)
    if not problems and len(json.dumps(stored, ensure_ascii=False).encode()) > MAX_STORED_BYTES:
        problems.append(_problem("*", f"Custom values exceed {MAX_STORED_BYTES} bytes", "too_long"))
    if problems:
        raise errors.ValidationError(details=problems)
    return Cleaned(stored=stored, indexed=_indexed(live, stored),
                   sensitive=frozenset(key for key, definition in every.items() if definition.sensitive))


def view(ctx: TenantContext, *, entity: str, record_id: str, stored: dict[str, Any],
         reveal: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Custom values as the caller may see them (sensitive ones masked unless revealed and allowed)."""
    if reveal and not permissions.sees_sensitive(ctx):
        raise errors.ForbiddenError("Your role may not see sensitive fields.", code="sensitive_forbidden")
    stored = stored or {}
    shown: dict[str, Any] = {}
    revealed: list[str] = []
    for definition in active_definitions(ctx, entity):
        key = definition.key
        if key not in stored:
            continue
        if not definition.sensitive:
            shown[key] = stored[key]
        elif key in reveal:
            plaintext = crypto.decrypt_field(ctx, entity=entity, record_id=record_id, field="custom." + key,
                                             token=stored[key])
            shown[key] = json.loads(plaintext)
            revealed.append(key)
        else:
            shown[key] = MASK  # never decrypted to be masked: the mask tells nothing of the value
    if revealed:  # recorded before anything is returned
        audit.record_reads(ctx, entity=entity, entity_id=record_id, fields=["custom." + key for key in revealed])
    return shown
