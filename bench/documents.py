"""What a document costs (#23): DynamoDB requests and capacity units, S3 and SES calls, and our CPU per invoice
issued from a deal, per list, per short link and per e-mail send; and the PDF alone (template rendered in the
sandbox, laid out by fpdf2 with the embedded font) in CPU ms, its first call (fpdf2's import) apart.

Issuing is: the deal read with its contact and company (access), the company's templates, the requisites and the
counter read, the PDF put in S3, then one transaction: the counter advanced, the document, the deal's timeline entry,
the document's audit record and the plan's storage counter. CPU is the process time over ``runs`` calls (moto runs
in-process: an upper bound of ours; requests and units are exact). ``python -m bench.documents [runs] [--table]``.
"""

from __future__ import annotations

import functools
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import accounting, harness

COLD_IMPORT = ("import time; t = time.process_time(); import fpdf, jinja2.sandbox; "
               "print((time.process_time() - t) * 1000)")


def _aws_calls() -> tuple[list[str], Any]:
    """Count the S3 and SES calls the app makes (DynamoDB's are the ledger's)."""
    from botocore.client import BaseClient

    made: list[str] = []
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        if service in ("s3", "sesv2"):
            made.append(f"{service}.{operation}")
        return original(self, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    return made, original


def _cost(made: list[str], run: Any) -> dict[str, Any]:
    made.clear()
    found = accounting.cost_of(run)
    return {**found, "other": ", ".join(made)}


def _pdf_cpu(runs: int) -> dict[str, float]:
    """The PDF alone (sandboxed render and layout of the built-in Russian invoice, three lines), warm, in ms."""
    from decimal import Decimal

    from chalicelib.documents import defaults, service, sources, wording

    lines = [sources.priced(f"Букет №{n}", Decimal(n), 150050, Decimal(20)) for n in (1, 2, 3)]
    source = sources.Source(kind="deal", record_id="", title="Свадебные букеты", currency="RUB", owner_id=None,
                            team_id=None, fields={}, lines=lines)
    values = service.context(source=source, doc_type="invoice", number="INV-2026-0001",
                             day=__import__("datetime").date(2026, 12, 6), locale="ru",
                             seller={"legal_name": "ООО «Ромашка»"})  # noqa: RUF001
    body = defaults.body("invoice", "ru")
    service.make_pdf(body, values)  # imports paid
    timings, renders = [], []
    for _ in range(runs):
        started = time.process_time()
        html = service.rendering.render(body, values)
        middle = time.process_time()
        service.pdf.render(html, title=wording.title("invoice", "ru"))
        ended = time.process_time()
        renders.append((middle - started) * 1000)
        timings.append((ended - started) * 1000)
    cold = subprocess.run([sys.executable, "-c", COLD_IMPORT], capture_output=True, text=True, check=True)
    return {"pdf_ms": statistics.median(timings), "template_ms": statistics.median(renders),
            "import_ms": float(cold.stdout.strip())}


def measure(runs: int = 10) -> dict[str, Any]:
    """Issue, list, link and send documents runs times; the costs."""
    accounting.install()
    made, _ = _aws_calls()
    with harness.in_process_app() as app:
        import boto3

        from chalicelib.core.config import settings

        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.recordings_bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})
        api, _signed = harness.sign_up(app)
        api.ok("PUT", "/api/v1/document-settings/requisites", {"version": 0, "legal_name": "Bench Flowers Ltd",
                                                               "tax_id": "GB123456789"})
        contact = api.ok("POST", "/api/v1/contacts", {"first_name": "Iris", "emails": [{"address": "iris@b.example"}]})
        deal = api.ok("POST", "/api/v1/deals", {"title": "Wedding flowers", "contact_ids": [contact["id"]],
                                                "amount": {"minor": 125000, "currency": "GBP"}})
        path = f"/api/v1/deals/{deal['id']}/documents"
        issued = [_cost(made, lambda: api.call("POST", path, {"type": "invoice"})[0]) for _ in range(runs)]
        if issued[0]["status"] != 201:
            raise RuntimeError(f"issuing answered {api.call('POST', path, {'type': 'invoice'})}")
        documents = api.ok("GET", path)["items"]
        listed = [_cost(made, lambda: api.call("GET", path)[0]) for _ in range(runs)]
        linked = [_cost(made, lambda d=d: api.call("GET", f"/api/v1/documents/{d['id']}/link")[0])
                  for d in documents[:runs]]
        sent = [_cost(made, lambda d=d: api.call("POST", f"/api/v1/documents/{d['id']}/send",
                                                 {"channel": "email"})[0]) for d in documents[:runs]]
        # last, so the list above holds the invoices alone: an act reads the deal's newest documents for the invoice
        # it is based on, one Query more than an invoice
        acts = [_cost(made, lambda: api.call("POST", path, {"type": "act"})[0]) for _ in range(runs)]
        row = functools.partial(harness.summary, warm=True)  # the first call pays an import: the warm Lambda's
        return {"scenarios": [row("invoice issued (deal)", issued, 201),
                              row("act issued (deal, after its invoices)", acts, 201),
                              row("list of a deal", listed, 200),
                              row("short link (audited read)", linked, 200),
                              row("sent by e-mail", sent, 200)],
                "pdf": _pdf_cpu(runs), "first_issue_cpu_ms": issued[0]["cpu_s"] * 1000, "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    rows = []
    for scenario in result["scenarios"]:
        rows.append((f"documents: {scenario['scenario']}",
                     f"{scenario['requests']} req, {scenario['read_units']:g} RRU, {scenario['write_units']:g} WRU, "
                     f"{scenario['cpu_ms']:.0f} ms CPU", ("ok" if scenario["ok"] else "FAILED")
                     + f"; {scenario['operations']}; {scenario['other'] or 'no S3 or SES call'}"))
    pdf = result["pdf"]
    rows.append(("documents: the PDF alone (warm)", f"{pdf['pdf_ms']:.0f} ms CPU",
                 f"template {pdf['template_ms']:.1f} ms; fpdf2 + Jinja2 import {pdf['import_ms']:.0f} ms once per "
                 f"Lambda (first issue {result['first_issue_cpu_ms']:.0f} ms)"))
    return rows


if __name__ == "__main__":
    harness.run(measure, table, 10)
