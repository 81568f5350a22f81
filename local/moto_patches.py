"""Keep moto's DynamoDB correct and linear for the tests and ``make run``: three patches, each tested.

Each patch stands in for something DynamoDB does that moto 5.2 does not, or does at a cost that grows
with the table (the test session's one table and a long ``make run`` grow to tens of thousands of
items). Nothing here exists to speed up a benchmark: the benches run the stand-in exactly as the tests
and ``make run`` do.

- ``transaction journal``: moto deep-copies every table named in a TransactWriteItems call, once per
  item, to roll back on failure, so each transaction costs the size of the table (quadratic time and
  ballooning memory over a session). The patch journals the items the transaction touches and restores
  those on failure: the same all-or-nothing outcome. A table with a stream also forgets the stream records
  the cancelled transaction's writes and roll-back added (DynamoDB shows none; #19's feed would read them).
- ``atomic requests``: moto's tables are plain dicts, not thread-safe; a Query iterating one while
  another thread writes fails ("dictionary changed size during iteration"). DynamoDB applies each
  request atomically, so the stand-in does too (the local runner and the live socket serve threads).
- ``partition queries``: moto answers a Query by walking every item of the table (table and index
  queries alike). The patch shows a table Query its partition, and an index Query the items whose
  index hash key matches, from an index book kept up to date on every write: cost by partition, as in
  DynamoDB, not by table.

Each patch names the moto versions it was written for and what of moto's internals it relies on;
``tests/local/test_moto_patches.py`` fails on any other moto version, or when those internals change,
so an upgrade re-reads them instead of silently running on changed internals. Dropped (issue #22):
page reads (a bench-only mode) and a faster serialiser of attribute values (a constant factor, not
correctness or linearity). Used by the local runner and the test suite; never part of the Lambda bundle.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_lock = threading.RLock()
_installed: list[bool] = []
MOTO_VERSIONS = frozenset({"5.2.5"})  # the versions every patch below was written against and tested on


# -- transaction journal -----------------------------------------------------------------------------


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


def _stream_marks(backend: Any) -> list[tuple[Any, int]]:
    """How many records each table's stream holds before a transaction (its writes and roll-back add some)."""
    return [(table.stream_shard, len(table.stream_shard.items)) for table in backend.tables.values()
            if getattr(table, "stream_shard", None) is not None]


def _forget_stream_records(marks: list[tuple[Any, int]]) -> None:
    for shard, count in marks:
        del shard.items[count:]


# -- partition queries ------------------------------------------------------------------------------


def _one_partition_queries() -> None:
    """moto's Query walks every item of the table to find one partition: show it only that one.

    A table Query is shown its partition; an index Query the items whose index hash key has the
    value asked for, from the partitions kept by ``_IndexBook`` (the suite's one table grows to
    tens of thousands of items, and every job's index Query used to sort them all).
    """
    from moto.dynamodb.models.table import Table

    original = Table.query

    @functools.wraps(original)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        if index_name:
            with _lock:
                members = _index_partition(self, index_name, hash_key)
                if members is None:
                    return original(self, hash_key, *args, **kwargs)
                self.all_items = lambda: members  # an instance attribute hides the method for this call
                try:
                    return original(self, hash_key, *args, **kwargs)
                finally:
                    del self.all_items
        with _lock:
            everything = self.items
            partition = everything.get(hash_key)
            self.items = {hash_key: partition} if partition is not None else {}
            try:
                return original(self, hash_key, *args, **kwargs)
            finally:
                self.items = everything

    Table.query = query  # type: ignore[method-assign]


