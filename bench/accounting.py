"""DynamoDB requests and capacity units of the code under measurement, seen through botocore events.

moto reports fixed capacity figures, so capacity is computed from item sizes with DynamoDB's
published rules: reads in 4 KB units (half for eventually consistent reads; a Query sums the sizes
of the items it reads before rounding, a GetItem or BatchGetItem rounds each item), writes in 1 KB
units of the larger of the item before and after, twice for a transaction, plus one index write
per GSI the item is in (two when the write moves it to another index key). The before and after
images of written items are read straight from moto's in-process backend.
"""

from __future__ import annotations

import base64
import math
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

READ_UNIT, WRITE_UNIT = 4096, 1024
INDEX_KEYS = (("gsi1pk", "gsi1sk"), ("gsi2pk", "gsi2sk"))
# The per-request principal lookup (reported apart from each endpoint's own requests).
AUTH_FUNCTIONS = frozenset({"_load_principal", "_tenant_and_key"})
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})


@dataclass
class Call:
    """One DynamoDB API call and the capacity it would consume in AWS."""

    operation: str
    auth: bool = False
    read_units: float = 0.0
    write_units: float = 0.0
    items: int = 0
    by_kind: dict[str, float] = field(default_factory=dict)  # write units by kind of item (see kind_of)


@dataclass
class Ledger:
    """Every call recorded since the last reset (thread-safe: the app may serve from threads)."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    paused: bool = False  # a timed run: the sizing reads moto's stored items, which takes time too

    def reset(self) -> None:
        """Forget the calls recorded so far."""
        with self.lock:
            self.calls.clear()

    def snapshot(self) -> list[Call]:
        """A copy of the calls recorded so far."""
        with self.lock:
            return list(self.calls)


LEDGER = Ledger()


# An id, a time, a number or an address: the parts of a key that name one item rather than its kind.
_NAMING = re.compile(r"[^#]*[0-9@][^#]*")


def kind_of(key: dict[str, Any]) -> str:
    """The kind of item a key names, its ids left out: ``T#·#AUDIT#· | ·`` for every audit record."""
    return " | ".join(_NAMING.sub("·", key[part]["S"]) for part in ("pk", "sk"))


def wru_by_kind(calls: list[Call], per: int = 1) -> dict[str, float]:
    """Write units of calls by kind of item (divided by per), the largest first."""
    total: dict[str, float] = {}
    for call in calls:
        for kind, units in call.by_kind.items():
            total[kind] = total.get(kind, 0.0) + units / per
    return dict(sorted(total.items(), key=lambda pair: -pair[1]))


# -- item sizes ---------------------------------------------------------------------------------


def value_size(value: Any) -> int:
    """Bytes DynamoDB counts for one attribute value in wire format ({"S": ...}, {"M": ...})."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(raw) if isinstance(raw, bytes) else len(base64.b64decode(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(inner) + 1 for name, inner in raw.items())
    if kind == "L":
        return 3 + sum(value_size(inner) + 1 for inner in raw)
    return sum(value_size({kind[0]: member}) for member in raw)  # SS, NS, BS


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes of an item in wire format (0 when absent)."""
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


# -- moto's backend: the images of written items ---------------------------------------------------


