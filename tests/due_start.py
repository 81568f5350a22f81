"""The suite's due runs start at the first hour that can hold a timer, not 48 empty hours back (#22).

Each test module has a new table (tests/own_table.py), so it starts with no bookmark of the due run
(``DueState``), and a run restricted to kinds (``retry_due``, ``purge_due``) never saves one: every such run,
and the first full one of a module, read the 48 hours before its clock, 8 Queries an hour (392 Queries,
about 0.6 s in-process), almost all of them empty partitions. 92 runs in the suite made 33,000 Queries.

Here the run's first hour (``service._start_hour``) is raised over hours that hold nothing: to the hour of
the table's earliest timer, never past ``now``'s hour less ``GRACE`` and one hour (the last hour a run can
clear), never below what the product answers. The run is otherwise the product's own, and what it does is
exactly what the product's walk from its own start does:

- nothing fires and nothing is written while the product's walk reads the hours skipped here, since each
  was empty when the run began (a timer sits in the hour it is due, or was set, ``service._place``); from
  the raised hour on both walks read the same hours of the same table;
- a full run saves the bookmark of the last hour it clears before the first hour it left open; the skipped
  hours were complete and the last clearable hour is read by both, so both save the same one.

The timers are found in the embedded table itself (moto's items: no request, unseen by the watcher and by
any count of requests); when that table cannot be read, the product's start stands.
``tests/core/test_due_start.py`` runs the product's walk beside this one and compares them.

The hours walked still hold mostly empty shards (a run a month on reads hundreds of them): a shard whose index
partition holds no item at all answers empty without its Query (``due_in``; the partition read from the index book
of local/moto_patches.py under its lock, no request). Its Query could only have answered empty: a timer is found by
that Query only while it sits in that partition, so what fires, in what order, and the bookmark are the product's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.tenancy import global_key
from chalicelib.due import service

FEEDS = global_key("due", "")  # gsi1 partitions of the timers: G#due#<hour>#<shard>
_product_start: Callable[[datetime], datetime] = service._start_hour
_product_due_in: Callable[[str, int, datetime], list[Any]] = service.due_in


def earliest_timer_hour() -> datetime | None:
    """The first hour any timer of the embedded table sits in; None when it holds none."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table: Any = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[settings.table_name]
    hours: set[str] = set()
    for stored in list(table.items.values()):
        for item in list(stored.values()) if table.range_key_attr else [stored]:
            feed = item.attrs.get("gsi1pk")
            if feed is not None and str(feed.value).startswith(FEEDS):
                hours.add(str(feed.value)[len(FEEDS):].split("#", 1)[0])
    if not hours:
        return None
    return datetime.strptime(min(hours), service.HOUR).replace(tzinfo=UTC)


def _last_clearable(now: datetime) -> datetime:
    """The last hour a run at now may clear (``hour + GRACE < last``, as ``service.run_due`` tests it)."""
    last = now.replace(minute=0, second=0, microsecond=0)
    hour = last - timedelta(hours=1)
    while hour + service.GRACE >= last:
        hour -= timedelta(hours=1)
    return hour


def start_hour(now: datetime) -> datetime:
    """The product's first hour, raised over the hours before the earliest timer (at most to the last one a
    run can clear)."""
    start = _product_start(now)
    try:
        earliest = earliest_timer_hour()
    except (KeyError, RuntimeError, ValueError):  # no embedded table, changed while read, an unknown key: as is
        return start
    skip_to = _last_clearable(now) if earliest is None else min(earliest, _last_clearable(now))
    return max(start, skip_to)


def feed_is_empty(hour: str, shard: int) -> bool:
    """Whether the shard's index partition holds no item at all (False when it cannot be told)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    from local import moto_patches

    try:
        table: Any = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[settings.table_name]
        with moto_patches._lock:
            held = moto_patches._index_partition(table, "gsi1", DynamoType({"S": service.feed_key(hour, shard)}))
    except (KeyError, RuntimeError, ValueError, AttributeError):  # no embedded table, changed while read: ask it
        return False
    return held is not None and not held


def due_in(hour: str, shard: int, now: datetime) -> list[Any]:
    """The product's Query of one shard of one hour, left out where the shard holds nothing."""
    return [] if feed_is_empty(hour, shard) else _product_due_in(hour, shard, now)


def install() -> None:
    """Every due run of the suite from now on starts at ``start_hour`` and skips the Queries of empty shards."""
    service._start_hour = start_hour  # type: ignore[assignment]
    service.due_in = due_in


@contextmanager
def product_walk() -> Iterator[None]:
    """Inside, due runs walk as the product walks (from the bookmark, or 48 hours back, every shard queried)."""
    service._start_hour = _product_start  # type: ignore[assignment]
    service.due_in = _product_due_in
    try:
        yield
    finally:
        install()


@contextmanager
def every_shard() -> Iterator[None]:
    """Inside, due runs start at ``start_hour`` and query every shard of the hours they walk."""
    service.due_in = _product_due_in
    try:
        yield
    finally:
        install()
