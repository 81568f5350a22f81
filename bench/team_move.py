"""What moving a user to another team costs (``records.teams``): DynamoDB requests, capacity units and our CPU of the
walk that restamps their records, per record moved, and of a second walk that finds nothing left to move.

The user (the owner, who may move themself) owns ``runs`` contacts, deals and tasks; the PATCH that moves them sets
the ``records.team`` timer, and the walk is that timer fired as the due run fires it (one run: it ends well within
its 40 s). Per page of up to 100 of a type: one Query of the user's rows (OWNER rows, the deals' owner index, the
tasks' assignee index; the trash rows filtered by owner; the articles filtered by author) and one GetItem of the
user; per record moved: a GetItem and its usual write transaction (the record, its list rows, its audit record).
``python -m bench.team_move [runs] [--table]``.
"""

from __future__ import annotations

import time
from typing import Any

from bench import accounting, harness


def _walk(signed: dict[str, Any]) -> dict[str, Any]:
    """Fire the user's team-move timer once, as the due run does; its cost."""
    from chalicelib.core import tenancy
    from chalicelib.due import service as due
    from chalicelib.records import teams

    ctx = harness.tenant_context(signed)
    with tenancy.bind(ctx):
        timer = due.get_timer(ctx, kind=teams.KIND, ref=signed["user"]["id"])
    assert timer is not None, "the PATCH set no timer"
    accounting.LEDGER.reset()  # the timer as the run's Query found it: its read is the run's, not the walk's
    started = time.process_time()
    outcome = due.fire(timer, timer.due_at)
    calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
    return {"status": outcome, "requests": len(calls), "read_units": sum(c.read_units for c in calls),
            "write_units": sum(c.write_units for c in calls), "cpu_s": time.process_time() - started,
            "wru_by_kind": accounting.wru_by_kind(calls)}


def _move(api: harness.Api, signed: dict[str, Any], team_id: str) -> None:
    path = f"/api/v1/users/{signed['user']['id']}"
    version = api.ok("GET", path)["version"]
    api.ok("PATCH", path, {"version": version, "team_id": team_id})


def measure(runs: int = 20) -> dict[str, Any]:
    """Move a user owning runs contacts, deals and tasks to another team, then walk again; the costs."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        owner = signed["user"]["id"]
        for n in range(runs):
            api.ok("POST", "/api/v1/contacts", {"first_name": f"Pavel {n}"})
            api.ok("POST", "/api/v1/deals", {"title": f"Forty chairs {n}"})
            api.ok("POST", "/api/v1/tasks", {"title": f"Call back {n}", "assignee_id": owner})
        team = api.ok("POST", "/api/v1/teams", {"name": "South"})
        _move(api, signed, team["id"])
        moved = _walk(signed)
        from chalicelib.core import db, tenancy
        from chalicelib.due import service as due
        from chalicelib.records import teams

        ctx = harness.tenant_context(signed)
        with tenancy.bind(ctx):  # the same move once more (a retried timer): nothing left to write
            due.set_timer(ctx, kind=teams.KIND, ref=owner, due_at=db.utcnow(), payload={"actor_id": owner})
        again = _walk(signed)
        records = runs * 3
        return {"records": records, "walk": moved, "again": again,
                "per_record": {"requests": moved["requests"] / records, "read_units": moved["read_units"] / records,
                               "write_units": moved["write_units"] / records,
                               "cpu_ms": moved["cpu_s"] * 1000 / records}}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    each, records = result["per_record"], result["records"]
    rows = [("team move: per record moved", f"{each['requests']:.2f} req, {each['read_units']:.2f} RRU, "
             f"{each['write_units']:.1f} WRU, {each['cpu_ms']:.1f} ms CPU", f"walk of {records} records")]
    for name, walk in (("walk", result["walk"]), ("walk again (nothing to move)", result["again"])):
        biggest = ", ".join(f"{kind} {units:g}" for kind, units in list(walk["wru_by_kind"].items())[:4])
        rows.append((f"team move: {name}", f"{walk['requests']} req, {walk['read_units']:g} RRU, "
                     f"{walk['write_units']:g} WRU, {walk['cpu_s'] * 1000:.0f} ms CPU",
                     f"{walk['status']}; WRU by item: {biggest or 'none'}"))
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 20)
