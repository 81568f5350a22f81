"""Which fields each record type offers to field rules, and the checks of a change and of a list query.

A rule names a field as the API names it (``contacts.phones``, ``deals.amount``, ``contacts.custom.vip``).
A field stands for every key it appears under: in answers, list rows, the audit trail and timeline
entries (a contact's ``phones`` is also its row's ``phone``; a deal's ``amount`` is stored and audited as
``amount_minor`` and ``currency``). The rules themselves are parsed once per permission set
(``core.permissions.rules_of``): nothing here reads the table on a request that has no rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.core import errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import types
from chalicelib.records.types import RecordType

CUSTOM = "custom."
# What every record answers with that is not a field of the customer's: ids, owner and team (scope is
# decided by them), times, versions, links to other records, why a record has no contact (contact_skipped).
SYSTEM = frozenset({"id", "owner_id", "team_id", "created_at", "updated_at", "deleted_at", "version", "custom",
                    "merged_into", "revealed", "created_by", "status", "contact_skipped"})
# A list row shows the first of a list field under its singular.
_ROW_NAMES = {"phones": "phone", "emails": "email"}
# The fields whose API name differs from what is stored and audited, or that a type does not declare (a type
# may declare its own with a ``field_keys`` hook answering this mapping).
_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "deal": {"title": ("title",), "amount": ("amount", "amount_minor", "currency"), "lost_reason": ("lost_reason",),
             "expected_close_on": ("expected_close_on",), "tags": ("tags",)},
    "product": {"name": ("name",), "sku": ("sku",), "price": ("price", "price_minor", "currency"),
                "unit": ("unit",), "description": ("description",), "tags": ("tags",)},
    "call": {"from_number": ("from_number", "number"), "to_number": ("to_number", "number"),
             "recording": ("recording", "has_recording", "recording_key"), "duration_seconds": ("duration_seconds",)},
}
# An import column may fill several fields at once (a full name, an ФИО: last, first and middle names).
_IMPORT_TARGETS = {"full_name": ("first_name", "last_name"), "fio": ("first_name", "last_name")}
NAME_FIELDS = ("first_name", "last_name", "name", "title")  # what a record's name (on other records) is made of


_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {}  # by type: declarations do not change in a process


def fields_of(rtype: RecordType) -> dict[str, tuple[str, ...]]:
    """Each field a rule may name on this type, with the keys it appears under."""
    known = _FIELDS.get(rtype.name)
    if known is not None:
        return known
    own = rtype.hook("field_keys")
    found: dict[str, tuple[str, ...]] = dict(own()) if own is not None else dict(_KEYS.get(rtype.name, {}))
    if own is None and rtype.name not in _KEYS:
        for name in [f.name for f in rtype.fields] + list(rtype.audit_fields):
            if name not in SYSTEM and not name.endswith(("_id", "_ids")) and name not in found:
                found[name] = fields_of_row(name)
    _FIELDS[rtype.name] = found
    return found


def fields_of_row(name: str) -> tuple[str, ...]:
    """The attributes a list row shows a field under (a list field: its first value, under its singular)."""
    return (name, _ROW_NAMES[name]) if name in _ROW_NAMES else (name,)


def name_fields(rtype: RecordType) -> tuple[str, ...]:
    """The fields a record's name is made of (hiding any of them hides its name on other records)."""
    return tuple(name for name in NAME_FIELDS if name in fields_of(rtype))


def sensitive_fields(rtype: RecordType) -> frozenset[str]:
    """The type's built-in sensitive fields (masked without ``sensitive:read`` whatever the rules)."""
    return frozenset(f.name for f in rtype.fields if f.sensitive)


def custom_definitions(ctx: TenantContext, rtype: RecordType) -> list[Any]:
    """The tenant's custom field definitions of the type (archived ones too: their values stay on records)."""
    from chalicelib.records.customfields import service as customfields_service

    return list(customfields_service.definitions(ctx, rtype.name))


