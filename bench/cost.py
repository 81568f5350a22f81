"""AWS cost per tenant-month of a typical small business, from measured requests, capacity and times.

Inputs measured by the other benchmarks: DynamoDB requests and capacity per API call
(bench.per_call), per form lead (bench.ingest) and per phone call (bench.telephony: an answered call
from a known contact, every provider event of it), the app's CPU per API call (bench.cpu; the Lambda's
billed duration adds the wait for DynamoDB, DYNAMODB_WAIT_S a request) and the cold start
(bench.cold_start).
Everything else is an assumption stated in ASSUMPTIONS; prices are public list prices for us-east-1
(PRICES says where each comes from). ``python -m bench.cost`` reprices the last ``python -m bench`` run
(build/bench/results.json) without measuring again.
"""

from __future__ import annotations

from typing import Any

TARGET_USD = 0.50
DAYS = 30

# The typical tenant: 5 users, 5,000 contacts, 200 leads and 500 calls a day.
USERS, CONTACTS, LEADS_PER_DAY, CALLS_PER_DAY = 5, 5000, 200, 500
# Screens one user opens per working day (measured endpoint -> count); a working month is 22 days.
WORKING_DAYS = 22
SCREENS_PER_USER_DAY = {
    "contacts list (updated)": 30, "contacts list (created)": 10, "contact card": 60,
    "contacts search: name": 20, "contacts search: phone": 5, "contacts search: e-mail": 5,
    "companies list": 5, "deal board": 20, "deal card": 20, "tasks today": 15,
    "contact update": 15, "contact create": 5, "audit list": 1,
}
# Machine traffic per day: a form lead and a phone call cost what bench.ingest and bench.telephony
# measured (every hook request and its processing). Without those figures, a lead is costed as three
# contact creates and a call as a contact update. Neither carries a user's token, so no principal read.
LEAD_WRITES, CALL_WRITES = 3, 1
# Lambda's billed duration of an API call: our CPU (bench.cpu) plus the wait for its DynamoDB request
# (single-digit milliseconds in-region; 5 ms assumed).
DYNAMODB_WAIT_S = 0.005
# Lambda: 512 MB; cold starts attributed to one tenant per day (functions are shared by all tenants,
# so this is generous for a small tenant); init billed at the measured cold import x 2 for the
# runtime's own start.
MEMORY_GB, COLD_STARTS_PER_DAY, INIT_FACTOR = 0.5, 20, 2.0
# Storage: items per contact measured when seeding (about 10), 700 bytes each, the two GSIs
# (ALL projection) adding a copy of about half of them; a month of deals, tasks, timeline and audit
# adds 6 items of 700 bytes per lead and 2 per call.
ITEMS_PER_CONTACT, ITEM_BYTES, GSI_SHARE = 10, 700, 0.5
# KMS: a warm Lambda keeps a tenant's data key 5 minutes; one Decrypt per cold start and per
# 5 working minutes (10 hours a day), plus GenerateDataKey never (provisioned once). The CMK
# ($1/month) and the stage secret ($0.40/month) are shared by an assumed 500 tenants.
KMS_DECRYPTS_PER_DAY, SHARED_TENANTS = 10 * 12 + COLD_STARTS_PER_DAY, 500
SECRET_READS_PER_DAY = COLD_STARTS_PER_DAY + 10 * 12  # Powertools caches the secret 5 minutes
LOG_BYTES_PER_REQUEST = 1500  # one request line plus the EMF metrics document

# SQS: one message per event (a lead, a provider's call event), sent by the inbox_dispatch function from the
# table's stream (#22): ten a request when a stream batch holds ten, counted here as one request an event, as
# at a low rate; the inbox_events function receives and deletes them ten a batch. The event source mappings'
# idle polls, and the dispatch's invocations (one per stream batch of the whole stage), are shared by every
# tenant of the stage.
SQS_REQUESTS_PER_EVENT = 1 + 2 / 10