class _IndexBook:
    """Which items of one table sit in which partition of each of its indexes, kept up to date.

    Every write to the table names its key (``_touched``); the book re-reads those items before the
    next index Query and moves each to the partition its attributes now name, so an update that
    changes an index key moves the item as DynamoDB would. The book holds keys, not items: a Query
    is shown the table's current items. tests/local/test_moto_patches.py compares the answers with
    moto's own on a random mix of writes.
    """

    def __init__(self) -> None:
        self.touched: set[tuple[Any, Any]] = set()
        self.partitions: dict[str, dict[Any, dict[tuple[Any, Any], None]]] = {}  # index -> value -> keys
        self.placed: dict[str, dict[tuple[Any, Any], Any]] = {}  # index -> key -> value

    def refresh(self, table: Any) -> None:
        attrs = {index_name: _index_hash(table, index_name) for index_name in self.placed} if self.touched else {}
        for key in self.touched:
            item = _item_at(table, key)
            for index_name, placed in self.placed.items():
                partitions, attr = self.partitions[index_name], attrs[index_name]
                old = placed.pop(key, None)
                if old is not None:
                    partitions[old].pop(key, None)
                value = item.attrs.get(attr) if item is not None and attr else None
                if value is not None:
                    placed[key] = value
                    partitions.setdefault(value, {})[key] = None
        self.touched.clear()

    def build(self, table: Any, index_name: str, attr: str) -> None:
        partitions: dict[Any, dict[tuple[Any, Any], None]] = {}
        placed: dict[tuple[Any, Any], Any] = {}
        for item in _every_item(table):
            value = item.attrs.get(attr)
            if value is not None:
                key = (item.hash_key, item.range_key)
                placed[key] = value
                partitions.setdefault(value, {})[key] = None
        self.partitions[index_name], self.placed[index_name] = partitions, placed


_books: weakref.WeakKeyDictionary[Any, _IndexBook] = weakref.WeakKeyDictionary()


def _every_item(table: Any) -> Iterator[Any]:
    for stored in table.items.values():
        if table.range_key_attr:
            yield from stored.values()
        else:
            yield stored


def _item_at(table: Any, key: tuple[Any, Any]) -> Any:
    stored = table.items.get(key[0])
    if stored is None or not table.range_key_attr:
        return stored
    return stored.get(key[1])


def _index_hash(table: Any, index_name: str) -> str | None:
    """The index's one hash key attribute (None for any other shape: moto answers those itself)."""
    try:
        index = table.get_index(index_name)
    except Exception:  # noqa: BLE001 - an unknown index: let moto answer with its own error
        return None
    hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    return hashes[0] if len(hashes) == 1 else None


def _index_partition(table: Any, index_name: str, hash_key: Any) -> list[Any] | None:
    """The items whose index hash key equals hash_key, in the table's order (as moto's all_items)."""
    attr = _index_hash(table, index_name)
    if attr is None:
        return None
    book = _books.setdefault(table, _IndexBook())
    book.refresh(table)
    if index_name not in book.partitions:
        book.build(table, index_name, attr)
    keys = book.partitions[index_name].get(hash_key, {})
    items = [item for item in (_item_at(table, key) for key in keys) if item is not None]
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _touched(table: Any, hash_value: Any, range_value: Any) -> None:
    book = _books.get(table)
    if book is not None:
        book.touched.add((hash_value, range_value if table.range_key_attr else None))


