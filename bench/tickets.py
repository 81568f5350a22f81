"""What a ticket costs (#24): DynamoDB requests, capacity units and our CPU per ticket create, per answer, per
status change, per SLA tick (a breach fired by the due run) and per read of the queue, a card, the report.

A create is one transaction: the ticket with its list rows (ALL, OWNER, TEAM, CF#state|status|priority|channel, the
subject's search rows), its audit record and timeline entry, its two SLA timers and the day's counters, after the
settings' read. An SLA tick is the due run's work for one timer: the ticket read, the notification (made where
absent, with its e-mail timer), the automations read, and the breach written with its counters in one transaction.
CPU is the process time over ``runs`` calls (moto runs in-process: an upper bound of ours; requests and units are
exact). ``python -m bench.tickets [runs] [--table]``.
"""

from __future__ import annotations

import time
from typing import Any

from bench import accounting, harness


def _cost(run: Any) -> dict[str, Any]:
    return accounting.cost_of(run)


def _tick(signed: dict[str, Any], ticket_id: str) -> str:
    from chalicelib.core import tenancy
    from chalicelib.due import service as due

    ctx = harness.tenant_context(signed)
    with tenancy.bind(ctx):
        timer = due.get_timer(ctx, kind="ticket.first_response", ref=ticket_id)
    accounting.LEDGER.reset()  # the timer as the run's Query found it: its read is the run's, not the tick's
    return due.fire(timer, timer.due_at) if timer is not None else "none"


def _named_queue(api: Any, page: int = 50) -> dict[str, Any]:
    """The web app's page of the queue (50) when each ticket is a different customer's: the Query of the rows and
    the BatchGetItem that names the page's contacts (a contact of two names, a phone and an e-mail)."""
    for n in range(page):
        contact = api.ok("POST", "/api/v1/contacts", {"first_name": f"Customer{n}", "last_name": "Benchmark",
                                                      "phones": [{"number": f"+4420794670{n:02d}"}],
                                                      "emails": [{"address": f"customer{n}@bench.example"}]})
        api.ok("POST", "/api/v1/tickets", {"subject": f"Named {n}", "contact_id": contact["id"]})
    cost = _cost(lambda: api.call("GET", f"/api/v1/tickets?limit={page}")[0])
    calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
    return {"read": f"queue, {page} customers named", "status": cost["status"], "requests": cost["requests"],
            "read_units": cost["read_units"],
            "by_request": ", ".join(f"{c.operation} {c.read_units:g} RRU" for c in calls)}


def _chat_queue(app: Any, page: int = 50) -> dict[str, Any]:
    """The queue's page (50) of tickets made of WhatsApp chats whose customers are no contacts (a line that ignores
    unknown senders): each row named by its conversation, read in the one BatchGetItem."""
    from bench.harness import APP_SECRET
    from webhooks.messengers import Chat, whatsapp_message, whatsapp_post

    api, _ = harness.sign_up(app, company="Bench Chats Ltd")
    line = harness.whatsapp_line(api, unknown_sender="ignore")
    for n in range(page):
        chat = Chat(customer=f"+4420794680{n:02d}", name=f"Chatter{n} Benchmark")
        harness.post_request(app, whatsapp_post(line["webhook_url"], APP_SECRET,
                                                whatsapp_message(chat, 1, "text", {"body": "Hi"})))
    for conversation in api.ok("GET", f"/api/v1/conversations?limit={page}")["items"]:
        [message] = api.ok("GET", f"/api/v1/conversations/{conversation['id']}/messages")["items"]
        api.ok("POST", "/api/v1/tickets/from-message", {"conversation_id": conversation["id"],
                                                        "message_id": message["id"]})
    cost = _cost(lambda: api.call("GET", f"/api/v1/tickets?limit={page}")[0])
    calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
    named = sum(1 for row in api.ok("GET", f"/api/v1/tickets?limit={page}")["items"] if row.get("contact_name"))
    return {"read": f"queue, {page} chats' customers (no contacts) named: {named}", "status": cost["status"],
            "requests": cost["requests"], "read_units": cost["read_units"],
            "by_request": ", ".join(f"{c.operation} {c.read_units:g} RRU" for c in calls)}


