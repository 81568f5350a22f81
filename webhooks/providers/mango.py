"""Mango Office's notifications for one call, as its VPBX API description ("MANGO OFFICE API v1.10",
"API Realtime") has the PBX send them.

Each is a form post of ``vpbx_api_key``, ``sign`` and ``json`` to ``<webhook url>/events/<name>``,
signed ``sign = sha256(vpbx_api_key + json + vpbx_api_salt)`` (hex) over the compact json text. A call
is one ``entry_id`` across its legs (``call_id``): an inbound call is answered by the IVR, then rings
the employee; each leg numbers its own notifications (``seq``). Numbers are international without "+".
``--key`` is the VPBX's api key (vpbx_api_key), ``--secret`` its salt (vpbx_api_salt).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from webhooks.providers import Call
from webhooks.simulate import Request

RING_SECONDS = 25  # how long a missed call rings before the caller hangs up
IVR_SECONDS = 4


def _id(*parts: object) -> str:
    """An id shaped like Mango's (base64 of colon-separated numbers and names)."""
    return base64.b64encode(":".join(str(p) for p in parts).encode()).decode()


def _digits(number: str) -> str:
    return number.lstrip("+")


def notification(url: str, name: str, payload: dict[str, Any], *, key: str, salt: str) -> Request:
    """One signed notification to ``<url>/events/<name>``."""
    text = json.dumps(payload, separators=(",", ":"))
    sign = hashlib.sha256((key + text + salt).encode()).hexdigest()
    body = urlencode({"vpbx_api_key": key, "sign": sign, "json": text}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "crm-webhooks-simulator"}
    return Request(url=f"{url.rstrip('/')}/events/{name}", body=body, headers=headers)


def _leg(entry: str, leg: str, t: int, seq: int, state: str, location: str, caller: dict[str, Any],
         called: dict[str, Any], **extra: Any) -> tuple[str, dict[str, Any]]:
    return "call", {"entry_id": entry, "call_id": leg, "timestamp": t, "seq": seq, "call_state": state,
                    "location": location, "from": caller, "to": called, **extra}


def _recording(entry: str, leg: str, recording: str, t: int, seq: int, state: str, extension: str,
               **extra: Any) -> tuple[str, dict[str, Any]]:
    return "recording", {"recording_id": recording, "recording_state": state, "seq": seq, "entry_id": entry,
                         "call_id": leg, "extension": extension, "timestamp": t, **extra}


def _inbound(call: Call, scenario: str) -> list[tuple[str, dict[str, Any]]]:
    t, entry = int(call.start), _id(1, call.call_id)
    ivr, leg, recording = _id(1, call.call_id, "ivr"), _id(1, call.call_id, "abonent"), _id(1, call.call_id, "rec")
    customer, line = {"number": _digits(call.customer)}, _digits(call.line)
    employee = {"extension": call.extension, "number": f"sip:{call.extension}@vpbx.mangosip.ru", "line_number": line}
    forwarded = t + IVR_SECONDS
    steps = [_leg(entry, ivr, t, 1, "Appeared", "ivr", customer, {"number": line, "line_number": line}),
             _leg(entry, ivr, forwarded, 2, "Disconnected", "ivr", customer, {"number": line, "line_number": line},
                  disconnect_reason=1100),
             _leg(entry, leg, forwarded, 1, "Appeared", "abonent", {**customer, "taken_from_call_id": ivr}, employee)]
    caller = {**customer, "taken_from_call_id": ivr}
    summary = {"entry_id": entry, "call_direction": 1, "from": customer,
               "to": {"extension": call.extension, "number": employee["number"]}, "line_number": line,
               "create_time": t, "forward_time": forwarded}
    if scenario == "missed":
        end = forwarded + RING_SECONDS
        return [*steps, _leg(entry, leg, end, 2, "Disconnected", "abonent", caller, employee, disconnect_reason=1110),
                ("summary", {**summary, "talk_time": 0, "end_time": end, "entry_result": 0,
                             "disconnect_reason": 1110})]
    talk, end = forwarded + 5, forwarded + 5 + call.talk_seconds
    return [*steps,
            _leg(entry, leg, talk, 2, "Connected", "abonent", caller, employee),
            _recording(entry, leg, recording, talk, 1, "Started", call.extension),
            _leg(entry, leg, end, 3, "Disconnected", "abonent", caller, employee, disconnect_reason=1110),
            _recording(entry, leg, recording, end, 2, "Completed", call.extension, completion_code=1000,
                       recipient="Cloud"),
            ("summary", {**summary, "talk_time": talk, "end_time": end, "entry_result": 1, "disconnect_reason": 1110})]


def _outbound(call: Call) -> list[tuple[str, dict[str, Any]]]:
    """The employee dials the customer from the SIP phone; the customer answers, the employee hangs up."""
    t, entry = int(call.start), _id(1, call.call_id)
    leg, recording = _id(1, call.call_id, "out"), _id(1, call.call_id, "rec")
    employee = {"extension": call.extension, "number": f"sip:{call.extension}@vpbx.mangosip.ru"}
    customer = {"number": _digits(call.customer)}
    talk, end = t + 6, t + 6 + call.talk_seconds
    return [_leg(entry, leg, t, 1, "Appeared", "abonent", employee, customer),
            _leg(entry, leg, talk, 2, "Connected", "abonent", employee, customer),
            _recording(entry, leg, recording, talk, 1, "Started", call.extension),
            _leg(entry, leg, end, 3, "Disconnected", "abonent", employee, customer, disconnect_reason=1120),
            _recording(entry, leg, recording, end, 2, "Completed", call.extension, completion_code=1000,
                       recipient="Cloud"),
            ("summary", {"entry_id": entry, "call_direction": 2, "from": employee, "to": customer,
                         "line_number": _digits(call.line), "create_time": t, "forward_time": t, "talk_time": talk,
                         "end_time": end, "entry_result": 1, "disconnect_reason": 1120})]


def requests(scenario: str, url: str, *, key: str | None, secret: str, call: Call) -> list[Request]:
    """The notifications Mango posts for one call of the scenario, in the order it sends them."""
    if not key:
        raise SystemExit("Mango signs with the VPBX's api key too: pass --key <vpbx_api_key>")
    steps = _outbound(call) if scenario == "outbound" else _inbound(call, scenario)
    return [notification(url, name, payload, key=key, salt=secret) for name, payload in steps]
