"""A tenant with many contacts: what each list and search costs in AWS requests and read units.

A list page or a search is one Query (or GetItem) of one page however large the tenant: what DynamoDB
bills does not grow with the tenant. This bench shows it on a seeded tenant, counting requests and
read units as bench.per_call does (bench.accounting). No latency is taken: on the local stand-in it
would measure moto, which reads a whole partition where DynamoDB reads a page.

``python -m bench.large_tenant [contacts]`` (``make bench`` passes ``--contacts``). The contacts are
the items the contacts service itself builds (``contacts.service.create``: profile, list rows, search
tokens, phone and e-mail lookups, timeline entry, audit record) with its transaction swapped for a put
straight into the in-process moto backend, so many thousands seed in minutes; the duplicate check and
the audit chain read are skipped (every seeded contact is new and unique by construction); the
custom-field definitions and the owner are read once, not once per contact.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench import accounting, harness

PROGRESS_EVERY = 5000
FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Fyodor", "Galina", "Ivan", "Katya", "Lev", "Maria",
         "Nikolai", "Olga", "Pavel", "Raisa", "Sergei", "Tatiana", "Viktor", "Yulia", "Zoya"]
LAST = ["Karenina", "Bezukhov", "Rostova", "Bolkonsky", "Oblonsky", "Levin", "Vronsky", "Kuragin",
        "Drubetskoy", "Shcherbatsky", "Karamazov", "Raskolnikov", "Myshkin", "Onegin", "Larina",
        "Pechorin", "Oblomov", "Chichikov", "Bazarov", "Zhivago"]


class Seeder:
    """Writes the items contacts.service would commit straight into the in-process moto backend."""

    def __init__(self) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        from chalicelib.core.config import settings

        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region]
        self.table = settings.table_name
        self.items = 0

    def collect(self, _ctx: Any, change: Any, _contact: Any) -> None:
        """Stands in for contacts.service.commit: put the change's items instead of transacting."""
        for item in [*change.saves, *change.creates]:
            attributes = item.serialize()
            item._handle_version_attribute(attributes=attributes)  # version 1, as the transaction sets
            self.backend.put_item(self.table, attributes, overwrite=True)  # new keys: nothing to check
            self.items += 1


def _contact(number: int) -> dict[str, Any]:
    first, last = FIRST[number % len(FIRST)], LAST[(number // len(FIRST)) % len(LAST)]
    return {"first_name": first, "last_name": f"{last}{number // 400}", "tags": ["lead"] if number % 3 else ["vip"],
            "phones": [{"number": f"+4420{number:08d}"}],
            "emails": [{"address": f"{first.lower()}.{number}@example.com"}], "source": "bench"}


def seed(ctx: Any, count: int) -> tuple[float, int]:
    """Create count contacts for ctx's tenant; (seconds taken, items written)."""
    from chalicelib.contacts import schemas, service
    from chalicelib.core import audit, tenancy
    from chalicelib.identity import service as identity
    from chalicelib.records.customfields import service as customfields

    seeder = Seeder()
    started = time.perf_counter()
    originals = service.commit, service._matches, audit._chain_head, customfields.definitions, identity.get_user
    with tenancy.bind(ctx):
        known, owner = customfields.definitions(ctx, "contact"), identity.get_user(ctx, ctx.actor_id)
        identity.get_user = lambda *args, **kwargs: owner  # type: ignore[assignment]
        service.commit = seeder.collect  # type: ignore[assignment]
        service._matches = lambda *args, **kwargs: []  # type: ignore[assignment]
        audit._chain_head = lambda *args, **kwargs: (0, audit.GENESIS)  # type: ignore[assignment]
        customfields.definitions = lambda *args, **kwargs: known  # type: ignore[assignment]
        try:
            for number in range(count):
                service.create(ctx, data=schemas.ContactCreate(**_contact(number)))
                if number % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                    print(f"seeded {number + 1:,} contacts in {time.perf_counter() - started:.0f} s",
                          file=sys.stderr, flush=True)
        finally:
            (service.commit, service._matches, audit._chain_head, customfields.definitions,  # type: ignore[assignment]
             identity.get_user) = originals
    return time.perf_counter() - started, seeder.items


def measure(count: int = 2000) -> dict[str, Any]:
    """Seed count contacts, then the requests and read units of each list and search."""
    accounting.install()
    with harness.in_process_app() as app:
        api, signed = harness.sign_up(app)
        accounting.LEDGER.paused = True  # the seeder puts straight into moto: nothing to count
        try:
            seconds, items = seed(harness.tenant_context(signed), count)
        finally:
            accounting.LEDGER.paused = False
        harness.sign_in_again(api, signed)
        middle = count // 2
        queries = {"list (updated, gsi2)": "/api/v1/contacts", "list (created, table)": "/api/v1/contacts?sort=created",
                   "list (created)": "/api/v1/contacts?sort=created",
                   "search: name": f"/api/v1/contacts?q={_contact(middle)['last_name']}",
                   "search: phone": f"/api/v1/contacts?q=%2B4420{middle:08d}",
                   "search: e-mail": f"/api/v1/contacts?q={_contact(middle)['emails'][0]['address']}"}
        found = {}
        for name, path in queries.items():
            accounting.LEDGER.reset()
            page = api.ok("GET", path)
            own = [call for call in accounting.LEDGER.snapshot() if not call.auth]
            found[name] = {"requests": len(own), "read_units": sum(call.read_units for call in own),
                           "operations": ", ".join(call.operation for call in own), "rows": len(page["items"])}
    return {"contacts": count, "items": items, "seed_s": seconds, "calls": found}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    lines = [(f"large tenant: {result['contacts']:,} contacts seeded", f"{result['seed_s']:.0f} s",
              f"{result['items']:,} items")]
    for name, found in result["calls"].items():
        status = "ok" if found["requests"] == 1 else "MISSED"
        lines.append((f"large tenant: {name}", f"{found['requests']} req, {found['read_units']:g} RRU",
                      f"{found['rows']} rows; one request: {status}"))
    return lines


if __name__ == "__main__":
    harness.emit(measure(*(int(value) for value in sys.argv[1:2])))
