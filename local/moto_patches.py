"""Make moto's DynamoDB requests cost what they touch, not what the table holds.

moto 5.2 deep-copies every table named in a TransactWriteItems call, once per item, to roll back
on failure: the cost grows with the table, so a long test session or a long ``make run`` slows
down quadratically and its memory balloons. This patch journals only the items the transaction
touches and restores those on failure, which is the same all-or-nothing outcome. It also makes
each DynamoDB request atomic, as DynamoDB is (moto's tables are not thread-safe), gives a table
or index Query only its partition, and, for the benches (``CRM_MOTO_PAGE_READS=1``), only the page
it can answer from; and it serialises attribute values without moto's generic search for each
member. Used by the local runner and the test suite; never part of the Lambda bundle.
"""

from __future__ import annotations

import bisect
import copy
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

_lock = threading.RLock()
_installed: list[bool] = []
_writes = [0]  # bumped by every write to any table: the page-reads cache is good until it moves
PAGE_READS_ENV = "CRM_MOTO_PAGE_READS"  # "1": a Query reads its page, not its partition (the benches)


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

    def counted_transaction(self: Any, transact_items: list[dict[str, Any]]) -> None:
        try:
            return transact_write_items(self, transact_items)
        finally:
            _writes[0] += 1

    models.DynamoDBBackend.transact_write_items = counted_transaction  # type: ignore[method-assign]
    _track_writes()  # before the locks below wrap update_item
    for name in ATOMIC:
        setattr(models.DynamoDBBackend, name, _atomic(getattr(models.DynamoDBBackend, name)))
    _one_partition_queries()
    _direct_attribute_values()
    if os.environ.get(PAGE_READS_ENV) == "1":
        _page_reads()
    _installed.append(True)


_MOTO_QUERY: list[Any] = []  # moto's own Table.query


def _one_partition_queries() -> None:
    """moto's Query sorts every item of the table to find one partition: show it only that one.

    A large tenant (100,000 contacts) made every Query take longer than the client's read timeout.
    A table Query is shown its partition; an index Query the items whose index hash key has the
    value asked for, from the partitions kept by ``_IndexBook`` (the suite's one table grows to
    tens of thousands of items, and every job's index Query used to sort them all).
    """
    from moto.dynamodb.models.table import Table

    original = Table.query
    _MOTO_QUERY[:] = [original]

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


_MOTO_STRUCTURE: list[Any] = []  # moto's own BaseJSONSerializer._serialize_type_structure
ATTRIBUTE_VALUE = "AttributeValue"


def _direct_attribute_values() -> None:
    """Serialise a DynamoDB attribute value by its own keys, not by moto's search for each member.

    moto 5.2 writes every response through a generic serialiser that looks each of the shape's
    members up on the result under every alias it might have (the name, its snake_case form, prefixes
    of the parent's and the class's names ...). An attribute value has ten members (S, N, B, ...) and
    holds one, so a Query of 50 list rows made about 10,000 such searches: 80% of the time of a list
    page on the embedded server, and of every test that reads items. Here a plain dict whose keys are
    all members of the shape is read by those keys; each member is still serialised by moto's own
    per-type code, so the answer is the same (tests/local/test_moto_patches.py compares them).
    Anything else, and any value when a response transformer could apply, goes the generic way.
    """
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure
    _MOTO_STRUCTURE[:] = [original]

    def structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        members = shape.members if shape.name == ATTRIBUTE_VALUE and type(value) is dict else None
        if not members or not key or not value.keys() <= members.keys() or _transformed(self, members):
            return original(self, serialized, value, shape, key)
        wrapper: dict[str, Any] = {}
        for member_key, member_shape in members.items():
            member_value = value.get(member_key)
            if member_value is not None:
                member_shape.parent = shape
                self._serialize(wrapper, member_value, member_shape, member_key)
        self._default_serialize(serialized, wrapper, shape, key)

    BaseJSONSerializer._serialize_type_structure = structure  # type: ignore[method-assign]


