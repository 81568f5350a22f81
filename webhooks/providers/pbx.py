"""Our own PBX JSON format (``chalicelib/telephony/providers/pbx.py``), signed with the integration's secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from webhooks.providers import Call
from webhooks.simulate import Request, signature_headers


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def _event(url: str, secret: str, call: Call, n: int, fields: dict[str, Any]) -> Request:
    body = json.dumps({"event_id": f"{call.call_id}-{n}", "call_id": call.call_id, **fields}).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "crm-webhooks-simulator",
               **signature_headers(secret, body)}
    return Request(url=url, body=body, headers=headers)


def requests(scenario: str, url: str, *, key: str | None, secret: str, call: Call) -> list[Request]:
    """The events a PBX script posts for one call of the scenario."""
    inbound = scenario != "outbound"
    parties = ({"direction": "inbound", "from": call.customer, "to": call.line} if inbound else
               {"direction": "outbound", "from": call.line, "to": call.customer})
    t = call.start
    steps: list[dict[str, Any]] = [{"event": "start", "at": _at(t), **parties, **({} if inbound else {
        "extension": call.extension})}]
    if inbound:
        steps.append({"event": "ringing", "at": _at(t + 1), **parties, "extension": call.extension})
    if scenario == "missed":
        steps.append({"event": "end", "at": _at(t + 25), **parties, "disposition": "missed", "duration": 0})
    else:
        steps += [{"event": "answer", "at": _at(t + 5), **parties, "extension": call.extension},
                  {"event": "end", "at": _at(t + 5 + call.talk_seconds), **parties, "extension": call.extension,
                   "disposition": "answered", "duration": call.talk_seconds},
                  {"event": "recording", "at": _at(t + 6 + call.talk_seconds),
                   "recording_url": f"https://pbx.example.com/recordings/{call.call_id}.wav"}]
    return [_event(url, secret, call, n, fields) for n, fields in enumerate(steps)]
