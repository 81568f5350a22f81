"""What a call costs: DynamoDB requests, capacity units and our CPU per provider event, and per calls screen.

Each provider event is a hook request that verifies, stores and (no queue in-process) processes it: the
fold of the call with its rows, audit record, timeline entries, counters and task. The bench plays
answered calls from a known contact (the common case) and from new numbers (a contact and a lead deal
are made), a missed call (a call-back task), and reads the calls list, a call and the counters.
CPU is the process time of the interpreter over ``runs`` calls of each scenario (moto runs in the same
process, so it is an upper bound of ours; the requests and units are exact).
``python -m bench.telephony [runs]``.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from bench import accounting, harness

BY_KIND = int(os.environ.get("BENCH_BY_KIND", "6"))  # kinds of item kept per event in the report


def _play(app: Any, line: dict[str, Any], scenario: str, customer: str) -> list[dict[str, Any]]:
    """Post one call's events; what each cost."""
    from webhooks.providers import Call
    from webhooks.providers import pbx as simulator

    costs = []
    for request in simulator.requests(scenario, line["webhook_url"], key=None, secret=line["secret"],
                                      call=Call(customer=customer)):
        accounting.LEDGER.reset()
        started = time.process_time()
        status = harness.post_request(app, request)
        cpu = time.process_time() - started
        calls = accounting.LEDGER.snapshot()
        event = request.body.decode()
        costs.append({"event": event.split('"event": "')[1].split('"')[0], "status": status, "requests": len(calls),
                      "read_units": sum(c.read_units for c in calls), "write_units": sum(c.write_units for c in calls),
                      "operations": ", ".join(c.operation for c in calls), "cpu_s": cpu,
                      "wru_by_kind": accounting.wru_by_kind(calls)})
    return costs


def _summary(name: str, runs: list[list[dict[str, Any]]]) -> dict[str, Any]:
    per_event = {}
    for position, first in enumerate(runs[0]):
        same = [run[position] for run in runs]
        per_event[first["event"]] = {
            "requests": first["requests"], "read_units": first["read_units"], "write_units": first["write_units"],
            "operations": first["operations"], "cpu_ms": statistics.median(e["cpu_s"] for e in same) * 1000,
            "wru_by_kind": {kind: round(units, 1) for kind, units in list(first["wru_by_kind"].items())[:BY_KIND]},
            "ok": all(e["status"] == 200 for e in same)}
    total = {key: sum(event[key] for event in per_event.values())
             for key in ("requests", "read_units", "write_units", "cpu_ms")}
    return {"scenario": name, "events": per_event, "total": total}


def _read(api: harness.Api, name: str, path: str) -> dict[str, Any]:
    accounting.LEDGER.reset()
    status, _ = api.call("GET", path)
    calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
    return {"read": name, "status": status, "requests": len(calls), "read_units": sum(c.read_units for c in calls)}


def measure(runs: int = 10) -> dict[str, Any]:
    """Play every scenario runs times and read the screens; the costs."""
    accounting.install()
    with harness.in_process_app() as app:
        import boto3

        from chalicelib.core.config import settings

        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.recordings_bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, signed = harness.sign_up(app)
        owner = signed["user"]["id"] if "user" in signed else api.ok("GET", "/api/v1/users")["items"][0]["id"]
        line = api.ok("POST", "/api/v1/integrations", {"type": "pbx", "name": "Bench PBX",
                                                       "settings": {"extensions": {"101": owner}}})
        known = [api.ok("POST", "/api/v1/contacts", {"first_name": f"Caller{n}",
                                                     "phones": [{"number": f"+4420794620{n:02d}"}]})
                 for n in range(runs)]
        scenarios = {
            "answered, known contact": [_play(app, line, "answered", c["phones"][0]["number"]) for c in known],
            "answered, new number": [_play(app, line, "answered", f"+4420794630{n:02d}") for n in range(runs)],
            "missed, new number": [_play(app, line, "missed", f"+4420794640{n:02d}") for n in range(runs)],
        }
        newest = api.ok("GET", "/api/v1/calls")["items"][0]["id"]
        reads = [_read(api, "calls list", "/api/v1/calls"), _read(api, "missed calls", "/api/v1/calls?status=missed"),
                 _read(api, "a call", f"/api/v1/calls/{newest}"), _read(api, "call counters", "/api/v1/calls/stats")]
        return {"scenarios": [_summary(name, found) for name, found in scenarios.items()], "reads": reads,
                "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    rows = []
    for scenario in result["scenarios"]:
        total = scenario["total"]
        rows.append((f"call: {scenario['scenario']}",
                     f"{total['requests']} req, {total['read_units']:g} RRU, {total['write_units']:g} WRU, "
                     f"{total['cpu_ms']:.0f} ms CPU", f"{len(scenario['events'])} provider events"))
        for event, cost in scenario["events"].items():
            biggest = ", ".join(f"{kind} {units:g}" for kind, units in list(cost["wru_by_kind"].items())[:4])
            rows.append((f"  event {event}", f"{cost['requests']} req, {cost['read_units']:g} RRU, "
                         f"{cost['write_units']:g} WRU, {cost['cpu_ms']:.1f} ms CPU",
                         ("ok" if cost["ok"] else "FAILED") + f"; WRU by item: {biggest}"))
    rows += harness.read_rows("calls", result["reads"])
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 10)
