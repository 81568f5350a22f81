"""What a contacts import costs per row (``dataio.importing``): DynamoDB requests, capacity units and our CPU.

A company uploads a CSV of ``runs`` new contacts (a name, a phone, an e-mail each), starts it, and the scheduled
handler (``dataio.jobs.run_pending``) imports it in one run; the figures are that run's, divided by the rows, and how
many of its requests read the tenant item (the plan's check of the contacts limit reads the plan from it).
``python -m bench.importing [runs] [--table]``.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from bench import accounting, harness


def _csv(runs: int) -> str:
    rows = "".join(f"Client{n},Bench,+44 20 7946 {n:04d},client{n}@bench.example\n" for n in range(runs))
    return "First name,Last name,Phone,Email\n" + rows


def _tenant_reads() -> Any:
    """Count the GetItems of tenant items (``T#<tid>#TENANT`` / ``TENANT``) the import's run makes."""
    import botocore.handlers

    seen = {"reads": 0}

    def counted(params: dict[str, Any], **_: Any) -> None:
        key = params.get("Key") or {}
        if str(key.get("pk", {}).get("S", "")).endswith("#TENANT") and key.get("sk", {}).get("S") == "TENANT":
            seen["reads"] += 1

    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build.dynamodb.GetItem", counted))
    return seen


def measure(runs: int = 200) -> dict[str, Any]:
    """Import ``runs`` contacts in one run of the job handler; the run's cost per row."""
    accounting.install()
    tenant_reads = _tenant_reads()
    with harness.in_process_app() as app:
        from chalicelib.core import aws
        from chalicelib.core.config import settings
        from chalicelib.dataio import jobs

        aws.client("s3").create_bucket(Bucket=settings.export_bucket,
                                       CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, _ = harness.sign_up(app)
        content = base64.b64encode(_csv(runs).encode()).decode()
        job = api.ok("POST", "/api/v1/imports", {"entity": "contact", "filename": "clients.csv",
                                                 "content_base64": content})
        api.ok("POST", f"/api/v1/imports/{job['id']}/start", {"version": job["version"]})
        tenant_reads["reads"] = 0
        started = time.perf_counter()
        cost = accounting.cost_of(lambda: jobs.run_pending(600.0))
        wall = time.perf_counter() - started  # against the in-process stand-in: a trend, not AWS's figure
        done = api.ok("GET", f"/api/v1/imports/{job['id']}")
        return {"runs": runs, "status": done["status"], "created": done["progress"]["created"],
                "outcomes": cost["status"], "requests_per_row": cost["requests"] / runs,
                "read_units_per_row": cost["read_units"] / runs, "write_units_per_row": cost["write_units"] / runs,
                "cpu_ms_per_row": 1000 * cost["cpu_s"] / runs, "wall_ms_per_row": 1000 * wall / runs,
                "tenant_reads": tenant_reads["reads"]}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [(f"import of {result['runs']} contacts, per row", f"{result['requests_per_row']:.2f} requests",
             f"{result['read_units_per_row']:.2f} RRU, {result['write_units_per_row']:.2f} WRU, "
             f"{result['cpu_ms_per_row']:.1f} ms CPU ({result['wall_ms_per_row']:.1f} ms on moto); "
             f"tenant read {result['tenant_reads']} times; {result['created']} created, {result['status']}")]


if __name__ == "__main__":
    harness.run(measure, table, 200)
