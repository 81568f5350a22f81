"""Cold start: importing app.py in a fresh interpreter against a bare ``import boto3``, as a ratio.

Each import runs in its own fresh interpreter, alternating, several times; the medians are
compared, so the ratio holds whatever else the machine is doing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "CRM_STAGE": "bench", "AWS_DEFAULT_REGION": "eu-west-1", "PYTHONDONTWRITEBYTECODE": "0"}


def _time_import(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=ENV, check=True)
    return time.perf_counter() - started


def measure(runs: int = 7) -> dict[str, float]:
    """Median seconds of a fresh interpreter importing boto3, and importing the app."""
    _time_import("import app")  # warm the bytecode cache, as a deployed bundle would have
    boto, crm = [], []
    for _ in range(runs):
        boto.append(_time_import("import boto3"))
        crm.append(_time_import("import app"))
    base, ours = statistics.median(boto), statistics.median(crm)
    return {"boto3_s": base, "app_s": ours, "ratio": ours / base}


if __name__ == "__main__":
    result = measure()
    print(f"import boto3: {result['boto3_s'] * 1000:.0f} ms  import app: {result['app_s'] * 1000:.0f} ms  "
          f"ratio {result['ratio']:.2f} (target <= 1.3)")
