"""Answers as a role sees them: the fields it may not read are left out of records, list rows, cards, link
summaries, timeline entries and audit records (absent, not null: null would read as "no value").

For a caller without field rules nothing is left out and nothing is read: a record or a page comes back as the
JSON the answer would have been dumped to anyway, the rest unchanged.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import types
from chalicelib.records.fieldaccess import service
from chalicelib.records.types import RecordType


def _plain(view: Any) -> dict[str, Any]:
    if hasattr(view, "model_dump"):
        dumped: dict[str, Any] = view.model_dump(mode="json")
        return dumped
    return dict(view)


def record(ctx: TenantContext, rtype: RecordType, view: Any) -> dict[str, Any]:
    """A record (or card) as the caller may see it, as the JSON it answers with."""
    data = _plain(view)
    if not permissions.field_rules(ctx):
        return data
    keys, custom = service.hidden_keys(ctx, rtype)
    for key in keys:
        data.pop(key, None)
    if custom and isinstance(data.get("custom"), dict):
        data["custom"] = {key: value for key, value in data["custom"].items() if key not in custom}
    if "revealed" in data:
        data["revealed"] = [name for name in data["revealed"] if name not in keys
                            and name.removeprefix(service.CUSTOM) not in custom]
    if isinstance(data.get("links"), dict):  # a card: its links by kind
        data["links"] = {kind: [link(ctx, kind, item) for item in items] for kind, items in data["links"].items()}
    elif isinstance(data.get("links"), list):  # a deal's card: one list with the kind on each link
        data["links"] = [link(ctx, item.get("kind", ""), item) for item in data["links"]]
    if isinstance(data.get("timeline"), list):
        data["timeline"] = entries(ctx, data["timeline"])
    for key, value in data.items():  # another record named on this one ({"contact": {"id", "name"}} on a call)
        if isinstance(value, dict) and "id" in value and types.find(key) is not None:
            data[key] = summary(ctx, key, value)
    return data


def records(ctx: TenantContext, rtype: RecordType, views: list[Any]) -> list[Any]:
    """Records or list rows as the caller may see them."""
    if not permissions.field_rules(ctx):
        return views
    return [record(ctx, rtype, view) for view in views]


def page(ctx: TenantContext, rtype: RecordType, view: Any) -> dict[str, Any]:
    """A page (``items``, ``next_cursor``) of records or rows as the caller may see them, as JSON."""
    data = _plain(view)
    if not permissions.field_rules(ctx):
        return data
    data["items"] = records(ctx, rtype, data.get("items") or [])
    return data


def summary(ctx: TenantContext, type_name: str, values: dict[str, Any] | None) -> dict[str, Any] | None:
    """What one record shows of another (a link's summary, a record's name on a task or a call), as the
    caller may see it: the other type's hidden fields left out, and its name when it is made of one."""
    rtype = types.find(type_name)
    if values is None or rtype is None or not service.hidden(ctx, rtype):
        return values
    keys, _ = service.hidden_keys(ctx, rtype)
    shown = {key: value for key, value in values.items() if key not in keys}
    if service.name_hidden(ctx, rtype):
        shown.pop("name", None)
    return shown


def link(ctx: TenantContext, kind: str, view: Any) -> Any:
    """A link on a card, its summary as the caller may see it."""
    data = _plain(view)
    if isinstance(data.get("summary"), dict):
        data["summary"] = summary(ctx, kind, data["summary"])
    return data


# -- timeline entries ---------------------------------------------------------------------------


def entries(ctx: TenantContext, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline entries (``timeline.entry_view``) as the caller may see them."""
    if not permissions.field_rules(ctx):
        return views
    return [entry(ctx, view) for view in views]


def _hides(ctx: TenantContext, type_name: str, *names: str) -> bool:
    rtype = types.find(type_name)
    return rtype is not None and bool(service.hidden(ctx, rtype) & set(names))


def entry(ctx: TenantContext, view: dict[str, Any]) -> dict[str, Any]:
    """One timeline entry as the caller may see it: what it quotes of a record follows that record's rules."""
    if not permissions.field_rules(ctx):
        return view
    view = {**view, "data": dict(view.get("data") or {})}
    data, kind = view["data"], view.get("kind")
    subject = (view.get("subject") or {}).get("type", "")
    if kind == "call":
        if _hides(ctx, "call", "from_number", "to_number") or _hides(ctx, subject, "phones"):
            data.pop("number", None)
        if _hides(ctx, "call", "recording"):
            data.pop("recording", None)
    elif kind == "form_submission":
        _form_entry(ctx, view, data)
    elif kind == "stage_change" and _hides(ctx, "deal", "title"):
        data.pop("title", None)
        view["summary"] = str(view.get("summary") or "").split(": ", 1)[-1]
    elif kind == "merge" and service.name_hidden(ctx, types.get("contact")):
        view["summary"] = "Merged another contact into this contact"
    if kind == "stage_change" and _hides(ctx, "deal", "lost_reason"):
        data.pop("lost_reason", None)
    return view


_FORM_KEYS = {"name": ("first_name", "last_name"), "phone": ("phones",), "email": ("emails",), "utm": ("utm",)}


def _form_entry(ctx: TenantContext, view: dict[str, Any], data: dict[str, Any]) -> None:
    """A website form's entry quotes the contact it made: its name, phone, e-mail, UTM and custom values."""
    contact = types.get("contact")
    gone = service.hidden(ctx, contact)
    quoted = [key for key, names in _FORM_KEYS.items() if gone & set(names)]
    for key in quoted:
        data.pop(key, None)
    if isinstance(data.get("custom"), dict):
        data["custom"] = {key: value for key, value in data["custom"].items() if f"{service.CUSTOM}{key}" not in gone}
    if set(quoted) & {"name", "phone", "email"}:  # the summary names the lead by them
        view["summary"] = f"Form “{data.get('form') or ''}”"


# -- the audit trail ----------------------------------------------------------------------------


def audit_changes(ctx: TenantContext, entity: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit record's changes (``{field: {"before", "after"}}``) without the fields the caller may not read."""
    rtype = types.find(entity)
    if rtype is None or not permissions.field_rules(ctx):
        return changes
    keys, custom = service.hidden_keys(ctx, rtype)
    if not keys and not custom:
        return changes
    shown = {}
    for name, change in changes.items():
        if name in keys or (name.removeprefix(service.CUSTOM) in custom and name.startswith(service.CUSTOM)):
            continue
        if name == "custom" and isinstance(change, dict):
            change = {side: {k: v for k, v in value.items() if k not in custom} if isinstance(value, dict) else value
                      for side, value in change.items()}
        shown[name] = change
    return shown


# -- exports ------------------------------------------------------------------------------------


def export_rows(ctx: TenantContext, type_name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Export rows (columns named by field, nested ones dotted: ``billing_address.city``, ``custom.vip``)
    without the columns of fields the caller may not read."""
    rtype = types.find(type_name)
    if rtype is None or not service.hidden(ctx, rtype):
        return rows
    keys, custom = service.hidden_keys(ctx, rtype)

    def shown(column: str) -> bool:
        if column.startswith(service.CUSTOM):
            return column.removeprefix(service.CUSTOM).split(".", 1)[0] not in custom
        return column.split(".", 1)[0] not in keys

    return [{column: value for column, value in row.items() if shown(column)} for row in rows]