def _transformed(serializer: Any, members: dict[str, Any]) -> bool:
    transformers = getattr(serializer._value_picker, "response_transformers", None) or {}
    return any(path.rsplit(".", 1)[-1] in members for path in transformers)


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

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = put(self, *args, **kwargs)
        _touched(self, item.hash_key, item.range_key)
        return item

    def delete_item(self: Any, hash_value: Any, range_value: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return delete(self, hash_value, range_value, *args, **kwargs)
        finally:
            _touched(self, hash_value, range_value)

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


# moto's tables are plain dicts: a Query iterating one while another thread writes fails with
# "dictionary changed size during iteration". DynamoDB applies each request atomically, so the
# stand-in does too (one request at a time; concurrent callers still race as they would on AWS).
ATOMIC = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
          "batch_write_item", "transact_get_items")


WRITES = frozenset({"put_item", "update_item", "delete_item", "batch_write_item"})


def _atomic(method: Any) -> Any:
    writes = method.__name__ in WRITES

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            try:
                return method(self, *args, **kwargs)
            finally:
                if writes:
                    _writes[0] += 1

    locked.__wrapped__ = method  # type: ignore[attr-defined]
    return locked


# -- page reads (the benches) ----------------------------------------------------------------------
#
# moto answers a Query by reading and sorting its whole partition (a table Query, after the patch
# above) or the whole table (an index Query), then walking to the start key and the Limit. DynamoDB
# reads only the page. With CRM_MOTO_PAGE_READS=1 (set by bench/), each partition's items are kept
# sorted by their sort key (rebuilt after any write) and moto is handed only the window a page can
# come from: the key condition's range, from the start key on, Limit + 1 items and every item tied
# with the window's ends. moto then answers from the window exactly as it would from everything:
# tests/local/test_moto_patches.py compares the two on many queries. String sort keys only; any
# other shape of Query goes to moto unchanged.

_RANGE_END = "\U0010ffff"
_COMPARISONS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
Partition = tuple[list[str], list[Any]]  # sort values, items, in sort order


def _sort_value(item: Any, attr: str) -> str | None:
    value = item.attrs.get(attr)
    return value.value if value is not None and value.type == "S" else None


def _sorted(items: list[Any], attr: str) -> Partition | None:
    keyed = []
    for item in items:
        value = _sort_value(item, attr)
        if value is None:
            return None
        keyed.append((value, item))
    keyed.sort(key=lambda pair: pair[0])
    return [value for value, _ in keyed], [item for _, item in keyed]


class _Partitions:
    """Sorted partitions of one table, per index, valid while no write happened."""

    def __init__(self) -> None:
        self.version = -1
        self.table: dict[Any, Partition | None] = {}
        self.indexes: dict[str, dict[str, Partition | None]] = {}

    def fresh(self) -> _Partitions:
        if self.version != _writes[0]:
            self.version, self.table, self.indexes = _writes[0], {}, {}
        return self


_partitions: weakref.WeakKeyDictionary[Any, _Partitions] = weakref.WeakKeyDictionary()


def _index_keys(table: Any, index_name: str) -> tuple[str, str] | None:
    index = table.get_index(index_name)
    hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    ranges = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
    return (hashes[0], ranges[0]) if len(hashes) == 1 and len(ranges) == 1 else None


def _partition(table: Any, hash_key: Any, index_name: str | None) -> Partition | None:
    cached = _partitions.setdefault(table, _Partitions()).fresh()
    if not index_name:
        if hash_key not in cached.table:
            rows = table.items.get(hash_key)
            cached.table[hash_key] = _sorted(list(rows.values()), table.range_key_attr) \
                if isinstance(rows, dict) and table.range_key_attr else None
        return cached.table[hash_key]
    keys = _index_keys(table, index_name)
    if keys is None or hash_key is None or hash_key.type != "S":
        return None
    partitions = cached.indexes.setdefault(index_name, {})
    if hash_key.value not in partitions:  # the index book's partition, sorted (not a walk of the table)
        members = _index_partition(table, index_name, hash_key)
        partitions[hash_key.value] = None if members is None else \
            _sorted([item for item in members if item.attrs.get(keys[1]) is not None], keys[1])
    return partitions[hash_key.value]