def _track_writes() -> None:
    """Name every written key to the table's index book (puts, deletes, and updates made in place)."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    put, delete, update = Table.put_item, Table.delete_item, models.DynamoDBBackend.update_item

    @functools.wraps(put)
    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = put(self, *args, **kwargs)
        _touched(self, item.hash_key, item.range_key)
        return item

    @functools.wraps(delete)
    def delete_item(self: Any, hash_value: Any, range_value: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return delete(self, hash_value, range_value, *args, **kwargs)
        finally:
            _touched(self, hash_value, range_value)

    @functools.wraps(update)
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return update(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None and _books.get(table) is not None and table.hash_key_attr in key:
                ranged = key.get(table.range_key_attr) if table.range_key_attr else None
                _touched(table, DynamoType(key[table.hash_key_attr]), DynamoType(ranged) if ranged else None)

    Table.put_item = put_item  # type: ignore[method-assign]
    Table.delete_item = delete_item  # type: ignore[method-assign]
    models.DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


# -- atomic requests --------------------------------------------------------------------------------

# moto's tables are plain dicts: a Query iterating one while another thread writes fails with
# "dictionary changed size during iteration". DynamoDB applies each request atomically, so the
# stand-in does too (one request at a time; concurrent callers still race as they would on AWS).
ATOMIC = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
          "batch_write_item", "transact_get_items")


def _atomic(method: Any) -> Any:
    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(self, *args, **kwargs)

    return locked


# -- installing -------------------------------------------------------------------------------------


def _patch_transactions() -> None:
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _lock:
            try:
                journal = _journal(self, transact_items)
            except Exception:  # noqa: BLE001 - malformed input: let moto answer exactly as it would
                return original(self, transact_items)
            saved = models.copy
            models.copy = _CopyWithoutTables  # type: ignore[assignment]
            streams = _stream_marks(self)
            try:
                return original(self, transact_items)
            except Exception:
                _roll_back(self, journal)
                _forget_stream_records(streams)  # a cancelled transaction wrote nothing: its stream shows nothing
                raise
            finally:
                models.copy = saved

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _patch_atomic() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import StreamShard

    for name in ATOMIC:
        setattr(models.DynamoDBBackend, name, _atomic(getattr(models.DynamoDBBackend, name)))
    # A stream read waits for the request in flight: a transaction appends its records as it applies its items and
    # a cancelled one takes them back (_forget_stream_records), so a reader between the two took records that never
    # were, and the next write's record, numbered where they stood, was skipped (a lead waited for its retry timer).
    StreamShard.get = _atomic(StreamShard.get)  # type: ignore[method-assign]


def _patch_partitions() -> None:
    _track_writes()  # before the locks of _patch_atomic wrap update_item
    _one_partition_queries()


# -- what each patch relies on, checked by tests/local/test_moto_patches.py --------------------------------


def _missing(owner: Any, names: tuple[str, ...]) -> list[str]:
    return [f"{getattr(owner, '__name__', owner)}.{name}" for name in names if not hasattr(owner, name)]


def _parameters(function: Any, expected: list[str]) -> list[str]:
    found = list(inspect.signature(inspect.unwrap(function)).parameters)[:len(expected)]
    return [] if found == expected else [f"{function.__qualname__}{tuple(found)}, expected {tuple(expected)}"]


def _source_says(function: Any, *phrases: str) -> list[str]:
    source = inspect.getsource(inspect.unwrap(function))
    return [f"{function.__qualname__} no longer says {phrase!r}" for phrase in phrases if phrase not in source]


def _transactions_fit() -> list[str]:
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import StreamShard

    backend = models.DynamoDBBackend
    return (_missing(models, ("copy",)) + _missing(backend, ("get_item", "put_item", "delete_item"))
            + _source_says(StreamShard.add, "self.items.append(")
            + _source_says(backend.transact_write_items, "original_table_state", "copy.deepcopy(")
            + _parameters(backend.get_item, ["self", "table_name", "keys"])
            + _parameters(backend.delete_item, ["self", "table_name", "key"])
            + _parameters(backend.put_item, ["self", "table_name", "item_attrs"]))


def _atomic_fits() -> list[str]:
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import StreamShard

    return (_missing(models.DynamoDBBackend, ATOMIC) + _parameters(StreamShard.get, ["self", "start", "quantity"])
            + _source_says(StreamShard.add, "seq = len(self.items) + self.starting_sequence_number"))


def _partitions_fit() -> list[str]:
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    query = ["self", "hash_key", "range_comparison", "range_objs", "limit", "exclusive_start_key",
             "scan_index_forward", "projection_expressions", "index_name"]
    return (_parameters(Table.query, query) + _source_says(Table.query, "self.all_items()")
            + _missing(Table, ("all_items", "get_index"))
            + _source_says(Table.__init__, "self.items", "self.hash_key_attr", "self.range_key_attr")
            + _parameters(Table.put_item, ["self", "item_attrs"])
            + _parameters(Table.delete_item, ["self", "hash_key", "range_key"])
            + _parameters(models.DynamoDBBackend.update_item, ["self", "table_name", "key"]))


@dataclass(frozen=True)
class Patch:
    """One patch: what it does to moto, the moto versions it was written for, what it relies on."""

    name: str
    apply: Callable[[], None]
    fits: Callable[[], list[str]]  # the internals it relies on that are missing or changed (none: it fits)
    moto_versions: frozenset[str] = MOTO_VERSIONS


PATCHES = (
    Patch("transaction journal", _patch_transactions, _transactions_fit),
    Patch("partition queries", _patch_partitions, _partitions_fit),
    Patch("atomic requests", _patch_atomic, _atomic_fits),  # last: it wraps what the others patched
)


def install() -> None:
    """Patch moto's DynamoDB backend once per process."""
    if _installed:
        return
    for patch in PATCHES:
        patch.apply()
    _installed.append(True)