# us-east-1 list prices. DynamoDB on-demand throughput has cost $0.625 per million write and $0.125 per
# million read request units since AWS halved it on 2024-11-01 (aws.amazon.com/dynamodb/pricing/on-demand);
# this model used the earlier $1.25 and $0.25 until 2026-12-03. API Gateway REST is the first 333
# million requests' tier; Lambda is x86; SQS is standard queues past the free tier.
PRICES = {
    "apigw_rest_per_m": 3.50, "lambda_gb_s": 0.0000166667, "lambda_per_m": 0.20,
    "ddb_wru_per_m": 0.625, "ddb_rru_per_m": 0.125, "ddb_gb_month": 0.25,
    "kms_per_10k": 0.03, "kms_cmk_month": 1.00, "secret_month": 0.40, "secret_per_10k": 0.05,
    "logs_per_gb": 0.50, "sqs_per_m": 0.40, "s3_gb_month": 0.023,  # S3 Standard, the first 50 TB
}

ASSUMPTIONS = [
    f"{USERS} users x {WORKING_DAYS} working days; screens per user-day: "
    + ", ".join(f"{name} {count}" for name, count in SCREENS_PER_USER_DAY.items()),
    f"{LEADS_PER_DAY} form leads/day at the units measured through /hooks/forms, with what the domain-event "
    f"feed's consumers write for each (else {LEAD_WRITES} contact creates each) and {CALLS_PER_DAY} calls/day "
    "at the units of an answered call from a known contact "
    f"measured through the telephony hook (else {CALL_WRITES} contact update), every day of the month",
    f"an API call's Lambda duration: the app CPU bench.cpu measured plus {DYNAMODB_WAIT_S * 1000:.0f} ms for "
    "its DynamoDB request",
    f"Lambda {MEMORY_GB * 1024:.0f} MB; {COLD_STARTS_PER_DAY} cold starts/day billed at {INIT_FACTOR:g}x the "
    "measured cold import",
    f"storage: {CONTACTS:,} contacts x {ITEMS_PER_CONTACT} items x {ITEM_BYTES} B, GSIs +{GSI_SHARE:.0%}, "
    "plus a month of lead and call items",
    f"KMS {KMS_DECRYPTS_PER_DAY} Decrypts/day; CMK and stage secret shared by {SHARED_TENANTS} tenants",
    f"logs {LOG_BYTES_PER_REQUEST} B per request",
]


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["endpoint"]: row for row in rows}


def monthly_traffic(rows: list[dict[str, Any]], lead: dict[str, Any] | None = None,
                    call: dict[str, Any] | None = None) -> dict[str, float]:
    """API requests, webhook requests, DynamoDB read and write units of one tenant-month.

    lead: the measured units of one form event (bench.ingest), its domain-event feed's included, used instead of
    the three-creates estimate when the forms webhook is in the tree; call: the measured totals of one phone call
    (bench.telephony's answered call from a known contact), instead of a contact update.
    """
    calls = _by_name(rows)
    api = rru = wru = 0.0
    for name, per_day in SCREENS_PER_USER_DAY.items():
        count = per_day * USERS * WORKING_DAYS
        row = calls[name]
        api += count
        rru += count * (row["read_units"] + row["auth_read_units"])
        wru += count * row["write_units"]
    api_rru, api_wru = rru, wru
    create, update = calls["contact create"], calls["contact update"]
    leads, calls_made = LEADS_PER_DAY * DAYS, CALLS_PER_DAY * DAYS
    hooks = leads + calls_made * (call["events"] if call else 1)
    if lead and "wru_per_event" in lead:
        # what the domain-event consumers do with a lead's writes (reports, segments, automations) comes on top
        rru += leads * (lead["rru_per_event"] + lead.get("feed_rru_per_event", 0.0))
        wru += leads * (lead["wru_per_event"] + lead.get("feed_wru_per_event", 0.0))
    else:
        rru += leads * LEAD_WRITES * create["read_units"]
        wru += leads * LEAD_WRITES * create["write_units"]
    if call:
        rru += calls_made * call["read_units"]
        wru += calls_made * call["write_units"]
    else:
        rru += calls_made * CALL_WRITES * update["read_units"]
        wru += calls_made * CALL_WRITES * update["write_units"]
    return {"api_requests": api, "webhook_requests": hooks, "rru": rru, "wru": wru, "api_rru": api_rru,
            "api_wru": api_wru}


