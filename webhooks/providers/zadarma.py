"""Zadarma's PBX notifications (``chalicelib/telephony/providers/zadarma.py`` cites where each is documented).

Each is a form post with a ``Signature`` header: base64 of the hex HMAC-SHA1, under the API secret, of
the event's own fields concatenated (zadarma/user-api-v1 ``lib/Webhook/Notify*.php``). The API key
signs nothing here (only API requests carry it). The order is Zadarma's: an inbound call sends
NOTIFY_START, NOTIFY_INTERNAL as an extension rings, NOTIFY_ANSWER, NOTIFY_END, and NOTIFY_RECORD once its
recording is saved; an outbound call NOTIFY_OUT_START, NOTIFY_OUT_END, NOTIFY_RECORD.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import urlencode

from webhooks.providers import Call
from webhooks.simulate import Request

SIGNED = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}


def signature(fields: dict[str, str], secret: str) -> str:
    """The Signature header Zadarma sends with a notification."""
    signed = "".join(fields.get(name, "") for name in SIGNED[fields["event"]])
    digest = hmac.new(secret.encode(), signed.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())  # Zadarma sends numbers without the plus


def _notification(url: str, secret: str, fields: dict[str, str]) -> Request:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "crm-webhooks-simulator",
               "Signature": signature(fields, secret)}
    return Request(url=url, body=urlencode(fields).encode(), headers=headers)


def _ended(call: Call, answered: bool, record_id: str) -> dict[str, str]:
    return {"duration": str(call.talk_seconds if answered else 0),
            "disposition": "answered" if answered else "no answer", "status_code": "16" if answered else "19",
            "is_recorded": "1" if answered else "0", "call_id_with_rec": record_id if answered else ""}


def requests(scenario: str, url: str, *, key: str | None, secret: str, call: Call) -> list[Request]:
    """The notifications Zadarma posts for one call of the scenario."""
    start = datetime.fromtimestamp(call.start, tz=UTC)
    call_start = start.strftime("%Y-%m-%d %H:%M:%S")
    customer, line, ext = _digits(call.customer), _digits(call.line), call.extension
    record_id = f"1-{int(call.start)}.{int(call.call_id[:6], 16)}-{ext}-{start:%Y-%m-%d-%H%M%S}"
    if scenario == "outbound":
        base = {"call_start": call_start, "pbx_call_id": f"out_{call.call_id}", "internal": ext,
                "destination": customer}
        steps = [{"event": "NOTIFY_OUT_START", **base},
                 {"event": "NOTIFY_OUT_END", **base, "caller_id": line, **_ended(call, True, record_id)}]
    else:
        answered = scenario == "answered"
        base = {"call_start": call_start, "pbx_call_id": f"in_{call.call_id}", "caller_id": customer}
        steps = [{"event": "NOTIFY_START", **base, "called_did": line},
                 {"event": "NOTIFY_INTERNAL", **base, "called_did": line, "internal": ext}]
        if answered:
            steps.append({"event": "NOTIFY_ANSWER", **base, "destination": ext, "internal": ext})
        steps.append({"event": "NOTIFY_END", **base, "called_did": line, "internal": ext,
                      **_ended(call, answered, record_id)})
    if scenario != "missed":
        steps.append({"event": "NOTIFY_RECORD", "call_id_with_rec": record_id,
                      "pbx_call_id": steps[0]["pbx_call_id"]})
    return [_notification(url, secret, fields) for fields in steps]