def _stored(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    for backend in dynamodb_backends[DEFAULT_ACCOUNT_ID].values():
        if table in backend.tables:
            found = backend.tables[table].get_item(DynamoType(key["pk"]), DynamoType(key["sk"]))
            return found.to_json()["Attributes"] if found is not None else None
    return None


def _write_targets(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(table, key, writes) of every item a write request touches (writes: False for a condition check)."""
    if operation == "TransactWriteItems":
        targets = []
        for entry in params["TransactItems"]:
            (kind, body), = entry.items()
            key = body.get("Key") or {"pk": body["Item"]["pk"], "sk": body["Item"]["sk"]}
            targets.append((body["TableName"], {"pk": key["pk"], "sk": key["sk"]}, kind != "ConditionCheck"))
        return targets
    if operation == "BatchWriteItem":
        found = [(table, req.get("PutRequest", {}).get("Item") or req["DeleteRequest"]["Key"])
                 for table, requests in params["RequestItems"].items() for req in requests]
        return [(table, {"pk": key["pk"], "sk": key["sk"]}, True) for table, key in found]
    key = params.get("Key") or {"pk": params["Item"]["pk"], "sk": params["Item"]["sk"]}
    return [(params["TableName"], {"pk": key["pk"], "sk": key["sk"]}, True)]


def _index_writes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    units = 0.0
    size = math.ceil(max(item_size(before), item_size(after)) / WRITE_UNIT)
    for hash_name, range_name in INDEX_KEYS:
        old = (before or {}).get(hash_name), (before or {}).get(range_name)
        new = (after or {}).get(hash_name), (after or {}).get(range_name)
        in_old, in_new = old[0] is not None, new[0] is not None
        if in_old and in_new and old != new:
            units += 2 * size  # the index deletes the old entry and writes the new one
        elif in_old or in_new:
            units += size
    return units


# -- botocore handlers --------------------------------------------------------------------------


def _is_auth() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in AUTH_FUNCTIONS:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    if LEDGER.paused:
        return
    operation = model.name
    context["bench_call"] = Call(operation, auth=_is_auth())
    context["bench_params"] = params
    if operation in WRITE_OPERATIONS:
        targets = _write_targets(operation, params)
        context["bench_before"] = [(table, key, tx, _stored(table, key)) for table, key, tx in targets]


def _read_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, int]:
    factor = 1.0 if params.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        return math.ceil(max(item_size(parsed.get("Item")), 1) / READ_UNIT) * factor, 1
    if operation == "BatchGetItem":
        items = [item for found in parsed.get("Responses", {}).values() for item in found]
        requested = sum(len(spec["Keys"]) for spec in params["RequestItems"].values())
        consistent = any(spec.get("ConsistentRead") for spec in params["RequestItems"].values())
        units = sum(math.ceil(max(item_size(item), 1) / READ_UNIT) for item in items)
        return (units + requested - len(items)) * (1.0 if consistent else 0.5), requested
    if operation in ("Query", "Scan"):
        items = parsed.get("Items", [])
        sizes = [item_size(item) for item in items]
        evaluated = max(int(parsed.get("ScannedCount", len(items))), len(items))
        # Items a filter dropped were read too; moto does not return them, so count them at the mean size.
        mean = sum(sizes) / len(sizes) if sizes else 300
        total = sum(sizes) + (evaluated - len(items)) * mean
        return max(math.ceil(total / READ_UNIT), 1) * factor, evaluated
    return 0.0, 0


def _after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    call: Call | None = context.pop("bench_call", None)
    params = context.pop("bench_params", {})
    if call is None:
        return
    if call.operation in WRITE_OPERATIONS:
        for table, key, writes, before in context.pop("bench_before", []):
            after = _stored(table, key)
            units = math.ceil(max(item_size(before), item_size(after), 1) / WRITE_UNIT)
            # Every item of a transaction costs two writes, its condition checks included.
            units *= 2 if call.operation == "TransactWriteItems" else 1
            units += _index_writes(before, after) if writes else 0.0  # a check changes no index
            call.write_units += units
            call.by_kind[kind_of(key)] = call.by_kind.get(kind_of(key), 0.0) + units
            call.items += 1
    else:
        call.read_units, call.items = _read_units(call.operation, params, parsed)
    with LEDGER.lock:
        LEDGER.calls.append(call)


def install() -> None:
    """Hook the ledger into every botocore session created from now on (call before any exists)."""
    for handler in (("before-parameter-build.dynamodb", _before), ("after-call.dynamodb", _after)):
        if handler not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(handler)


def cost_of(run: Any) -> dict[str, Any]:
    """What one run of an action cost the app, apart from authentication: its answer (``status``), requests,
    read and write units, operations, our CPU (``cpu_s``) and write units by kind of item."""
    import time

    LEDGER.reset()
    started = time.process_time()
    status = run()
    cpu = time.process_time() - started
    calls = [c for c in LEDGER.snapshot() if not c.auth]
    return {"status": status, "requests": len(calls), "read_units": sum(c.read_units for c in calls),
            "write_units": sum(c.write_units for c in calls), "operations": ", ".join(c.operation for c in calls),
            "cpu_s": cpu, "wru_by_kind": wru_by_kind(calls)}
