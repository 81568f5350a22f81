"""A contact read through the API against a raw GetItem on the same embedded server, as a ratio.

The embedded AWS (moto's threaded server on loopback) serves both: the app runs in-process with its
SDK calls going over HTTP to the server, exactly as under ``make run``; the baseline is a boto3
GetItem of the contact's own item on the same server. ``python -m bench.overhead [runs]``.

It also measures what the card would cost if the principal (tenant, user, session) were cached per
warm Lambda, which the app does not do: every request reads them, so a revoked session, a deactivated
user or a suspended tenant is refused at once (docs/ARCHITECTURE.md). The figure is there for the
decision whether a few seconds' delay in revocation is worth it.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import harness

TARGET = 2.0


@contextmanager
def principal_cached() -> Iterator[None]:
    """While inside, each session's principal is read once and then served from memory (a what-if)."""
    from chalicelib.core import http
    from chalicelib.identity import sessions

    load: Callable[..., Any] = sessions._load_principal
    cache: dict[tuple[str, str], tuple[Any, Any]] = {}

    def cached(ctx: Any, claims: dict[str, Any]) -> Any:
        key = (ctx.tenant_id, str(claims["sid"]))
        if key not in cache:
            principal = load(ctx, claims)
            cache[key] = (principal, http.request_memo()[("tenant", ctx.tenant_id)])
        principal, tenant = cache[key]
        http.request_memo()[("tenant", ctx.tenant_id)] = tenant
        return principal

    sessions._load_principal = cached  # type: ignore[assignment]
    try:
        yield
    finally:
        sessions._load_principal = load  # type: ignore[assignment]


def measure(runs: int = 200) -> dict[str, Any]:
    """Median seconds of an API contact card and of a raw GetItem; their ratio."""
    with harness.embedded_server_app() as server:
        api, signed = harness.sign_up(server.app)
        contact = api.ok("POST", "/api/v1/contacts", {"first_name": "Anna", "last_name": "Karenina",
                                                      "phones": [{"number": "+442079460001"}]})
        path = f"/api/v1/contacts/{contact['id']}"
        tenant = signed["tenant"]["id"]
        get = harness.raw_get_item(server.endpoint, f"T#{tenant}#C#{contact['id']}", "#PROFILE")
        api_samples = harness.timed(lambda: api.ok("GET", path), runs)
        raw_samples = harness.timed(get, runs)
        with principal_cached():
            cached_samples = harness.timed(lambda: api.ok("GET", path), runs)
    api_s, raw_s = statistics.median(api_samples), statistics.median(raw_samples)
    cached_s = statistics.median(cached_samples)
    return {"runs": runs, "api_s": api_s, "get_item_s": raw_s, "ratio": api_s / raw_s,
            "cached_principal_s": cached_s, "cached_principal_ratio": cached_s / raw_s,
            "api_p95_s": harness.percentile(api_samples, 0.95), "get_item_p95_s": harness.percentile(raw_samples, 0.95)}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    status = "ok" if result["ratio"] <= TARGET else "MISSED"
    return [("overhead: API contact card (median)", f"{result['api_s'] * 1000:.1f} ms", ""),
            ("overhead: raw GetItem (median)", f"{result['get_item_s'] * 1000:.1f} ms", ""),
            ("overhead ratio", f"{result['ratio']:.2f}x", f"target <= {TARGET:.1f}x: {status}"),
            ("overhead ratio if the principal were cached", f"{result['cached_principal_ratio']:.2f}x",
             "what-if: the app reads the principal on every request")]


if __name__ == "__main__":
    harness.emit(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
