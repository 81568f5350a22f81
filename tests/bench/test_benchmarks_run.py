"""Every benchmark still runs: each once, at its smallest size, as a person runs it (``python -m bench.<name>``).

A benchmark is run by hand, so one that a change broke went unnoticed for a day (``bench.documents``, after tax
rates moved to percent). The figures are not checked here (they are measured, not asserted); only that each
benchmark ends well and prints its result line with its figures. Those that write their figures to a file
(``bench.cpu``'s cpu.json) or time imports (the cold start's) are left to ``make bench``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import harness

ROOT = Path(__file__).resolve().parents[2]
# each benchmark and the smallest arguments it measures anything with
SMALLEST = [("backfills", "2"), ("bulk", "2"), ("campaigns", "3"), ("documents", "1"), ("importing", "2"),
            ("ingest", "3"), ("large_tenant", "20"), ("messaging", "1"), ("orders", "1"), ("per_call",),
            ("personal_data", "1"), ("billing", "5"), ("reminders", "1"), ("reports", "1", "1"), ("team_move", "1"),
            ("telephony", "1"), ("tickets", "1")]


@pytest.mark.parametrize("command", SMALLEST, ids=lambda command: command[0])
def test_the_benchmark_runs_and_prints_its_figures(command: tuple[str, ...]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CRM_", "AWS_"))}
    env.update(harness.BENCH_ENV, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, "-m", f"bench.{command[0]}", *command[1:]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [line for line in done.stdout.splitlines() if line.startswith(harness.RESULT_MARK)]
    assert results, done.stdout[-2000:]
    figures = json.loads(results[-1][len(harness.RESULT_MARK):])
    assert figures, "the benchmark printed an empty result"
