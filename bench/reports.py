"""What a report costs on a large tenant (#19): requests and read units of each report for a month and a year.

Reports read counters kept per day and dimension (``chalicelib/reports``), never the deals: a report is one
Query (paged by DynamoDB's 1 MB) of its partition for the period, so its cost grows with days x dimensions and
not with the number of deals. This seeds a busy tenant's year of counters straight into the in-process moto
(every day, every owner, every source: the densest a year can be) and counts each report's requests and read
units as bench.per_call does (bench.accounting). No latency is taken.

``python -m bench.reports [owners] [sources]``.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Any

from bench import accounting, harness

DAYS = 365
DEALS_PER_COUNTER = 3  # what each seeded item stands for: a tenant of this size made about this many deals


def seed(ctx: Any, *, owners: int, sources: int, until: date, pipeline: dict[str, Any] | None = None) -> int:
    """A year of sources and managers counters for owners x sources, and of the funnel for owners x the pipeline's
    stages (with a lost reason a day each); the items written."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.core.config import settings
    from chalicelib.core.tenancy import new_id
    from chalicelib.reports.counters import report_pk
    from chalicelib.reports.models import ReportCounter

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region]
    owner_ids = [new_id() for _ in range(owners)]
    items = 0
    for offset in range(DAYS):
        day = (until - timedelta(days=offset)).isoformat()
        for owner in owner_ids:
            for number in range(sources):
                source = f"source-{number}"
                item = ReportCounter(report_pk(ctx, "sources"), f"{day}#{source}#{owner}#-#USD", day=day, source=source,
                                     owner_id=owner, currency="USD", leads=5, deals=DEALS_PER_COUNTER, won=1,
                                     revenue=100_000)
                backend.put_item(settings.table_name, item.serialize(), overwrite=True)
                items += 1
            item = ReportCounter(report_pk(ctx, "managers"), f"{day}#{owner}#-#USD", day=day, owner_id=owner,
                                 currency="USD", deals=DEALS_PER_COUNTER * sources, won=sources,
                                 revenue=sources * 100_000, tasks_done=4, calls=6)
            backend.put_item(settings.table_name, item.serialize(), overwrite=True)
            items += 1
            items += _seed_funnel(ctx, backend, pipeline, day, owner) if pipeline else 0
    return items


def _seed_funnel(ctx: Any, backend: Any, pipeline: dict[str, Any], day: str, owner: str) -> int:
    from chalicelib.core.config import settings
    from chalicelib.reports.counters import report_pk
    from chalicelib.reports.models import ReportCounter

    for stage in pipeline["stages"]:
        item = ReportCounter(report_pk(ctx, "funnel"), f"{day}#{pipeline['id']}#{stage['id']}#{owner}#USD", day=day,
                             pipeline_id=pipeline["id"], stage_id=stage["id"], owner_id=owner, currency="USD",
                             entered=DEALS_PER_COUNTER, value=300_000, left=2, stage_seconds=2 * 86_400)
        backend.put_item(settings.table_name, item.serialize(), overwrite=True)
    reason = ReportCounter(report_pk(ctx, "lost_reasons"), f"{day}#{pipeline['id']}#Price#{owner}", day=day,
                           pipeline_id=pipeline["id"], reason="Price", owner_id=owner, lost_count=1)
    backend.put_item(settings.table_name, reason.serialize(), overwrite=True)
    return len(pipeline["stages"]) + 1


def measure(owners: int = 10, sources: int = 8) -> dict[str, Any]:
    """Seed a year of counters, then each report's requests and read units for a month and a year."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app, company="Bench Reports Ltd")
        ctx = harness.tenant_context(signed)
        from chalicelib.core import db

        today = db.utcnow().date()
        pipeline = api.ok("GET", "/api/v1/pipelines")["items"][0]
        accounting.LEDGER.paused = True  # seeded straight into moto: nothing to count
        try:
            items = seed(ctx, owners=owners, sources=sources, until=today, pipeline=pipeline)
        finally:
            accounting.LEDGER.paused = False
        found = {}
        for days in (30, DAYS):
            start = (today - timedelta(days=days - 1)).isoformat()
            for report in ("sources", "managers", "funnel"):
                accounting.LEDGER.reset()
                answer = api.ok("GET", f"/api/v1/reports/{report}?from={start}&to={today.isoformat()}")
                own = [call for call in accounting.LEDGER.snapshot() if not call.auth and call.operation == "Query"]
                found[f"{report}, {days} days"] = {"requests": len(own), "read_units": sum(c.read_units for c in own),
                                                   "items": sum(c.items for c in own),
                                                   "rows": len(answer.get("items", answer.get("stages", [])))}
    return {"owners": owners, "sources": sources, "items": items,
            "deals_represented": DAYS * owners * sources * DEALS_PER_COUNTER, "reports": found}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    lines = [(f"reports: a year of counters ({result['owners']} owners x {result['sources']} sources)",
              f"{result['items']:,} items", f"standing for {result['deals_represented']:,} deals")]
    for name, found in result["reports"].items():
        lines.append((f"reports: {name}", f"{found['requests']} req, {found['read_units']:g} RRU",
                      f"{found['items']:,} counters read; grows with days x dimensions, not deals"))
    return lines


if __name__ == "__main__":
    harness.emit(measure(*(int(value) for value in sys.argv[1:3])))