def _bounds(values: list[str], comparison: str | None, objs: list[Any]) -> tuple[int, int] | None:
    """[start, end) of the values meeting the key condition on the sort key (None: cannot say)."""
    if not comparison:
        return 0, len(values)
    if any(getattr(obj, "type", None) != "S" for obj in objs):
        return None
    raw = [obj.value for obj in objs]
    comparison = _COMPARISONS.get(comparison, comparison.upper())
    if comparison == "EQ":
        return bisect.bisect_left(values, raw[0]), bisect.bisect_right(values, raw[0])
    if comparison == "BEGINS_WITH":
        return bisect.bisect_left(values, raw[0]), bisect.bisect_left(values, raw[0] + _RANGE_END)
    if comparison == "BETWEEN":
        return bisect.bisect_left(values, raw[0]), bisect.bisect_right(values, raw[1])
    if comparison == "LT":
        return 0, bisect.bisect_left(values, raw[0])
    if comparison == "LE":
        return 0, bisect.bisect_right(values, raw[0])
    if comparison == "GT":
        return bisect.bisect_right(values, raw[0]), len(values)
    if comparison == "GE":
        return bisect.bisect_left(values, raw[0]), len(values)
    return None


def _window(partition: Partition, bounds: tuple[int, int], start_value: str | None, limit: int | None,
            forward: bool) -> list[Any]:
    """The items a page can come from: those tied with the start key, then Limit + 1 more (moto needs
    the one after the page to name the page's last key), every item tied with the window's end, and
    past the key condition's range one more item, for the same reason."""
    values, items = partition
    low, high = bounds
    if forward:
        after = low
        if start_value is not None:
            low = max(low, bisect.bisect_left(values, start_value, low, high))
            after = max(low, bisect.bisect_right(values, start_value, low, high))
        if limit is not None and high - after > limit + 1:
            cut = after + limit + 1
            high = bisect.bisect_right(values, values[cut - 1], cut - 1, high)
        elif high < len(values):
            high += 1  # moto names the last key when Limit is reached at any next item, in range or not
    else:
        before = high
        if start_value is not None:
            high = min(high, bisect.bisect_right(values, start_value, low, high))
            before = min(high, bisect.bisect_left(values, start_value, low, high))
        if limit is not None and before - low > limit + 1:
            cut = before - limit - 1
            low = bisect.bisect_left(values, values[cut], low, cut + 1)
        elif low > 0:
            low -= 1
    return items[low:high]


def _page_reads() -> None:
    from moto.dynamodb.models.table import Table

    Table.query = page_query(Table.query)  # type: ignore[method-assign]


def page_query(partition_query: Any) -> Any:
    """Table.query answering from the window a page can come from (partition_query: the one it replaces)."""

    def query(self: Any, hash_key: Any, range_comparison: str | None, range_objs: list[Any], limit: int,
              exclusive_start_key: dict[str, Any] | None, scan_index_forward: bool, *args: Any,
              **kwargs: Any) -> Any:
        call = (self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                *args)
        index_name = kwargs.get("index_name", args[1] if len(args) > 1 else None)
        plain = len(kwargs.get("hash_key_conditions") or []) <= 1 and len(kwargs.get("range_key_conditions") or []) <= 1
        extra = {k: v for k, v in kwargs.items() if k not in {
            "index_name", "consistent_read", "filter_expression", "hash_key_conditions", "range_key_conditions"}}
        if not plain or extra or hash_key is None:
            return partition_query(*call, **kwargs)
        with _lock:
            partition = _partition(self, hash_key, index_name)
            bounds = _bounds(partition[0], range_comparison, range_objs) if partition is not None else None
            if partition is None or bounds is None:
                return partition_query(*call, **kwargs)
            sort_attr = _index_keys(self, index_name)[1] if index_name else self.range_key_attr  # type: ignore[index]
            start = exclusive_start_key.get(sort_attr) if exclusive_start_key else None
            start_value = start.get("S") if isinstance(start, dict) else None
            if exclusive_start_key and start_value is None:
                return partition_query(*call, **kwargs)
            window = _window(partition, bounds, start_value, limit, scan_index_forward is not False)
            if index_name:
                self.all_items = lambda: window  # an instance attribute hides the method for this call
                try:
                    return _MOTO_QUERY[0](*call, **kwargs)
                finally:
                    del self.all_items
            everything = self.items
            self.items = {hash_key: {item.range_key: item for item in window}}
            try:
                return _MOTO_QUERY[0](*call, **kwargs)
            finally:
                self.items = everything

    return query