def measure(runs: int = 10) -> dict[str, Any]:
    """Make, answer, move and breach tickets runs times, and read the screens; the costs."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        created = [_cost(lambda n=n: api.call("POST", "/api/v1/tickets", {
            "subject": f"Parcel {n} arrived broken", "description": "The box was wet.", "priority": "high"})[0])
            for n in range(runs)]
        tickets = api.ok("GET", f"/api/v1/tickets?limit={runs * 3}")["items"]
        answered = [_cost(lambda t=t: api.call("POST", f"/api/v1/tickets/{t['id']}/replies",
                                               {"text": "We are on it."})[0]) for t in tickets[:runs // 2 or 1]]
        fresh = [api.ok("POST", "/api/v1/tickets", {"subject": f"Late {n}"}) for n in range(runs)]
        ticks = []
        for ticket in fresh:
            started = time.process_time()
            outcome = _tick(signed, ticket["id"])
            calls = [c for c in accounting.LEDGER.snapshot() if not c.auth]
            ticks.append({"status": outcome, "requests": len(calls), "read_units": sum(c.read_units for c in calls),
                          "write_units": sum(c.write_units for c in calls),
                          "operations": ", ".join(c.operation for c in calls), "cpu_s": time.process_time() - started,
                          "wru_by_kind": accounting.wru_by_kind(calls)})
        current = {t["id"]: t for t in api.ok("GET", "/api/v1/tickets?view=all&limit=200")["items"]}
        moved = [_cost(lambda t=t: api.call("POST", f"/api/v1/tickets/{t['id']}/status",
                                            {"version": current[t["id"]]["version"], "status": "resolved"})[0])
                 for t in fresh]
        waiting = [api.ok("POST", "/api/v1/tickets", {"subject": f"Waiting {n}"}) for n in range(runs)]
        paused, resumed = [], []
        for ticket in waiting:  # pending pauses the resolution clock; open gives back the business time left
            answer: dict[str, Any] = {}

            def pause(t: dict[str, Any] = ticket, out: dict[str, Any] = answer) -> int:
                status, out["ticket"] = api.call("POST", f"/api/v1/tickets/{t['id']}/status",
                                                 {"version": t["version"], "status": "pending"})
                return status

            paused.append(_cost(pause))
            resumed.append(_cost(lambda t=answer: api.call("POST", f"/api/v1/tickets/{t['ticket']['id']}/status", {
                "version": t["ticket"]["version"], "status": "open"})[0]))
        reads = []
        for name, path in (("queue", "/api/v1/tickets"), ("queue, urgent", "/api/v1/tickets?priority=urgent"),
                           ("search", "/api/v1/tickets?q=parcel"), ("card", f"/api/v1/tickets/{fresh[0]['id']}"),
                           ("report", "/api/v1/reports/tickets")):
            cost = _cost(lambda p=path: api.call("GET", p)[0])
            reads.append({"read": name, "status": cost["status"], "requests": cost["requests"],
                          "read_units": cost["read_units"]})
        reads.append(_named_queue(api))
        reads.append(_chat_queue(app))
        return {"scenarios": [harness.summary("ticket create", created, 201),
                              harness.summary("first answer (comment)", answered, 200),
                              harness.summary("SLA tick (breach fired)", ticks, "fired"),
                              harness.summary("status change (resolved)", moved, 200),
                              harness.summary("pending (clock paused)", paused, 200),
                              harness.summary("open again (clock resumed)", resumed, 200)],
                "reads": reads, "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [*(harness.scenario_row("tickets", scenario) for scenario in result["scenarios"]),
            *harness.read_rows("tickets", result["reads"])]


if __name__ == "__main__":
    harness.run(measure, table, 10)