def catalog(ctx: TenantContext) -> list[dict[str, Any]]:
    """Every field a rule may name, per record type (what the role editor offers)."""
    entries: list[dict[str, Any]] = []
    for rtype in types.all_types():
        if rtype.plural not in permissions.CRM_ENTITIES:
            continue
        sensitive = sensitive_fields(rtype)
        fields = [{"field": name, "label": name.replace("_", " "), "custom": False, "sensitive": name in sensitive}
                  for name in fields_of(rtype)]
        fields += [{"field": f"{CUSTOM}{d.key}", "label": d.label, "custom": True, "sensitive": bool(d.sensitive)}
                   for d in custom_definitions(ctx, rtype)]
        entries.append({"entity": rtype.plural, "record_type": rtype.name, "fields": fields})
    return entries


def unknown_rules(ctx: TenantContext, rules: Iterable[str]) -> list[str]:
    """The rules naming an entity that is not a record type, or a field it does not have (``FIELD_CATALOG``)."""
    unknown, known = [], dict[str, frozenset[str]]()
    for rule in rules:
        parsed = permissions.field_rule(rule)
        rtype = types.by_plural(parsed[0]) if parsed is not None else None
        if parsed is None or rtype is None:
            unknown.append(rule)
            continue
        if rtype.plural not in known:
            custom = {f"{CUSTOM}{d.key}" for d in custom_definitions(ctx, rtype)}
            known[rtype.plural] = frozenset(fields_of(rtype)) | custom
        if parsed[1] not in known[rtype.plural]:
            unknown.append(rule)
    return unknown


# -- what a role may not read -------------------------------------------------------------------


def hidden(ctx: TenantContext, rtype: RecordType) -> frozenset[str]:
    """The fields of the type the caller may not read (custom ones as ``custom.<key>``)."""
    return permissions.field_rules(ctx).hidden_of(rtype.plural)


def hidden_keys(ctx: TenantContext, rtype: RecordType) -> tuple[frozenset[str], frozenset[str]]:
    """The keys the caller may not see on a record of the type, and the custom keys."""
    gone = hidden(ctx, rtype)
    if not gone:
        return frozenset(), frozenset()
    mapping = fields_of(rtype)
    keys = {key for name in gone if not name.startswith(CUSTOM) for key in mapping.get(name, (name,))}
    custom = {name.removeprefix(CUSTOM) for name in gone if name.startswith(CUSTOM)}
    return frozenset(keys), frozenset(custom)


def name_hidden(ctx: TenantContext, rtype: RecordType) -> bool:
    """True when the caller may not read a field the type's record names are made of."""
    gone = hidden(ctx, rtype)
    return bool(gone) and any(name in gone for name in name_fields(rtype))


# -- what a role may not change -----------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _changed(before: Mapping[str, Any] | None, after: Mapping[str, Any], key: str) -> bool:
    old = (before or {}).get(key)
    new = after.get(key)
    return not (_empty(old) and _empty(new)) and old != new


