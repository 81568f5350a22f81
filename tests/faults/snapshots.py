"""What the fault cases compare before and after a request: the table, read from the embedded AWS.

Like tests/tenantdata/table.py (a view independent of the code under test), but it leaves out the
partitions of tenants that existed before the cases began. Each module has a table of its own
(tests/own_table.py), so no earlier module's items are there to copy; a module's ``Watched`` made before
its world compares everything the module writes.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType

from chalicelib.core.config import settings

Key = tuple[str, str]
Snapshot = dict[Key, dict[str, Any]]

# Items a request writes on purpose even when the rest of it fails: pk part -> why.
WRITTEN_ON_PURPOSE: dict[str, str] = {
    "#INBOXRATE#": "a form post is counted (one UpdateItem) before anything is stored, so a flood is limited "
                   "even while storing fails",
}


def _table() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].get_table(settings.table_name)


def _tenant_part(pk: str) -> str | None:
    """``T#<tid>#`` of a tenant's partition key, None for a global one."""
    parts = pk.split("#", 2)
    return f"T#{parts[1]}#" if parts[0] == "T" and len(parts) > 1 else None


class Watched:
    """The table minus the tenants present when it was made (global items are always compared)."""

    def __init__(self) -> None:
        self.earlier = frozenset(filter(None, (_tenant_part(str(pk.value)) for pk in _table().items)))

    def snapshot(self) -> Snapshot:
        """Every watched item in DynamoDB's typed JSON, by key (a copy), but those written on purpose."""
        found: Snapshot = {}
        for pk, items in _table().items.items():
            name = str(pk.value)
            if _tenant_part(name) in self.earlier or any(part in name for part in WRITTEN_ON_PURPOSE):
                continue
            for item in items.values():
                typed = {attr: {value.type: value.value} if value.value.__class__ in SCALARS else _typed(value)
                         for attr, value in item.attrs.items()}
                found[(typed["pk"]["S"], typed["sk"]["S"])] = typed
        return found


SCALARS = (str, bool, bytes, type(None))  # S, N, B, BOOL and NULL values: immutable, shared with the table as is


def _typed(value: Any) -> Any:
    """An attribute value of moto's item as DynamoDB's typed JSON, copied all the way down (scalars are immutable),
    so nothing in it changes with the table. The same value moto's ``Item.to_json`` gives at about half its cost
    (it calls a method per attribute and ``copy.deepcopy`` per map and list), #22."""
    if not isinstance(value, DynamoType):
        return copy.deepcopy(value)
    kind, data = value.type, value.value
    if kind == "M":
        return {kind: {name: _typed(inner) for name, inner in data.items()}}
    if kind == "L":
        return {kind: [_typed(inner) for inner in data]}
    if isinstance(data, (list, set, dict)):  # SS, NS, BS
        return {kind: copy.deepcopy(data)}
    return {kind: data}


def changed(before: Snapshot, after: Snapshot) -> list[Key]:
    """Keys added, removed or changed between two snapshots."""
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
