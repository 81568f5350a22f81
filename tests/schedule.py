"""The order the workers take the suite's files in: the costliest first, so the two workers finish together.

``make test`` runs ``pytest -n auto --dist loadfile``: pytest-xdist hands each worker whole files, one at a time
as it runs out of work. By default it sorts the files by how many tests they hold, most first, which puts the
files of one or two long tests (the fuzz run, the 5,000-recipient campaign, the load run, each browser screen)
at the very end: one worker runs the last of them while the other has nothing left to take. Taking the files
by their measured cost instead (longest first) leaves only short files for the end, where they even out.

The costs are ``tests/durations.json`` (seconds per file, setup and teardown included, from one run of the
whole suite on 2 workers). A file missing there (a new one) counts its tests at the median cost of a test.
Stale figures only make the balance worse, never a test wrong: every file still runs whole, in its own order,
on one worker. Refresh them after a large change with
``CRM_TEST_DURATIONS=tests/durations.json .venv/bin/python -m pytest tests -n 2 --dist loadfile``.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

COSTS = Path(__file__).with_name("durations.json")


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _known() -> dict[str, float]:
    try:
        return {str(name): float(seconds) for name, seconds in json.loads(COSTS.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def costliest_first(items: list[pytest.Item], known: dict[str, float]) -> list[pytest.Item]:
    """items regrouped by file, the files by cost (most first); each file keeps its own order."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(_file_of(item.nodeid), []).append(item)
    per_test = statistics.median(known[name] / len(tests) for name, tests in files.items() if name in known) \
        if any(name in known for name in files) else 1.0
    order = sorted(files, key=lambda name: -known.get(name, per_test * len(files[name])))
    return [item for name in order for item in files[name]]


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # our order, not xdist's count of tests per file


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = costliest_first(items, _known())


class Recorder:
    """Adds up each file's test time (setup, call, teardown) from the reports and writes it at the end."""

    def __init__(self, path: Path) -> None:
        self.path, self.seconds = path, defaultdict[str, float](float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[_file_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        figures = {name: round(seconds, 2) for name, seconds in sorted(self.seconds.items())}
        self.path.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")


def record_if_asked(config: pytest.Config) -> None:
    """With CRM_TEST_DURATIONS set, the controller (not a worker) writes the files' costs to that path."""
    target: Any = os.environ.get("CRM_TEST_DURATIONS")
    if target and not os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(Recorder(Path(target)), "crm-test-durations")
