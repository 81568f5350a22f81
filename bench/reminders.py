"""What an appointment's reminder costs (``task.due_soon``): DynamoDB requests and capacity units of a task's write
about a client with and without such a rule, of the domain-event feed's handling of that write, and of the
reminder itself when its due timer fires (the rule, the task, the client, her conversation, the run and the
WhatsApp message through the Graph API's sandbox).

The rule changes nothing on the write path: the feed's automations consumer arms the rule's due timer (a read of
the task and one conditional PutItem of the timer with its due-run index entry). CPU is the process time (moto runs
in the same process: an upper bound of ours); requests and units are exact. ``python -m bench.reminders [runs]
[--table]``.
"""

from __future__ import annotations

import os
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import accounting, harness
from bench.messaging import APP_SECRET, _inbound

RULE = {"name": "Remind the client", "trigger": {"type": "task.due_soon", "minutes_before": 120},
        "actions": [{"type": "send_message", "text": "{first_name}, see you {when}: {task} with {assignee}"}]}


def _summary(name: str, costs: list[dict[str, Any]]) -> dict[str, Any]:
    first = costs[0]
    return {"scenario": name, "requests": first["requests"], "read_units": first["read_units"],
            "write_units": first["write_units"], "operations": first["operations"],
            "cpu_ms": statistics.median(c["cpu_s"] for c in costs) * 1000,
            "wru_by_kind": {kind: round(units, 1) for kind, units in list(first["wru_by_kind"].items())[:20]}}


def _write_and_feed(api: harness.Api, feed: harness.DomainFeed, contact_id: str, due_at: datetime
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    task: dict[str, Any] = {}

    def write() -> int:
        status, task["made"] = api.call("POST", "/api/v1/tasks", {
            "title": "Haircut", "kind": "meeting", "due_at": due_at.isoformat(),
            "related": {"type": "contact", "id": contact_id}})
        return status

    return accounting.cost_of(write), accounting.cost_of(feed.deliver)


def measure(runs: int = 5) -> dict[str, Any]:
    """A task's write and its feed with and without a reminder rule, and the reminders firing; their costs."""
    os.environ["CRM_PROVIDER_TRANSPORT"] = "sandbox"  # the Graph API is answered by its sandbox, never called
    accounting.install()
    with harness.in_process_app() as app:
        from chalicelib.due import service as due

        api, _ = harness.sign_up(app, "Bench Salon")
        feed = harness.DomainFeed(app)
        line = api.ok("POST", "/api/v1/integrations", {"type": "whatsapp", "name": "Bench WhatsApp", "settings": {
            "phone_number_id": "106540352242922", "waba_id": "102290129340398",
            "access_token": "EAAG-bench-token-0001", "app_secret": APP_SECRET}})
        clients = [api.ok("POST", "/api/v1/contacts", {"first_name": f"Client{n}",
                                                       "phones": [{"number": f"+4420794670{n:02d}"}]})
                   for n in range(runs)]
        for client in clients:
            _inbound(app, line, client["phones"][0]["number"], 1)  # each wrote today: WhatsApp's window is open
        feed.deliver()
        due_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
        plain = [_write_and_feed(api, feed, c["id"], due_at) for c in clients]
        api.ok("POST", "/api/v1/automations", RULE)
        feed.deliver()
        ruled = [_write_and_feed(api, feed, c["id"], due_at + timedelta(minutes=1)) for c in clients]
        remind_at = due_at + timedelta(minutes=1 - 119)
        due.run_due(now=remind_at - timedelta(minutes=2))  # the run's bookmark comes up to the hour: not measured
        fired = accounting.cost_of(lambda: due.run_due(now=remind_at))
        rules = api.ok("GET", "/api/v1/automations")["items"]
        rule = next(r for r in rules if r["name"] == RULE["name"])
        steps = [run["steps"][0]["code"] for run in api.ok("GET", f"/api/v1/automations/{rule['id']}/runs")["items"]]
        assert steps == ["message_sent"] * runs, steps
        fired["cpu_s"] /= max(1, runs)
        per_reminder = {**fired, "requests": fired["requests"] / runs, "read_units": fired["read_units"] / runs,
                        "write_units": fired["write_units"] / runs,
                        "wru_by_kind": {k: v / runs for k, v in fired["wru_by_kind"].items()}}
        return {"scenarios": [
            _summary("task write about a client, no rule", [w for w, _ in plain]),
            _summary("  its feed, no rule", [f for _, f in plain]),
            _summary("task write about a client, a due_soon rule", [w for w, _ in ruled]),
            _summary("  its feed, a due_soon rule", [f for _, f in ruled]),
            _summary(f"a reminder sent (per reminder of {runs} due in one run)", [per_reminder])], "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    rows = []
    for scenario in result["scenarios"]:
        biggest = ", ".join(f"{kind} {units:g}" for kind, units in list(scenario["wru_by_kind"].items())[:5])
        rows.append((f"reminder: {scenario['scenario']}",
                     f"{scenario['requests']:g} req, {scenario['read_units']:g} RRU, {scenario['write_units']:g} WRU, "
                     f"{scenario['cpu_ms']:.0f} ms CPU", f"WRU by item: {biggest}"))
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 5)
