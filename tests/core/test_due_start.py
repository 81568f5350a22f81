"""The suite's shortcuts for the due run (tests/due_start.py: the raised first hour, the empty shards left unqueried)
fire what the product's walk fires and save its bookmark: the same timers in the same order, the same counts, the
same ``DueState``, on timers set in the past (a clock frozen 30 and 3 hours back), this hour and ahead, with and
without a bookmark, with and without kinds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import db, tenancy
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.due import service as due
from chalicelib.due.models import DueState
from tests import due_start
from tests.watcher import Watcher

REAL_NOW = db.utcnow()
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def timers() -> dict[str, tuple[str, str]]:
    """Four timers of one tenant (their keys by name): due 30 h ago, 3 h ago, a minute ago, in 5 h."""
    ctx = TenantContext(tenant_id=new_id())
    placed: dict[str, tuple[str, str]] = {}
    with pytest.MonkeyPatch.context() as patch, tenancy.bind(ctx):
        for name, kind, set_at, due_at in [
            ("old", "task.reminder", REAL_NOW - 30 * HOUR, REAL_NOW - 30 * HOUR),
            # due 3 h back, set an hour before: its hour is before a bookmark 2 h back at any minute of the clock
            ("recent", "inbox.retry", REAL_NOW - 4 * HOUR, REAL_NOW - 3 * HOUR),
            ("now", "inbox.retry", REAL_NOW, REAL_NOW - timedelta(minutes=1)),
            ("ahead", "task.reminder", REAL_NOW, REAL_NOW + 5 * HOUR),
        ]:
            patch.setattr(db, "utcnow", lambda moment=set_at: moment)
            assert due.set_timer(ctx, kind=kind, ref=name, due_at=due_at)
            placed[name] = (due.timers_pk(ctx), due.timer_sk(kind, name))
    return placed


def _walk(monkeypatch: pytest.MonkeyPatch, watcher: Watcher, *, now: datetime, kinds: frozenset[str] | None,
          bookmark: datetime | None) -> tuple[list[tuple[str, str]], dict[str, int], str | None, int]:
    """One run, its timers found but left in place: what fired, the counts, the bookmark after, its Queries."""
    fired: list[tuple[str, str]] = []

    def fire(item: Any, moment: datetime, outcomes: Any = None) -> str:
        fired.append((item.pk, item.sk))
        return "fired"

    monkeypatch.setattr(due, "fire", fire)
    DueState(due.STATE_PK, due.STATE_SK).delete()
    if bookmark is not None:
        DueState(due.STATE_PK, due.STATE_SK, next_hour=bookmark.strftime(due.HOUR)).save()
    watcher.reset()
    counts = due.run_due(now=now, kinds=kinds)
    queries = sum(operation == "Query" for operation, _ in watcher.requests)
    try:
        saved: str | None = DueState.get(due.STATE_PK, due.STATE_SK).next_hour
    except DueState.DoesNotExist:
        saved = None
    return fired, counts, saved, queries


@pytest.mark.parametrize(("hours", "kinds", "bookmark_hours", "expected", "skips"), [
    (0, None, None, ["old", "recent", "now"], True),
    (6, frozenset({"inbox.retry"}), None, ["recent", "now"], True),
    (-29, None, None, ["old"], True),
    (0, None, -2, ["now"], False),  # the bookmark is past the earliest timer: the product's start stands
])
def test_the_shortcut_fires_and_saves_what_the_product_walk_does(
        timers: dict[str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch, tenancy_watcher: Watcher,
        hours: int, kinds: frozenset[str] | None, bookmark_hours: int | None, expected: list[str],
        skips: bool) -> None:
    now = REAL_NOW + hours * HOUR
    bookmark = None if bookmark_hours is None else REAL_NOW + bookmark_hours * HOUR
    with due_start.product_walk():
        fired, counts, saved, product_queries = _walk(monkeypatch, tenancy_watcher, now=now, kinds=kinds,
                                                      bookmark=bookmark)
    assert sorted(fired) == sorted(timers[name] for name in expected)
    with due_start.every_shard():
        *raised, start_queries = _walk(monkeypatch, tenancy_watcher, now=now, kinds=kinds, bookmark=bookmark)
    assert raised == [fired, counts, saved]
    assert start_queries < product_queries if skips else start_queries == product_queries
    *shortcut, shortcut_queries = _walk(monkeypatch, tenancy_watcher, now=now, kinds=kinds, bookmark=bookmark)
    assert shortcut == [fired, counts, saved]
    assert 0 < shortcut_queries < start_queries  # the shards holding a timer are queried, the empty ones not