def _custom_of(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Custom values of an audit view: flattened (``custom.<key>``) by the engine, a dict under ``custom``
    by types that write their own way (deals)."""
    values = values or {}
    found = values.get("custom")
    nested: dict[str, Any] = found if isinstance(found, dict) else {}
    flat = {name.removeprefix(CUSTOM): value for name, value in values.items() if name.startswith(CUSTOM)}
    return {**nested, **flat}


def check_changes(ctx: TenantContext, entity: str, before: Mapping[str, Any] | None,
                  after: Mapping[str, Any]) -> None:
    """403 naming every field the change sets that the caller may only read (``FIELD_GUARD``).

    A creation is checked on its request instead (:func:`check_request`, :func:`check_import`): what the
    system fills in by itself (a deal's zero amount, a click-to-call's numbers) is no edit of the caller's."""
    rtype = types.find(entity)
    if rtype is None or before is None:
        return
    frozen = permissions.field_rules(ctx).readonly_of(rtype.plural)
    if not frozen:
        return
    mapping = fields_of(rtype)
    refused = [name for name in sorted(frozen) if not name.startswith(CUSTOM)
               and any(_changed(before, after, key) for key in mapping.get(name, (name,)))]
    old_custom, new_custom = _custom_of(before), _custom_of(after)
    refused += [name for name in sorted(frozen) if name.startswith(CUSTOM)
                and _changed(old_custom, new_custom, name.removeprefix(CUSTOM))]
    if refused:
        raise read_only(rtype, refused)


def check_request(ctx: TenantContext, rtype: RecordType, data: Any, *, create: bool) -> None:
    """403 naming the read-only fields a create fills or an update names, before the service reads anything:
    a duplicate's 409 would otherwise tell a role who holds a phone it may not see. A PATCH that leaves the
    field out succeeds; every write meets :func:`check_changes` besides."""
    frozen = permissions.field_rules(ctx).readonly_of(rtype.plural)
    if not frozen or data is None:
        return
    given: dict[str, Any] = data.model_dump(mode="json", exclude_unset=True) if hasattr(data, "model_dump") else {}
    mapping = fields_of(rtype)
    custom: dict[str, Any] = _custom_of({"custom": given.get("custom")})

    def touched(value: Any) -> bool:
        return not create or not _empty(value)

    refused = [name for name in sorted(frozen) if not name.startswith(CUSTOM)
               and any(key in given and touched(given[key]) for key in mapping.get(name, (name,)))]
    refused += [name for name in sorted(frozen) if name.startswith(CUSTOM)
                and name.removeprefix(CUSTOM) in custom and touched(custom[name.removeprefix(CUSTOM)])]
    if refused:
        raise read_only(rtype, refused)


def check_import(ctx: TenantContext, type_name: str, targets: list[str]) -> None:
    """403 naming the fields an import's column mapping writes that the caller may not change (each row
    would be refused anyway: this says so before the import runs)."""
    rtype = types.find(type_name)
    frozen = permissions.field_rules(ctx).readonly_of(rtype.plural) if rtype is not None else frozenset()
    if rtype is None or not frozen:
        return
    mapping = fields_of(rtype)
    wanted = {name for target in targets for name in _IMPORT_TARGETS.get(target, (target,))}
    refused = sorted({name for name in frozen for target in wanted
                      if target == name or target in mapping.get(name, ())})
    if refused:
        raise read_only(rtype, refused)


def importable(ctx: TenantContext, type_name: str, mapping: dict[str, str | None]) -> dict[str, str | None]:
    """An import's automatic column mapping without the fields the caller may not change (such a column is
    not imported, and its values are never looked up as duplicates)."""
    rtype = types.find(type_name)
    frozen = permissions.field_rules(ctx).readonly_of(rtype.plural) if rtype is not None else frozenset()
    if rtype is None or not frozen:
        return mapping
    kept = dict(mapping)
    for column, target in mapping.items():
        try:
            check_import(ctx, type_name, [target] if target else [])
        except errors.ForbiddenError:
            kept[column] = None
    return kept


def read_only(rtype: RecordType, names: list[str]) -> errors.CRMError:
    """The 403 naming fields of a type the caller's role may not change."""
    return errors.ForbiddenError(
        f"Your role may not change these fields of a {rtype.label}: {', '.join(names)}.", code="field_read_only",
        details=[{"loc": name.split(".", 1) if name.startswith(CUSTOM) else [name], "msg": "Read-only for your role",
                  "type": "field_read_only"} for name in names])


def not_visible(rtype: RecordType, names: list[str]) -> errors.CRMError:
    """The 403 for a list filtered or sorted by fields the caller may not read."""
    return errors.ForbiddenError(
        f"Your role may not read these fields of {rtype.plural}, so it may not filter or sort by them: "
        f"{', '.join(names)}.", code="field_hidden",
        details=[{"loc": ["query", name], "msg": "Hidden from your role", "type": "field_hidden"} for name in names])
