"""Make moto's DynamoDB transactions cost what they touch, not what the table holds.

moto 5.2 deep-copies every table named in a TransactWriteItems call, once per item, to roll back
on failure: the cost grows with the table, so a long test session or a long ``make run`` slows
down quadratically and its memory balloons. This patch journals only the items the transaction
touches and restores those on failure, which is the same all-or-nothing outcome. It also makes
each DynamoDB request atomic, as DynamoDB is (moto's tables are not thread-safe). Used by the
local runner and the test suite; never part of the Lambda bundle.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_lock = threading.RLock()
_installed: list[bool] = []


class _CopyWithoutTables:
    """Stands in for the ``copy`` module inside moto's transaction: tables are not copied."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: op["Item"][name] for name in names}


def _journal(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
    journal = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        key = _key_of(table, op_type, op)
        current = backend.get_item(table.name, key)
        journal.append((table.name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
    return journal


def _roll_back(backend: Any, journal: list[tuple[str, dict[str, Any], Any]]) -> None:
    for table_name, key, before in reversed(journal):
        if before is None:
            backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, before)


def install() -> None:
    """Patch moto's DynamoDB backend once per process."""
    if _installed:
        return
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _lock:
            try:
                journal = _journal(self, transact_items)
            except Exception:  # noqa: BLE001 - malformed input: let moto answer exactly as it would
                return original(self, transact_items)
            saved = models.copy
            models.copy = _CopyWithoutTables  # type: ignore[assignment]
            try:
                return original(self, transact_items)
            except Exception:
                _roll_back(self, journal)
                raise
            finally:
                models.copy = saved

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in ATOMIC:
        setattr(models.DynamoDBBackend, name, _atomic(getattr(models.DynamoDBBackend, name)))
    _one_partition_queries()
    _installed.append(True)


def _one_partition_queries() -> None:
    """moto's Query on a table sorts every item of the table to find one partition: show it only that one.

    A large tenant (100,000 contacts) made every Query take longer than the client's read timeout.
    Index queries still read the whole table (moto keeps no per-index partitions).
    """
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        with _lock:
            everything = self.items
            partition = everything.get(hash_key)
            self.items = {hash_key: partition} if partition is not None else {}
            try:
                return original(self, hash_key, *args, **kwargs)
            finally:
                self.items = everything

    Table.query = query  # type: ignore[method-assign]


# moto's tables are plain dicts: a Query iterating one while another thread writes fails with
# "dictionary changed size during iteration". DynamoDB applies each request atomically, so the
# stand-in does too (one request at a time; concurrent callers still race as they would on AWS).
ATOMIC = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
          "batch_write_item", "transact_get_items")


def _atomic(method: Any) -> Any:
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(self, *args, **kwargs)

    locked.__wrapped__ = method  # type: ignore[attr-defined]
    return locked
