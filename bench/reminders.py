"""What an appointment's reminder costs (``task.due_soon``): DynamoDB requests and capacity units of a task's write
about a client with and without such a rule, of the domain-event feed's handling of that write, and of the
reminder itself when its due timer fires (the rule, the task, the client, her conversation, the run and the
WhatsApp message through the Graph API's sandbox), and the sweep that arms the rule for the tasks booked before it
was made (``automations.sweep``: its due timer's firings, up to 5 pages of up to 100 tasks each, per task armed).

The rule changes nothing on the write path: the feed's automations consumer arms the rule's due timer (a read of
the task and one conditional PutItem of the timer with its due-run index entry). CPU is the process time (moto runs
in the same process: an upper bound of ours); requests and units are exact. ``python -m bench.reminders [runs]
[--table]``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import accounting, harness
from bench.messaging import _inbound

BOOKED = 100  # visits booked before the rule, further ahead than the reminders the bench sends: the sweep arms them
RULE = {"name": "Remind the client", "trigger": {"type": "task.due_soon", "minutes_before": 120},
        "actions": [{"type": "send_message", "text": "{first_name}, see you {when}: {task} with {assignee}"}]}


def _write_and_feed(api: harness.Api, feed: harness.DomainFeed, contact_id: str, due_at: datetime
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    task: dict[str, Any] = {}

    def write() -> int:
        status, task["made"] = api.call("POST", "/api/v1/tasks", {
            "title": "Haircut", "kind": "meeting", "due_at": due_at.isoformat(),
            "related": {"type": "contact", "id": contact_id}})
        return status

    return accounting.cost_of(write), accounting.cost_of(feed.deliver)


def _sweep_cost(signed: dict[str, Any], records: int) -> dict[str, Any]:
    """Every firing of the rule's sweep (the handler's own requests, not the due run's hourly Queries), per record."""
    from chalicelib.due import service as due
    from chalicelib.due.models import DueTimer

    ctx = harness.tenant_context(signed)
    total: dict[str, Any] = {"requests": 0, "read_units": 0.0, "write_units": 0.0, "cpu_s": 0.0, "wru_by_kind": {},
                             "operations": ""}
    firings = 0
    while True:
        found = [item for item in DueTimer.query(due.timers_pk(ctx), DueTimer.sk.startswith("automation.sweep#"))
                 if isinstance(item, DueTimer)]
        if not found:
            break
        cost = accounting.cost_of(lambda item=found[0]: due.fire(item, datetime.now(UTC)))
        firings += 1
        for key in ("requests", "read_units", "write_units", "cpu_s"):
            total[key] += cost[key]
        for kind, units in cost["wru_by_kind"].items():
            total["wru_by_kind"][kind] = total["wru_by_kind"].get(kind, 0) + units
    per = {key: total[key] / records for key in ("requests", "read_units", "write_units", "cpu_s")}
    return {**per, "operations": f"{firings} firings", "firings": firings,
            "wru_by_kind": {kind: units / records for kind, units in total["wru_by_kind"].items()}}


def measure(runs: int = 5) -> dict[str, Any]:
    """A task's write and its feed with and without a reminder rule, and the reminders firing; their costs."""
    os.environ["CRM_PROVIDER_TRANSPORT"] = "sandbox"  # the Graph API is answered by its sandbox, never called
    accounting.install()
    with harness.in_process_app() as app:
        from chalicelib.due import service as due

        api, signed = harness.sign_up(app, "Bench Salon")
        feed = harness.DomainFeed(app)
        line = harness.whatsapp_line(api)
        clients = [api.ok("POST", "/api/v1/contacts", {"first_name": f"Client{n}",
                                                       "phones": [{"number": f"+4420794670{n:02d}"}]})
                   for n in range(runs)]
        for client in clients:
            _inbound(app, line, client["phones"][0]["number"], 1)  # each wrote today: WhatsApp's window is open
        feed.deliver()
        due_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
        plain = [_write_and_feed(api, feed, c["id"], due_at) for c in clients]
        for n in range(BOOKED):
            api.ok("POST", "/api/v1/tasks", {"title": "Colour", "kind": "meeting", "due_at": (
                due_at + timedelta(days=8, minutes=n)).isoformat(), "related": {"type": "contact",
                                                                               "id": clients[n % runs]["id"]}})
        feed.deliver()
        made = accounting.cost_of(lambda: api.call("POST", "/api/v1/automations", RULE)[0])
        swept = _sweep_cost(signed, runs + BOOKED)  # the visits booked before the rule: the plain ones and these
        feed.deliver()
        ruled = [_write_and_feed(api, feed, c["id"], due_at + timedelta(minutes=1)) for c in clients]
        remind_at = due_at + timedelta(minutes=1 - 119)
        # The run's bookmark comes up to the hour, and the visits booked before the rule (the sweep armed them, a
        # minute earlier than the others) are reminded: not measured.
        due.run_due(now=remind_at - timedelta(minutes=2))
        fired = accounting.cost_of(lambda: due.run_due(now=remind_at))
        rules = api.ok("GET", "/api/v1/automations")["items"]
        rule = next(r for r in rules if r["name"] == RULE["name"])
        steps = [run["steps"][0]["code"] for run in api.ok("GET", f"/api/v1/automations/{rule['id']}/runs")["items"]]
        assert steps == ["message_sent"] * (2 * runs), steps
        plain_rule = accounting.cost_of(lambda: api.call("POST", "/api/v1/automations", {
            **RULE, "name": "Switched off", "enabled": False})[0])
        fired["cpu_s"] /= max(1, runs)
        per_reminder = {**fired, "requests": fired["requests"] / runs, "read_units": fired["read_units"] / runs,
                        "write_units": fired["write_units"] / runs,
                        "wru_by_kind": {k: v / runs for k, v in fired["wru_by_kind"].items()}}
        return {"scenarios": [
            harness.summary("task write about a client, no rule", [w for w, _ in plain], kinds=20),
            harness.summary("  its feed, no rule", [f for _, f in plain], kinds=20),
            harness.summary("task write about a client, a due_soon rule", [w for w, _ in ruled], kinds=20),
            harness.summary("  its feed, a due_soon rule", [f for _, f in ruled], kinds=20),
            harness.summary(f"a reminder sent (per reminder of {runs} due in one run)", [per_reminder], kinds=20),
            harness.summary("a waiting rule made switched off (no sweep)", [plain_rule], kinds=20),
            harness.summary("a waiting rule made switched on (its sweep's timer in its transaction)", [made], kinds=20),
            harness.summary(f"the rule's sweep, per task booked before it ({runs + BOOKED} tasks, "
                            f"{swept['firings']} firings)", [swept], kinds=20)], "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [harness.scenario_row("reminder", scenario) for scenario in result["scenarios"]]


if __name__ == "__main__":
    harness.run(measure, table, 5)
