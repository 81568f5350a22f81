"""What a contacts import costs per row (``dataio.importing``): DynamoDB requests, capacity units and our CPU.

A company uploads a CSV of ``runs`` new contacts (a name, a phone, an e-mail each), starts it, and the scheduled
handler (``dataio.jobs.run_pending``) imports it in one run; the figures are that run's, divided by the rows, and how
many of its requests read the tenant item (the plan's check of the contacts limit reads the plan from it).
``python -m bench.importing [runs] [--table]``.

``--bitrix-deals``: a Bitrix24 deals export of ``runs`` deals with their products (4 rows a deal: each product's row
under the deal's ID, grouped into one deal and its note), against the same deals one row each without products; the
figures per deal.
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


def _bitrix_deals(deals: int, products: int) -> str:
    """Bitrix24's deals CSV: a row per product of a deal ("Сумма" its price times quantity), or one a deal."""
    lines = ['"ID";"Название сделки";"Товар";"Цена";"Количество";"Сумма";"Валюта";']
    items = [f'"Анкер M{10 + p}";"{97 + p}";"{100 * (p + 1)}";"{(97 + p) * 100 * (p + 1)}";' for p in range(products)]
    for n in range(deals):
        lines += [f'"{n + 1}";"Сделка {n}";{item}"Российский рубль";'
                  for item in items or ['"";"";"";"48500";']]
    return "\n".join(lines) + "\n"


def _deals_run(api: Any, text: str) -> dict[str, Any]:
    from chalicelib.dataio import jobs

    content = base64.b64encode(text.encode("utf-8-sig")).decode()
    job = api.ok("POST", "/api/v1/imports", {"entity": "deal", "filename": "deal.csv", "content_base64": content})
    api.ok("POST", f"/api/v1/imports/{job['id']}/start", {"version": job["version"]})
    started = time.perf_counter()
    cost = accounting.cost_of(lambda: jobs.run_pending(600.0))
    wall = time.perf_counter() - started
    done = api.ok("GET", f"/api/v1/imports/{job['id']}")
    return {"rows": len(text.splitlines()) - 1, "created": done["progress"]["created"], "status": done["status"],
            "requests": cost["requests"], "read_units": cost["read_units"], "write_units": cost["write_units"],
            "cpu_ms": 1000 * cost["cpu_s"], "wall_ms": 1000 * wall}


def measure_bitrix_deals(deals: int = 50) -> dict[str, Any]:
    """Import ``deals`` Bitrix24 deals exported with 4 products each, then the same deals without products."""
    accounting.install()
    with harness.in_process_app() as app:
        from chalicelib.core import aws
        from chalicelib.core.config import settings

        aws.client("s3").create_bucket(Bucket=settings.export_bucket,
                                       CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, _ = harness.sign_up(app)
        grouped = _deals_run(api, _bitrix_deals(deals, 4))
        plain = _deals_run(api, _bitrix_deals(deals, 0))
        return {"runs": deals, "grouped": grouped, "plain": plain}


def table_bitrix_deals(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines: the grouped file's and the plain file's cost per deal."""
    return [(f"Bitrix24 deals import ({name}: {run['rows']} rows), per deal",
             f"{run['requests'] / result['runs']:.2f} requests",
             f"{run['read_units'] / result['runs']:.2f} RRU, {run['write_units'] / result['runs']:.2f} WRU, "
             f"{run['cpu_ms'] / result['runs']:.1f} ms CPU; {run['created']} created, {run['status']}")
            for name, run in (("4 products a deal", result["grouped"]), ("no products", result["plain"]))]


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [(f"import of {result['runs']} contacts, per row", f"{result['requests_per_row']:.2f} requests",
             f"{result['read_units_per_row']:.2f} RRU, {result['write_units_per_row']:.2f} WRU, "
             f"{result['cpu_ms_per_row']:.1f} ms CPU ({result['wall_ms_per_row']:.1f} ms on moto); "
             f"tenant read {result['tenant_reads']} times; {result['created']} created, {result['status']}")]


if __name__ == "__main__":
    import sys

    if "--bitrix-deals" in sys.argv:
        harness.run(measure_bitrix_deals, table_bitrix_deals, 50)
    else:
        harness.run(measure, table, 200)
