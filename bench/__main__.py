"""``make bench``: run every benchmark and print one table (``python -m bench --help``).

Each benchmark that needs the app runs in its own interpreter (settings are read once at import,
and the in-process moto and the embedded server cannot share a process); this driver reads the
one result line each prints, and also writes every raw figure to ``build/bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import (
    billing,
    cold_start,
    cost,
    cpu,
    documents,
    harness,
    ingest,
    large_tenant,
    orders,
    per_call,
    reports,
    telephony,
    ui_size,
)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "bench" / "results.json"


def run_module(module: str, *arguments: object) -> Any:
    """Run ``python -m bench.<module> arguments`` and return the result it printed."""
    env = {**os.environ, **harness.BENCH_ENV, "PYTHONWARNINGS": "ignore"}
    # stdout carries the app's request logs and the result line; stderr (progress, errors) is shown as is.
    done = subprocess.run([sys.executable, "-m", f"bench.{module}", *map(str, arguments)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, text=True, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(harness.RESULT_MARK):
            return json.loads(line[len(harness.RESULT_MARK):])
    raise RuntimeError(f"bench.{module} printed no result (exit {done.returncode}; its errors are above)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--contacts", type=int, default=2000, help="contacts of the large tenant")
    parser.add_argument("--runs", type=int, default=100, help="calls per CPU figure (medians)")
    parser.add_argument("--events", type=int, default=200, help="form events of the ingest benchmark")
    return parser.parse_args()


def collect(options: argparse.Namespace) -> dict[str, Any]:
    """Every benchmark's raw result, with how long each took."""
    results: dict[str, Any] = {"seconds": {}}
    steps = [("cold_start", cold_start.measure), ("per_call", lambda: run_module("per_call")),
             ("cpu", lambda: run_module("cpu", options.runs)),
             ("large_tenant", lambda: run_module("large_tenant", options.contacts)),
             ("ingest", lambda: run_module("ingest", options.events)),
             ("telephony", lambda: run_module("telephony", 10)), ("billing", lambda: run_module("billing", 600)),
             ("reports", lambda: run_module("reports")),
             ("orders", lambda: run_module("orders", 10)), ("documents", lambda: run_module("documents", 10)),
             ("ui_size", ui_size.measure)]
    for name, step in steps:
        started = time.perf_counter()
        results[name] = step()
        results["seconds"][name] = time.perf_counter() - started
    results["cost"] = cost.model(results["per_call"], request_s=cost.request_seconds(results["cpu"]),
                                 cold_import_s=results["cold_start"]["first_card_s"], lead=results["ingest"],
                                 call=cost.phone_call(results["telephony"]))
    return results


def lines(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The summary table's rows."""
    rows = cold_start.table(results["cold_start"])
    rows += per_call.table(results["per_call"]) + cpu.table(results["cpu"])
    rows += large_tenant.table(results["large_tenant"]) + ingest.table(results["ingest"])
    rows += telephony.table(results["telephony"]) + billing.table(results["billing"])
    rows += reports.table(results["reports"])
    rows += orders.table(results["orders"]) + documents.table(results["documents"])
    rows += ui_size.table(results["ui_size"]) + cost.table(results["cost"])
    return rows


def main() -> None:
    """Run the benchmarks, print the table, keep the raw figures."""
    results = collect(_arguments())
    rows = lines(results)
    width, value_width = max(len(row[0]) for row in rows), max(len(row[1]) for row in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {target}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2))
    print(f"raw figures: {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
