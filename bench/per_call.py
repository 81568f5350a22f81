"""DynamoDB requests and capacity units per API call of each main endpoint (``python -m bench.per_call``).

The app runs in-process on in-process moto; every endpoint is called on a small, realistic tenant
and the DynamoDB calls it makes are counted through botocore events (bench.accounting). The
per-request principal lookup (one BatchGetItem) is counted apart. Prints JSON on stdout.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any

from bench import accounting, harness

# Endpoints whose answer is one card or one list page must cost one request; single-record writes one
# transaction (and, for a create, the duplicate lookup reads that precede it are reported as extra).
SINGLE_READ, SINGLE_WRITE = "one request", "one transaction"
# A deal search reads its search rows, then the deals they name: rows rewritten on every board move would
# cost more in writes than the second read costs.
ROWS_THEN_RECORDS = "two requests"
# A page or card that names the records it links (a task its contact or deal, a deal its contacts and company, #20)
# reads them in one BatchGetItem after its Query: names kept on the links would go stale at every rename.
PAGE_THEN_NAMES = "a Query, then one BatchGetItem of names"
# A board narrowed to a tag reads its pipeline (the columns), then the board's Query with the tag as a filter.
PIPELINE_THEN_BOARD = "the pipeline's GetItem, then one Query"
# A week of tasks reads the open tasks' range and the done ones' (one index, two ranges), then the names of their
# records; a calendar feed first reads its holder and company in one BatchGetItem (it has no signed-in principal).
WEEK = "two Queries (open, done), then one BatchGetItem of names"
FEED = "one BatchGetItem (company, holder), two Queries, one BatchGetItem of names"


@dataclass
class Row:
    """What one API call cost."""

    endpoint: str
    status: int
    requests: int
    operations: str
    read_units: float
    write_units: float
    auth_requests: int
    auth_read_units: float
    target: str
    met: bool


def _seed(api: harness.Api, signed: dict[str, Any]) -> dict[str, str]:
    """A tenant with a few contacts, a company, products, a deal, tasks due today and a note."""
    company = api.ok("POST", "/api/v1/companies", {"name": "Northwind Traders", "industry": "Retail",
                                                   "phones": [{"number": "+442079461000"}]})
    ids = {"company": company["id"]}
    for number in range(12):
        product = api.ok("POST", "/api/v1/products", {"name": f"Tulip bouquet {number}", "sku": f"TB-{number:03d}",
                                                      "price": {"minor": 2500 + number, "currency": "GBP"}})
        ids.setdefault("product", product["id"])
    for number in range(12):
        contact = api.ok("POST", "/api/v1/contacts", {
            "first_name": f"Anna{number}", "last_name": "Karenina", "tags": ["vip"],
            "phones": [{"number": f"+4420794600{number:02d}"}],
            "emails": [{"address": f"anna{number}@example.com"}], "company_ids": [company["id"]]})
        ids.setdefault("contact", contact["id"])
    deal = api.ok("POST", "/api/v1/deals", {"title": "Spring bouquets", "contact_ids": [ids["contact"]],
                                            "amount": {"minor": 125000, "currency": "GBP"}, "tags": ["spring"]})
    ids["deal"], ids["pipeline"], ids["deal_version"] = deal["id"], deal["pipeline_id"], str(deal["version"])
    for title in ("Lost bouquets", "Old order"):  # the trash's lists have something to show
        api.ok("DELETE", f"/api/v1/deals/{api.ok('POST', '/api/v1/deals', {'title': title})['id']}")
    api.ok("DELETE", f"/api/v1/contacts/{api.ok('POST', '/api/v1/contacts', {'first_name': 'Gone'})['id']}")
    stages = api.ok("GET", f"/api/v1/pipelines/{deal['pipeline_id']}")["stages"]
    ids["next_stage"] = next(stage["id"] for stage in stages if stage["id"] != deal["stage_id"])
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)).isoformat()
    for number in range(3):
        api.ok("POST", "/api/v1/tasks", {"title": f"Call back {number}", "due_at": due,
                                         "related": {"type": "contact", "id": ids["contact"]}})
    api.ok("POST", "/api/v1/notes", {"subject": {"type": "contact", "id": ids["contact"]}, "text": "Likes tulips."})
    tenant = api.ok("GET", "/api/v1/tenant")
    api.ok("PATCH", "/api/v1/tenant", {"version": tenant["version"], "calendar_feeds": True})
    ids["feed"] = "/calendar/" + api.ok("POST", "/api/v1/tasks/calendar-feed", {})["url"].split("/calendar/", 1)[1]
    _export_bucket()  # what infra/ makes in AWS and the local runner locally
    csv = base64.b64encode(b"Name,Phone\nLeo Imported,+442079460777\n").decode()
    imported = api.ok("POST", "/api/v1/imports", {"entity": "contact", "filename": "leads.csv", "content_base64": csv})
    api.ok("POST", f"/api/v1/imports/{imported['id']}/start", {"version": imported["version"]})
    return ids


def _export_bucket() -> None:
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    aws.client("s3").create_bucket(Bucket=settings.export_bucket,
                                   CreateBucketConfiguration={"LocationConstraint": settings.region})


def _calls(ids: dict[str, str], version: int) -> list[tuple[str, str, str, Any, str]]:
    contact, page = f"/api/v1/contacts/{ids['contact']}", SINGLE_READ
    return [
        ("contact card", "GET", contact, None, page),
        ("contacts list (updated)", "GET", "/api/v1/contacts", None, page),
        ("contacts list (created)", "GET", "/api/v1/contacts?sort=created", None, page),
        ("contacts search: name", "GET", "/api/v1/contacts?q=anna3", None, page),
        ("contacts search: phone", "GET", "/api/v1/contacts?q=%2B442079460003", None, page),
        ("contacts search: e-mail", "GET", "/api/v1/contacts?q=anna3%40example.com", None, page),
        # a part of a number: the rows of its first 4 digits, one Query (a tail finds one, a start all twelve)
        ("contacts search: phone's tail", "GET", "/api/v1/contacts?q=00-03", None, page),
        ("contacts search: phone's start", "GET", "/api/v1/contacts?q=020%207946%2000", None, page),
        # digits alone are also a word's start ("1520 Studio"): the same rows, one Query still
        ("contacts search: digits alone", "GET", "/api/v1/contacts?q=0003", None, page),
        ("companies list", "GET", "/api/v1/companies", None, page),
        ("companies search: phone", "GET", "/api/v1/companies?q=%2B442079461000", None, page),
        ("companies search: phone's tail", "GET", "/api/v1/companies?q=1000", None, page),
        ("product card", "GET", f"/api/v1/products/{ids['product']}", None, page),
        ("products list (name)", "GET", "/api/v1/products?sort=name", None, page),
        ("products search: name", "GET", "/api/v1/products?q=tulip", None, page),
        ("products search: SKU", "GET", "/api/v1/products?q=TB-003", None, page),
        ("deal board", "GET", f"/api/v1/pipelines/{ids['pipeline']}/board", None, page),
        ("deal board: tag", "GET", f"/api/v1/pipelines/{ids['pipeline']}/board?tag=spring", None,
         PIPELINE_THEN_BOARD),
        ("deals list: tag", "GET", "/api/v1/deals?tag=spring", None, ROWS_THEN_RECORDS),
        ("deal card", "GET", f"/api/v1/deals/{ids['deal']}", None, PAGE_THEN_NAMES),
        ("deals search: title", "GET", "/api/v1/deals?q=spring", None, ROWS_THEN_RECORDS),
        ("contacts trash", "GET", "/api/v1/trash/contacts", None, page),
        ("deals trash", "GET", "/api/v1/trash/deals", None, page),
        ("tasks today", "GET", "/api/v1/tasks?view=today", None, PAGE_THEN_NAMES),
        ("tasks today: everyone's", "GET", "/api/v1/tasks?view=today&everyone=true", None, PAGE_THEN_NAMES),
        ("tasks week", "GET", "/api/v1/tasks/days", None, WEEK),
        ("tasks week: everyone's", "GET", "/api/v1/tasks/days?everyone=true", None, WEEK),
        ("calendar feed (a calendar app reading it)", "GET", ids["feed"], None, FEED),
        # the dashboard's task tiles: an owner's today and overdue, everyone's, from one Query of everyone's partition
        ("dashboard task tiles: everyone's", "GET", "/api/v1/reports/tasks", None, page),
        ("audit list", "GET", "/api/v1/audit", None, page),
        ("imports list", "GET", "/api/v1/imports", None, PAGE_THEN_NAMES),
        ("contact create", "POST", "/api/v1/contacts", {"first_name": "Lev", "last_name": "Tolstoy",
                                                        "phones": [{"number": "+442079460999"}],
                                                        "emails": [{"address": "lev@example.com"}]}, SINGLE_WRITE),
        ("contact update", "PATCH", contact, {"version": version, "last_name": "Arkadyevna"}, SINGLE_WRITE),
        ("deal move", "POST", f"/api/v1/deals/{ids['deal']}/move",
         {"stage_id": ids["next_stage"], "version": int(ids["deal_version"])}, SINGLE_WRITE),
        # a task is in its assignee's partition (gsi1) and everyone's (gsi2): two index copies
        ("task create", "POST", "/api/v1/tasks", {"title": "Call back"}, SINGLE_WRITE),
        ("product create", "POST", "/api/v1/products", {"name": "Peony bouquet", "sku": "PB-001",
                                                        "price": {"minor": 3900, "currency": "GBP"}}, SINGLE_WRITE),
        # a name starting with 4 digits has one row more, in the bucket digits alone are searched by
        ("company create", "POST", "/api/v1/companies", {"name": "Studio Twenty"}, SINGLE_WRITE),
        ("company create: a word starting with 4 digits", "POST", "/api/v1/companies", {"name": "Studio 20240"},
         SINGLE_WRITE),
        ("companies search: digits alone (a name's start)", "GET", "/api/v1/companies?q=2024", None, page),
    ]


def _met(target: str, own: list[accounting.Call]) -> bool:
    if target == SINGLE_READ:
        return len(own) == 1
    if target in (ROWS_THEN_RECORDS, PAGE_THEN_NAMES):
        return [call.operation for call in own] == ["Query", "BatchGetItem"]
    if target == WEEK:
        return [call.operation for call in own] == ["Query", "Query", "BatchGetItem"]
    if target == FEED:
        return [call.operation for call in own] == ["BatchGetItem", "Query", "Query", "BatchGetItem"]
    if target == PIPELINE_THEN_BOARD:
        return [call.operation for call in own] == ["GetItem", "Query"]
    # A single-record write is one transaction; the reads before it (duplicate check, the record's
    # current state) are shown in the operations column but do not make it a second write.
    writes = [call for call in own if call.operation in accounting.WRITE_OPERATIONS]
    return [call.operation for call in writes] == ["TransactWriteItems"]


def _row(name: str, status: int, target: str, calls: list[accounting.Call]) -> Row:
    own = [call for call in calls if not call.auth]
    auth = [call for call in calls if call.auth]
    operations = ", ".join(f"{call.operation}({call.items})" for call in own)
    return Row(name, status, len(own), operations, sum(c.read_units for c in own),
               sum(c.write_units for c in own), len(auth), sum(c.read_units for c in auth), target,
               _met(target, own))


def measure() -> list[Row]:
    """Seed a tenant, then call every endpoint once and record what it cost."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        ids = _seed(api, signed)
        version = api.ok("GET", f"/api/v1/contacts/{ids['contact']}")["version"]
        rows = []
        for name, method, path, payload, target in _calls(ids, version):
            accounting.LEDGER.reset()
            status, _ = api.call(method, path, payload)
            rows.append(_row(name, status, target, accounting.LEDGER.snapshot()))
        return rows


def table(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    lines = []
    for row in rows:
        value = (f"{row['requests']} req, {_units(row['read_units'])} RRU, {_units(row['write_units'])} WRU"
                 f" (+auth {row['auth_requests']} req {_units(row['auth_read_units'])} RRU)")
        status = "ok" if row["met"] and row["status"] < 300 else "MISSED"
        status += f" [{row['operations']}]" if row["requests"] > 1 else ""
        lines.append((f"dynamodb: {row['endpoint']}", value, f"{row['target']}: {status}"))
    return lines


def _units(value: float) -> str:
    return f"{value:g}" if value == math.floor(value) else f"{value:.1f}"


if __name__ == "__main__":
    harness.emit([asdict(row) for row in measure()])
