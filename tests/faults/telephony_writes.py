"""Requests of the telephony routes for the fault suite: each provider's hook with a correctly signed first
event of a call, and a click-to-call through a Zadarma line with the owner's extension."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.faults.fresh import Call, Fresh
from tests.telephony.kit import CREDENTIALS
from webhooks.providers import Call as SimulatedCall


def _line(fresh: Fresh, provider: str, **settings: Any) -> dict[str, Any]:
    return fresh.post("/api/v1/integrations", {"type": provider, "name": f"Faulty {provider}",
                                               "settings": {**CREDENTIALS[provider], **settings}})


def _hook(provider: str) -> Callable[[Fresh], Call]:
    def build(fresh: Fresh) -> Call:
        line = _line(fresh, provider)
        secret = line["secret"] if provider == "pbx" else next(
            v for k, v in CREDENTIALS[provider].items() if k in {"api_secret", "api_salt", "auth_token"})
        key = CREDENTIALS[provider].get("api_key") or CREDENTIALS[provider].get("account_sid")
        simulator = importlib.import_module(f"webhooks.providers.{provider}")
        first = next(r for r in simulator.requests("answered", line["webhook_url"], key=key, secret=secret,
                                                   call=SimulatedCall()) if r.method == "POST")
        split = urlsplit(first.url)
        return Call("POST", split.path + (f"?{split.query}" if split.query else ""), None, raw=first.body,
                    headers=first.headers)
    return build


def _dial(fresh: Fresh) -> Call:
    line = _line(fresh, "zadarma", extensions={"100": fresh.world.a.owner.user_id})
    return Call("POST", "/api/v1/calls", fresh.owner, {"integration_id": line["id"], "number": "+79161234567"})


TELEPHONY_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/calls": _dial,
    "POST /hooks/pbx/{key}": _hook("pbx"),
    "POST /hooks/zadarma/{key}": _hook("zadarma"),
    "POST /hooks/mango/{key}/events/{name}": _hook("mango"),
    "POST /hooks/twilio/{key}": _hook("twilio"),
}
