"""What a bulk action costs (``records.bulk``): DynamoDB requests, capacity units and our CPU of tagging, assigning
and trashing ``runs`` records at once, per record, for contacts, companies and deals.

Each record is read and written on its own (a GetItem of the record, then its usual write transaction: the record,
its list rows, its audit record; a deal's board totals and links too), so the cost per record is that of a change
made on its card, without the card's read. ``python -m bench.bulk [runs] [--table]`` (runs at most 100, the
request's limit).
"""

from __future__ import annotations

import time
from typing import Any

from bench import accounting, harness

TYPES = {"contacts": {"first_name": "Pavel"}, "companies": {"name": "Acme Roses"}, "deals": {"title": "Forty chairs"}}


def _bulk(api: harness.Api, plural: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One bulk request, its cost apart from authentication."""
    accounting.LEDGER.reset()
    started = time.process_time()
    answer = api.ok("POST", f"/api/v1/{plural}/bulk", payload)
    cpu = time.process_time() - started
    calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
    done = sum(1 for item in answer["items"] if item["ok"])
    assert done == len(payload["ids"]), answer
    return {"requests": len(calls), "read_units": sum(c.read_units for c in calls),
            "write_units": sum(c.write_units for c in calls), "cpu_s": cpu,
            "wru_by_kind": accounting.wru_by_kind(calls)}


def measure(runs: int = 50) -> dict[str, Any]:
    """Tag, assign and trash runs records of each type in one request each; the costs per record."""
    runs = min(runs, 100)
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        owner = signed["user"]["id"]
        result: dict[str, Any] = {"records": runs}
        for plural, body in TYPES.items():
            ids = [api.ok("POST", f"/api/v1/{plural}", {k: f"{v} {n}" for k, v in body.items()})["id"]
                   for n in range(runs)]
            result[plural] = {
                "tag": _bulk(api, plural, {"ids": ids, "action": "tag", "tags": ["wholesale"]}),
                "assign": _bulk(api, plural, {"ids": ids, "action": "assign", "owner_id": owner}),
                "delete": _bulk(api, plural, {"ids": ids, "action": "delete"}),
            }
        return result


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table: per record."""
    rows = []
    records = result["records"]
    for plural in TYPES:
        for action, cost in result[plural].items():
            biggest = ", ".join(f"{kind} {units:g}" for kind, units in list(cost["wru_by_kind"].items())[:3])
            rows.append((f"bulk {action} of {plural}: per record",
                         f"{cost['requests'] / records:.2f} req, {cost['read_units'] / records:.2f} RRU, "
                         f"{cost['write_units'] / records:.1f} WRU, {cost['cpu_s'] * 1000 / records:.1f} ms CPU",
                         f"{records} records; WRU by item: {biggest or 'none'}"))
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 50)