def _storage_gb() -> float:
    items = CONTACTS * ITEMS_PER_CONTACT + DAYS * (LEADS_PER_DAY * 6 + CALLS_PER_DAY * 2)
    return items * ITEM_BYTES * (1 + GSI_SHARE) / 1024**3


def phone_call(telephony: dict[str, Any] | None) -> dict[str, Any] | None:
    """One typical phone call's totals from bench.telephony (an answered call from a known contact)."""
    for scenario in (telephony or {}).get("scenarios", []):
        if scenario["scenario"] == "answered, known contact":
            return {**scenario["total"], "events": len(scenario["events"])}
    return None


def request_seconds(cpu: dict[str, Any]) -> float:
    """Billed seconds of a typical API call: the app's CPU for a card and a list page, and the DynamoDB wait."""
    return (cpu["contact_card"]["app_cpu_ms"] + cpu["contact_list"]["app_cpu_ms"]) / 2000 + DYNAMODB_WAIT_S


def model(rows: list[dict[str, Any]], *, request_s: float, cold_import_s: float,
          lead: dict[str, Any] | None = None, call: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cost lines (USD per tenant-month) and their total."""
    traffic = monthly_traffic(rows, lead, call)
    requests = traffic["api_requests"] + traffic["webhook_requests"]
    init_gb_s = COLD_STARTS_PER_DAY * DAYS * cold_import_s * INIT_FACTOR * MEMORY_GB
    p = PRICES
    lines = {
        "API Gateway (REST)": requests / 1e6 * p["apigw_rest_per_m"],
        "Lambda requests": requests / 1e6 * p["lambda_per_m"],
        "Lambda GB-s (run + init)": (requests * request_s * MEMORY_GB + init_gb_s) * p["lambda_gb_s"],
        "DynamoDB writes": traffic["wru"] / 1e6 * p["ddb_wru_per_m"],
        "DynamoDB reads": traffic["rru"] / 1e6 * p["ddb_rru_per_m"],
        "DynamoDB storage": _storage_gb() * p["ddb_gb_month"],
        "SQS": traffic["webhook_requests"] * SQS_REQUESTS_PER_EVENT / 1e6 * p["sqs_per_m"],
        "KMS": KMS_DECRYPTS_PER_DAY * DAYS / 1e4 * p["kms_per_10k"] + p["kms_cmk_month"] / SHARED_TENANTS,
        "Secrets Manager": SECRET_READS_PER_DAY * DAYS / 1e4 * p["secret_per_10k"] + p["secret_month"] / SHARED_TENANTS,
        "CloudWatch Logs": requests * LOG_BYTES_PER_REQUEST / 1024**3 * p["logs_per_gb"],
    }
    return {"traffic": traffic, "lines": lines, "total": sum(lines.values()), "assumptions": ASSUMPTIONS,
            "request_s": request_s, "cold_import_s": cold_import_s}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    traffic = result["traffic"]
    lines = [("cost: traffic per tenant-month", f"{traffic['api_requests'] + traffic['webhook_requests']:,.0f} req",
              f"{traffic['rru']:,.0f} RRU, {traffic['wru']:,.0f} WRU")]
    lines += [(f"cost: {name}", f"${value:.3f}", "") for name, value in result["lines"].items()]
    status = "ok" if result["total"] <= TARGET_USD else "MISSED"
    lines.append(("cost: total per tenant-month", f"${result['total']:.2f}", f"target <= ${TARGET_USD:.2f}: {status}"))
    return lines


# -- one tenant's own month (``python -m tenants usage``) ------------------------------------------------

# The units of one API request and of one webhook event (the hook's request and its processing) averaged over
# the typical tenant-month of the run of 2026-12-06 06:50 UTC (`python -m bench --contacts 2000`; bench/RESULTS.md),
# and the billed seconds of a request: what a tenant's counted traffic is priced at when no run's results
# (build/bench/results.json) are at hand. They include billing's share: a create of a counted record +2 WRU (its
# usage counter, in its transaction) and the shared rate counter's UpdateItem every 120 requests of a pro plan
# (bench.billing).
PUBLISHED_UNITS = {"api_rru": 0.90, "api_wru": 3.18, "hook_rru": 6.56, "hook_wru": 47.73, "request_s": 0.0105,
                   "cold_import_s": 0.349}


def units_per_request(result: dict[str, Any]) -> dict[str, float]:
    """Average units of an API request and of a webhook event in a model() result (its typical tenant)."""
    traffic = result["traffic"]
    api, hooks = traffic["api_requests"], traffic["webhook_requests"]
    return {"api_rru": traffic["api_rru"] / api, "api_wru": traffic["api_wru"] / api,
            "hook_rru": (traffic["rru"] - traffic["api_rru"]) / hooks,
            "hook_wru": (traffic["wru"] - traffic["api_wru"]) / hooks,
            "request_s": result["request_s"], "cold_import_s": result["cold_import_s"]}


def tenant_month(*, api_requests: float, webhook_events: float, contacts: float,
                 units: dict[str, float] | None = None, stored_bytes: float = 0.0) -> dict[str, Any]:
    """One tenant's AWS cost of a month from its own counters: the typical tenant's unit costs applied to its
    requests, events and contacts, and its files in S3 (billing's storage counter); the shared costs (cold
    starts, KMS, the stage secret) as in model()."""
    basis = "units of the last published run"
    if units is None:
        try:
            units, basis = units_per_request(reprice()), "units of build/bench/results.json"
        except (OSError, KeyError, ValueError):
            units = PUBLISHED_UNITS
    p, requests = PRICES, api_requests + webhook_events
    items = contacts * ITEMS_PER_CONTACT
    init_gb_s = COLD_STARTS_PER_DAY * DAYS * units["cold_import_s"] * INIT_FACTOR * MEMORY_GB
    wru = api_requests * units["api_wru"] + webhook_events * units["hook_wru"]
    rru = api_requests * units["api_rru"] + webhook_events * units["hook_rru"]
    lines = {
        "API Gateway (REST)": requests / 1e6 * p["apigw_rest_per_m"],
        "Lambda": requests / 1e6 * p["lambda_per_m"]
        + (requests * units["request_s"] * MEMORY_GB + init_gb_s) * p["lambda_gb_s"],
        "DynamoDB writes": wru / 1e6 * p["ddb_wru_per_m"],
        "DynamoDB reads": rru / 1e6 * p["ddb_rru_per_m"],
        "DynamoDB storage": items * ITEM_BYTES * (1 + GSI_SHARE) / 1024**3 * p["ddb_gb_month"],
        "SQS": webhook_events * SQS_REQUESTS_PER_EVENT / 1e6 * p["sqs_per_m"],
        "KMS and the stage secret": KMS_DECRYPTS_PER_DAY * DAYS / 1e4 * p["kms_per_10k"]
        + SECRET_READS_PER_DAY * DAYS / 1e4 * p["secret_per_10k"]
        + (p["kms_cmk_month"] + p["secret_month"]) / SHARED_TENANTS,
        "CloudWatch Logs": requests * LOG_BYTES_PER_REQUEST / 1024**3 * p["logs_per_gb"],
    }
    if stored_bytes:
        lines["S3 storage (files)"] = stored_bytes / 1024**3 * p["s3_gb_month"]
    return {"lines": lines, "total": sum(lines.values()), "basis": basis}


def reprice(path: str = "build/bench/results.json") -> dict[str, Any]:
    """The cost of the measurements saved by the last ``python -m bench`` run, at today's PRICES."""
    import json

    with open(path, encoding="utf-8") as saved:
        results = json.load(saved)
    measured = results["cost"]
    return model(results["per_call"], request_s=measured["request_s"], cold_import_s=measured["cold_import_s"],
                 lead=results.get("ingest"), call=phone_call(results.get("telephony")))


if __name__ == "__main__":
    import sys

    for name, value, note in table(reprice(*sys.argv[1:])):
        print(f"{name:<40} {value:>12}  {note}")
