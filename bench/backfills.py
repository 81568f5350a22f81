"""What the hourly tick's one-off passes cost (``housekeeping.jobs.ONE_OFF``): a tenant's contacts saved before
their Telegram usernames were indexed, its import jobs written in clear before jobs were sealed, and a pass once
through (its state's GetItem, every hour after).

A company of ``runs`` contacts holding a username, saved as the code before wrote them (no blind index, no lookup),
and as many without one, ``runs`` imports in preview written back in clear, ``runs`` contacts named in Kazakh
letters without their typed spelling's tokens, ``runs`` products so named sorted in their letters' code points'
order, ``runs`` orders made before orders had numbers, and ``runs`` contacts with a car's plate in a custom text field
saved before custom values were searched; each pass is run over that tenant alone.
``python -m bench.backfills [runs] [--table]``.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from bench import accounting, harness

CSV = "First name,Last name,Phone,Email\nEvdokiya,Zarechnaya,+7 999 321-54-76,evdokiya@riverside.test\n" * 5


def _old_contacts(api: Any, runs: int) -> None:
    from chalicelib.contacts import profile

    real = profile.index_telegram
    profile.index_telegram = lambda ctx, contact: None  # type: ignore[assignment]  # as the code before wrote them
    try:
        for n in range(runs):
            api.ok("POST", "/api/v1/contacts", {"first_name": f"Parent{n}", "last_name": "Benchmark",
                                                "phones": [{"number": f"+4420794690{n:02d}"}],
                                                "messengers": {"telegram_username": f"parent_{n}_bench"}})
            api.ok("POST", "/api/v1/contacts", {"first_name": f"Plain{n}", "last_name": "Benchmark"})
    finally:
        profile.index_telegram = real  # type: ignore[assignment]


def _old_kazakh_names(api: Any, runs: int) -> None:
    from chalicelib.records import matching

    real, place = matching._RUSSIAN_KEYS, matching._ALPHABET_PLACE
    matching._ALPHABET_PLACE = str.maketrans("", "")  # as the code before wrote them: names in code points' order,
    try:
        for n in range(runs):
            api.ok("POST", "/api/v1/products", {"name": f"Әшекей қорап {n}", "sku": f"KZ-{n}",
                                                "price": {"minor": 100000, "currency": "KZT"}})
        matching._RUSSIAN_KEYS = str.maketrans("", "")  # and the Kazakh spelling's tokens only
        for n in range(runs):
            api.ok("POST", "/api/v1/contacts", {"first_name": f"Гүлнұр{n}", "last_name": "Әбдіқадырова"})
    finally:
        matching._RUSSIAN_KEYS, matching._ALPHABET_PLACE = real, place


def _old_plates(api: Any, runs: int) -> None:
    from chalicelib.records.customfields import words

    api.ok("POST", "/api/v1/custom-fields", {"entity": "contact", "key": "plate", "label": "Plate", "type": "text"})
    real = words.tokens
    words.tokens = lambda custom, sensitive=None: []  # type: ignore[assignment]  # before custom values were searched
    try:
        for n in range(runs):
            api.ok("POST", "/api/v1/contacts", {"first_name": f"Driver{n}", "last_name": "Benchmark",
                                                "custom": {"plate": f"А{n:03d}ВС 777"}})  # noqa: RUF001
    finally:
        words.tokens = real  # type: ignore[assignment]


def _old_imports(api: Any, signed: dict[str, Any], runs: int) -> None:
    from chalicelib.core import aws, db
    from chalicelib.core.config import settings
    from chalicelib.core.tenancy import bind

    aws.client("s3").create_bucket(Bucket=settings.export_bucket,
                                   CreateBucketConfiguration={"LocationConstraint": settings.region})
    content = base64.b64encode(CSV.encode()).decode()
    tenant_id = signed["tenant"]["id"]
    dynamodb = aws.client("dynamodb")
    for n in range(runs):
        job = api.ok("POST", "/api/v1/imports", {"entity": "contact", "filename": f"clients_{n}.csv",
                                                 "content_base64": content})
        key = {"pk": {"S": f"T#{tenant_id}#IMPORT"}, "sk": {"S": job["id"]}}
        with bind(harness.tenant_context(signed)):
            stored = dynamodb.get_item(TableName=settings.table_name, Key=key, ConsistentRead=True)["Item"]
            dynamodb.put_item(TableName=settings.table_name, Item=db.open_personal(stored))


def _old_orders(api: Any, runs: int) -> None:
    """runs orders made as the code before orders had numbers made them: no counter, no number."""
    from chalicelib.records import numbering

    contact = api.ok("POST", "/api/v1/contacts", {"first_name": "Gleb", "last_name": "Orders"})
    line = {"description": "Wheel alignment", "quantity": "1", "unit_price_minor": 6000, "tax_rate": "20"}
    real = numbering.numbered
    numbering.numbered = lambda ctx, model, pk, sk, write, **_: write(None, None)  # type: ignore[assignment]
    try:
        for _ in range(runs):
            api.ok("POST", "/api/v1/orders", {"currency": "EUR", "contact_id": contact["id"], "lines": [line]})
    finally:
        numbering.numbered = real  # type: ignore[assignment]


def _pass(name: str, module: Any, signed: dict[str, Any], runs: int, *, state: str = "STATE_PK",
          run: str = "run") -> list[dict[str, Any]]:
    """The pass over the bench's tenant from its start, then a tick once it is through."""
    from chalicelib.core.tenancy import bind
    from chalicelib.housekeeping.models import TenantPass
    from chalicelib.identity import service as identity

    ctx = harness.tenant_context(signed)
    with bind(ctx):
        tenant = identity.get_tenant_or_raise(ctx)
    TenantPass(getattr(module, state), "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()
    first = accounting.cost_of(lambda: getattr(module, run)(deadline=time.monotonic() + 600))
    through = accounting.cost_of(lambda: getattr(module, run)(deadline=time.monotonic() + 600))
    return [{"read": f"{name}: {first['status']} of {runs} written before", "status": first["status"],
             "requests": first["requests"], "read_units": first["read_units"], "write_units": first["write_units"],
             "operations": first["operations"]},
            {"read": f"{name}, once through (a tick)", "status": through["status"], "requests": through["requests"],
             "read_units": through["read_units"], "write_units": through["write_units"]}]


def measure(runs: int = 10) -> dict[str, Any]:
    """Seed a tenant written before both features, run each pass over it; the costs."""
    from chalicelib.housekeeping import custom_words, order_numbers, sealed_jobs, telegram_index, typed_names

    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        _old_contacts(api, runs)
        _old_imports(api, signed, runs)
        _old_kazakh_names(api, runs)
        _old_orders(api, runs)
        reads = [*_pass("telegram usernames indexed", telegram_index, signed, runs),
                 *_pass("import jobs sealed", sealed_jobs, signed, runs),
                 *_pass("products' kazakh names put in their alphabet's place", typed_names, signed, runs,
                        state="SORTED_PK", run="run_sorted"),
                 *_pass("kazakh names given their typed spelling", typed_names, signed, runs),
                 *_pass("orders made before numbers numbered", order_numbers, signed, runs)]
        _old_plates(api, runs)  # after the others: the contacts they walk stay as they were measured
        reads += _pass("custom values' search words (every contact read)", custom_words, signed, runs)
        return {"reads": reads, "runs": runs}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, note) lines for the summary table."""
    return [(f"backfills: {read['read']}", f"{read['requests']} requests",
             f"{read['read_units']:g} RRU, {read['write_units']:g} WRU") for read in result["reads"]]


if __name__ == "__main__":
    harness.run(measure, table, 10)
