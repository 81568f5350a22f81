"""A tenant with many contacts on the embedded server: list and search latencies against a GetItem.

``python -m bench.large_tenant [contacts] [runs]`` (``make bench`` passes ``--contacts``). The
contacts are the items the contacts service itself builds (``contacts.service.create``: profile,
list rows, search tokens, phone and e-mail lookups, timeline entry, audit record) with its
transaction swapped for the embedded server's own put (the call its BatchWriteItem handler makes,
minus the HTTP round trip: the server runs in this process), so 100,000 contacts seed in minutes;
the duplicate check and the audit chain read are skipped (every seeded contact is new and unique
by construction); the custom-field definitions and the owner are read once, not once per contact.
The searches are measured a second time with the principal cached per warm Lambda, the what-if of
``bench.overhead`` (the app does not cache it), for the decision that figure serves.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from bench import harness, overhead

TARGET = 3.0
PROGRESS_EVERY = 5000
FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Fyodor", "Galina", "Ivan", "Katya", "Lev", "Maria",
         "Nikolai", "Olga", "Pavel", "Raisa", "Sergei", "Tatiana", "Viktor", "Yulia", "Zoya"]
LAST = ["Karenina", "Bezukhov", "Rostova", "Bolkonsky", "Oblonsky", "Levin", "Vronsky", "Kuragin",
        "Drubetskoy", "Shcherbatsky", "Karamazov", "Raskolnikov", "Myshkin", "Onegin", "Larina",
        "Pechorin", "Oblomov", "Chichikov", "Bazarov", "Zhivago"]


class Seeder:
    """Writes the items contacts.service would commit straight into the embedded server's backend."""

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


def _latencies(call: Callable[[], Any], runs: int) -> dict[str, float]:
    samples = harness.timed(call, runs)
    return {"p50_s": harness.percentile(samples, 0.5), "p95_s": harness.percentile(samples, 0.95)}


def _getter(api: harness.Api, path: str) -> Callable[[], Any]:
    return lambda: api.ok("GET", path)


def measure(count: int = 5000, runs: int = 30) -> dict[str, Any]:
    """Seed count contacts, then p50/p95 of lists, searches and a raw GetItem."""
    with harness.embedded_server_app() as server:
        api, signed = harness.sign_up(server.app)
        seconds, items = seed(harness.tenant_context(signed), count)
        harness.sign_in_again(api, signed)
        probe = api.ok("GET", "/api/v1/contacts?sort=created&limit=1")["items"][0]
        get = harness.raw_get_item(server.endpoint, f"T#{signed['tenant']['id']}#C#{probe['id']}", "#PROFILE")
        middle = count // 2
        queries = {"list (updated, gsi2)": "/api/v1/contacts", "list (created, table)": "/api/v1/contacts?sort=created",
                   "list (name, gsi1)": "/api/v1/contacts?sort=name",
                   "search: name": f"/api/v1/contacts?q={_contact(middle)['last_name']}",
                   "search: phone": f"/api/v1/contacts?q=%2B4420{middle:08d}",
                   "search: e-mail": f"/api/v1/contacts?q={_contact(middle)['emails'][0]['address']}"}
        found = {}
        for name, path in queries.items():
            harness.sign_in_again(api, signed)  # one query's runs stay well inside a token's 15 minutes
            found[name] = _latencies(_getter(api, path), runs)
        baseline = _latencies(get, runs)
        harness.sign_in_again(api, signed)
        with overhead.principal_cached():  # the what-if of bench.overhead, for the searches
            what_if = {name: _latencies(_getter(api, path), runs) for name, path in queries.items()
                       if name.startswith("search")}
    return {"contacts": count, "items": items, "seed_s": seconds, "runs": runs, "get_item": baseline,
            "calls": found, "principal_cached": what_if}


def _milliseconds(found: dict[str, float]) -> str:
    return f"{found['p50_s'] * 1000:.1f}/{found['p95_s'] * 1000:.1f} ms"


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    base = result["get_item"]["p50_s"]
    lines = [(f"large tenant: {result['contacts']:,} contacts seeded", f"{result['seed_s']:.0f} s",
              f"{result['items']:,} items"),
             ("large tenant: raw GetItem p50/p95", _milliseconds(result["get_item"]), "")]
    for name, found in result["calls"].items():
        ratio = found["p50_s"] / base
        status = "ok" if ratio <= TARGET else "MISSED"
        target = f"target <= {TARGET:.0f}x: {status}" if name.startswith("search") else ""
        lines.append((f"large tenant: {name} p50/p95", _milliseconds(found), f"{ratio:.1f}x GetItem  {target}"))
    for name, found in result.get("principal_cached", {}).items():
        lines.append((f"large tenant: {name} if the principal were cached", _milliseconds(found),
                      f"{found['p50_s'] / base:.1f}x GetItem  what-if: the app reads the principal on every request"))
    return lines


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:]]
    harness.emit(measure(*arguments))
