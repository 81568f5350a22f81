"""A one-off pass works through a tenant's partitions a page at a time and, out of time, carries on next hour from
the page after the last one it saved: nothing skipped, nothing but that page done twice."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.housekeeping import tenants

PARTITIONS = {"ALL": ["a1", "a2", "a3", "a4", "a5"], "TRASH": ["t1", "t2", "t3"]}


class _State:
    def __init__(self) -> None:
        self.position: str | None = None
        self.saved: list[str | None] = []

    def save(self) -> None:
        self.saved.append(self.position)


def _page(name: str, after: str | None) -> tenants.Page:
    keys = PARTITIONS[name]
    start = keys.index(after) + 1 if after else 0
    page = keys[start:start + 2]
    return page, (page[-1] if start + 2 < len(keys) else None)


def test_a_pass_out_of_time_carries_on_from_the_page_it_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.0, 0.0, 5.0])  # three pages, then the deadline (1.0) has passed
    monkeypatch.setattr(tenants.time, "monotonic", lambda: next(clock, 5.0))
    state, done = _State(), []

    def work(name: str, items: list[Any]) -> int:
        done.extend(items)
        return len(items)

    assert tenants.walk_pages(state, list(PARTITIONS), deadline=1.0, page=_page, work=work) == (5, False)
    assert state.position == "ALL#a4" and state.saved == ["ALL#a2", "ALL#a4"]  # saved after each page with more
    monkeypatch.setattr(tenants.time, "monotonic", lambda: 0.0)
    counted, through = tenants.walk_pages(state, list(PARTITIONS), deadline=1.0, page=_page, work=work)
    assert through and state.position is None
    assert sorted(set(done)) == sorted(PARTITIONS["ALL"] + PARTITIONS["TRASH"])
    assert (counted, [key for key in set(done) if done.count(key) > 1]) == (4, ["a5"])  # the page after the saved
