"""Webhook ingest: form events per second through ``POST /hooks/forms/{key}``, 10% sent twice.

Written against the integrations contract: an admin creates a form integration (its
``webhook_url`` ends in the key), the public hook answers ``{ok, event_id, duplicate?}``. Every
unique submission carries its own e-mail address and phone; afterwards every event must have
exactly one contact (none lost) and every repeat must have been recognised (none doubled).
``python -m bench.ingest [events]``; skipped while ``chalicelib/forms`` is not in the tree.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from bench import accounting, harness

TARGET = 100.0
DUPLICATE_SHARE = 0.10
FORMS = Path(__file__).resolve().parent.parent / "chalicelib" / "forms"


def _submissions(events: int) -> list[dict[str, str]]:
    unique = [{"name": f"Lead {number}", "email": f"lead.{number}@example.com", "phone": f"+44207{number:07d}",
               "message": "Bench submission"} for number in range(round(events * (1 - DUPLICATE_SHARE)))]
    repeats = random.Random(8).choices(unique, k=events - len(unique))
    mixed = unique + [dict(submission) for submission in repeats]
    random.Random(9).shuffle(mixed)
    return mixed


def _count_contacts(api: harness.Api) -> int:
    total, path = 0, "/api/v1/contacts?sort=created&limit=200"
    while True:
        page = api.ok("GET", path)
        total += len(page["items"])
        if not page.get("next_cursor"):
            return total
        path = f"/api/v1/contacts?sort=created&limit=200&cursor={page['next_cursor']}"


def measure(events: int = 300) -> dict[str, Any]:
    """Send events (10% repeated) through the public hook; throughput and the lost/doubled counts."""
    if not FORMS.is_dir():
        return {"skipped": "/hooks/forms not in tree"}
    accounting.install()
    with harness.in_process_app() as app:
        api, _ = harness.sign_up(app)
        integration = api.ok("POST", "/api/v1/integrations", {"type": "form", "name": "Bench form", "settings": {
            "rate_limit_per_minute": 1000}})  # the maximum; otherwise the defaults (a task per lead)
        hook = harness.Api(app)
        path = "/hooks/forms/" + integration["webhook_url"].rstrip("/").rsplit("/", 1)[1]
        submissions = _submissions(events)
        answers, started = [], time.perf_counter()
        accounting.LEDGER.reset()
        for submission in submissions:
            answers.append(hook.call("POST", path, submission))
        seconds = time.perf_counter() - started
        calls = accounting.LEDGER.snapshot()
        contacts = _count_contacts(api)
    unique = len({submission["email"] for submission in submissions})
    failed = sum(1 for status, _ in answers if status >= 300)
    flagged = sum(1 for status, found in answers if status < 300 and found.get("duplicate"))
    return {"events": events, "unique": unique, "seconds": seconds, "per_second": events / seconds,
            "failed": failed, "contacts": contacts, "lost": max(unique - contacts, 0),
            "doubled": max(contacts - unique, 0), "duplicates_flagged": flagged,
            "dynamodb_requests_per_event": len(calls) / events,
            "wru_per_event": sum(call.write_units for call in calls) / events,
            "rru_per_event": sum(call.read_units for call in calls) / events}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    if "skipped" in result:
        return [("webhook ingest", "skipped", result["skipped"])]
    clean = not (result["failed"] or result["lost"] or result["doubled"])
    status = "ok" if result["per_second"] >= TARGET and clean else "MISSED"
    return [("webhook ingest: DynamoDB per event", f"{result['dynamodb_requests_per_event']:.1f} req",
             f"{result['wru_per_event']:.1f} WRU"),
            ("webhook ingest (events/s, 10% repeats)", f"{result['per_second']:.1f}/s",
             f"target >= {TARGET:.0f}/s, none lost or doubled: {status} (lost {result['lost']}, doubled "
             f"{result['doubled']}, failed {result['failed']}, repeats flagged {result['duplicates_flagged']})")]


if __name__ == "__main__":
    harness.emit(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
