"""Cold start: importing app.py in a fresh interpreter against a bare ``import boto3``, as a ratio.

Each import runs in its own fresh interpreter, alternating, several times; the medians are
compared, so the ratio holds whatever else the machine is doing. app.py imports no route module
(each loads with its first request, see ``chalicelib/core/routing.py``), so two more figures say
what that moves rather than hides: the import plus what the first contact-card request loads
(the contacts routes, the session check, boto3), and the import plus every route module (what a
cold start cost before).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "CRM_STAGE": "bench", "AWS_DEFAULT_REGION": "eu-west-1", "PYTHONDONTWRITEBYTECODE": "0"}


def _time_import(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=ENV, check=True)
    return time.perf_counter() - started


FIRST_CARD = ("import app, boto3; from chalicelib.core import routing; routing.load('chalicelib.contacts.routes'); "
              "import chalicelib.identity.sessions")
EVERYTHING = "import app, boto3; from chalicelib.core import routing; routing.load_all()"


def measure(runs: int = 7) -> dict[str, Any]:
    """Median seconds of a fresh interpreter importing boto3, the app, the app and a first card, everything."""
    _time_import(EVERYTHING)  # warm the bytecode cache, as a deployed bundle would have
    statements = {"boto3_s": "import boto3", "app_s": "import app", "first_card_s": FIRST_CARD,
                  "all_s": EVERYTHING}
    times: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(runs):
        for name, statement in statements.items():
            times[name].append(_time_import(statement))
    found = {name: statistics.median(values) for name, values in times.items()}
    base = found["boto3_s"]
    return {**found, "ratio": found["app_s"] / base, "first_card_ratio": found["first_card_s"] / base,
            "all_ratio": found["all_s"] / base, "breakdown": breakdown()}


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")
GROUPS = [("our pydantic schemas (chalicelib.*.schemas)", re.compile(r"^chalicelib\.\w+\.schemas$")),
          ("the rest of chalicelib and app.py", re.compile(r"^(chalicelib|app$)")),
          ("boto3/botocore/urllib3 (the baseline)",
           re.compile(r"^(boto3|botocore|urllib3|jmespath|dateutil|s3transfer)")),
          ("pydantic", re.compile(r"^(pydantic|annotated_types|typing_inspection)")),
          ("chalice", re.compile(r"^chalice")), ("pynamodb", re.compile(r"^pynamodb")),
          ("powertools", re.compile(r"^aws_lambda_powertools")), ("phonenumbers", re.compile(r"^phonenumbers")),
          ("cryptography", re.compile(r"^cryptography")), ("python-ulid", re.compile(r"^ulid"))]


def breakdown() -> dict[str, float]:
    """Seconds of the import and a first card spent in each group of modules (``-X importtime`` self times)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", FIRST_CARD], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=True)
    totals: dict[str, float] = {name: 0.0 for name, _ in GROUPS}
    totals["standard library and others"] = 0.0
    for found in IMPORT_LINE.finditer(done.stderr):
        module, seconds = found.group(2), int(found.group(1)) / 1e6
        group = next((name for name, pattern in GROUPS if pattern.match(module)), "standard library and others")
        totals[group] += seconds
    return totals


if __name__ == "__main__":
    result = measure()
    print(f"import boto3: {result['boto3_s'] * 1000:.0f} ms  import app: {result['app_s'] * 1000:.0f} ms  "
          f"ratio {result['ratio']:.2f} (target <= 1.3); with a first card's modules "
          f"{result['first_card_s'] * 1000:.0f} ms ({result['first_card_ratio']:.2f}x); every module "
          f"{result['all_s'] * 1000:.0f} ms ({result['all_ratio']:.2f}x)")
