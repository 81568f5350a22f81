"""The suite's sandbox Stripe (local/stripe_sandbox.py) on a loopback port of its own, and helpers around it.

Started by tests/conftest.py before the app's settings are read (``CRM_STRIPE_API_BASE`` points the SDK at
it), so every Stripe call the suite makes goes through the real SDK to this recorder and never to Stripe.
Events it sends are delivered to the in-process app's ``/hooks/stripe``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from local.stripe_sandbox import PREFIX, StripeSandbox, sign, start

_keys: list[tuple[str, str]] = []
SANDBOX: StripeSandbox | None = None


def start_sandbox() -> StripeSandbox:
    """Start the sandbox once and point the app's SDK at it (call before the app is imported)."""
    global SANDBOX
    if SANDBOX is None:
        SANDBOX, server = start(lambda base: StripeSandbox(public_base=base, keys=lambda: _keys[0],
                                                           deliver=deliver))
        os.environ["CRM_STRIPE_API_BASE"] = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    return SANDBOX


def sandbox() -> StripeSandbox:
    """The running sandbox."""
    assert SANDBOX is not None, "tests/conftest.py starts the sandbox"
    return SANDBOX


def use_stage_keys() -> None:
    """Read the Stripe keys of the stage secret (once the embedded AWS holds it)."""
    from chalicelib.core import secrets

    _keys[:] = [(str(secrets.stripe_api_key()), str(secrets.stripe_webhook_secret()))]


def webhook_secret() -> str:
    """The stage's ``stripe_webhook_secret``."""
    return _keys[0][1]


def post_event(client: Any, event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None,
               signature: str | None = None) -> Any:
    """Post an event to /hooks/stripe as Stripe does (signed with the stage's secret unless told otherwise)."""
    payload = json.dumps(event).encode()
    header = signature if signature is not None else sign(payload, secret or webhook_secret(), timestamp)
    return client.post("/hooks/stripe", body=payload, headers={"Content-Type": "application/json",
                                                               "Stripe-Signature": header})


def deliver(payload: bytes, signature: str) -> int:
    """How the sandbox's own events reach the in-process app."""
    from app import app
    from tests.support import ApiClient

    answer = ApiClient(app).post("/hooks/stripe", body=payload, headers={"Content-Type": "application/json",
                                                                         "Stripe-Signature": signature})
    return int(answer.status_code)


def sync_plans() -> None:
    """Make the catalog's products and prices in the sandbox (what ``tenants sync-plans`` does)."""
    from chalicelib.billing import prices

    prices.sync()
