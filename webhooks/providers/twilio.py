"""Twilio Voice: the status and recording callbacks of a call, signed with X-Twilio-Signature.

What Twilio posts (https://www.twilio.com/docs/voice/api/call-resource "StatusCallback", the TwiML
``<Dial>`` nouns' ``statusCallback``, https://www.twilio.com/docs/voice/api/recording
"RecordingStatusCallback"), signed as https://www.twilio.com/docs/usage/webhooks/webhooks-security
says: base64 HMAC-SHA1 under the auth token (``--secret``) of the URL followed by the parameters
sorted by name. ``--key`` is the account SID.

- answered: a customer calls the Twilio number; its TwiML ``<Dial record=... recordingStatusCallback=...>``
  rings the employee (a Client identity, a SIP address or a phone number: ``--extension``) with
  ``statusCallbackEvent="initiated ringing answered completed"``; the number's own status callback
  reports the inbound call completed; then the recording is ready.
- missed: the same, nobody answers (the employee's leg ends no-answer; the inbound call completes).
- outbound: a click-to-call as the CRM places it: the Calls API rings the employee, then the TwiML
  dials the customer (reporting with ``?leg=customer``); recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode

from webhooks.providers import Call
from webhooks.simulate import Request

EVENTS = ("initiated", "ringing", "in-progress", "completed")  # the statuses of the four subscribed events


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each parameter's name and value, sorted."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def _sid(prefix: str, call: Call, leg: str) -> str:
    return prefix + hashlib.sha256(f"{call.call_id}:{leg}".encode()).hexdigest()[:32]


def _address(extension: str) -> str:
    if extension.startswith(("client:", "sip:")) or re.fullmatch(r"\+[1-9][0-9]{6,14}", extension):
        return extension
    return f"sip:{extension}" if "@" in extension else f"client:{extension}"


def _at(seconds: float) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, tz=UTC))  # RFC 2822, as Twilio's Timestamp


class _Leg:
    """One call leg's status callbacks, numbered as Twilio numbers them (SequenceNumber from 0)."""

    def __init__(self, account: str, sid: str, parties: dict[str, str], parent: str | None = None) -> None:
        self.fields = {"AccountSid": account, "CallSid": sid, "ApiVersion": "2010-04-01", **parties,
                       **({"ParentCallSid": parent} if parent else {})}
        self.sequence = 0

    def status(self, status: str, at: float, **extra: str) -> dict[str, str]:
        fields = {**self.fields, "CallStatus": status, "Timestamp": _at(at), "CallbackSource": "call-progress-events",
                  "SequenceNumber": str(self.sequence), **extra}
        self.sequence += 1
        return fields


def _recording(account: str, call_sid: str, call: Call, at: float, source: str) -> dict[str, str]:
    recording = _sid("RE", call, "recording")
    return {"AccountSid": account, "CallSid": call_sid, "RecordingSid": recording,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}",
            "RecordingStatus": "completed", "RecordingDuration": str(call.talk_seconds), "RecordingChannels": "2",
            "RecordingStartTime": _at(at), "RecordingSource": source, "RecordingTrack": "both"}


def _inbound(account: str, call: Call, answered: bool) -> list[dict[str, str]]:
    t, parent = call.start, _sid("CA", call, "inbound")
    caller = {"From": call.customer, "To": call.line, "Caller": call.customer, "Called": call.line}
    employee = _Leg(account, _sid("CA", call, "employee"), {
        "Direction": "outbound-dial", "From": call.customer, "To": _address(call.extension)}, parent)
    steps = [employee.status("initiated", t + 1), employee.status("ringing", t + 1)]
    if answered:
        end = t + 5 + call.talk_seconds
        steps += [employee.status("in-progress", t + 5),
                  employee.status("completed", end, CallDuration=str(call.talk_seconds))]
    else:
        end = t + 31
        steps.append(employee.status("no-answer", end, CallDuration="0"))
    steps.append(_Leg(account, parent, {"Direction": "inbound", **caller}).status(
        "completed", end, CallDuration=str(round(end - t))))
    if answered:
        steps.append(_recording(account, parent, call, t + 5, "DialVerb"))
    return steps


def _outbound(account: str, call: Call) -> list[tuple[dict[str, str], bool]]:
    t, talk = call.start, call.talk_seconds
    employee = _Leg(account, _sid("CA", call, "api"), {"Direction": "outbound-api", "From": call.line,
                                                        "To": _address(call.extension)})
    customer = _Leg(account, _sid("CA", call, "customer"), {"Direction": "outbound-dial", "From": call.line,
                                                            "To": call.customer}, employee.fields["CallSid"])
    steps = [(employee.status(status, at), False) for status, at in zip(EVENTS[:3], (t, t + 1, t + 4), strict=True)]
    steps += [(customer.status(status, at), True) for status, at in zip(EVENTS[:3], (t + 4, t + 5, t + 10),
                                                                        strict=True)]
    steps += [(customer.status("completed", t + 10 + talk, CallDuration=str(talk)), True),
              (employee.status("completed", t + 10 + talk, CallDuration=str(talk + 6)), False),
              (_recording(account, employee.fields["CallSid"], call, t + 4, "OutboundAPI"), False)]
    return steps


def requests(scenario: str, url: str, *, key: str | None, secret: str, call: Call) -> list[Request]:
    """The callbacks Twilio posts for one call of the scenario, in the order it posts them."""
    account = key or "AC" + "0" * 32
    if scenario == "outbound":
        posts = [(f"{url}?{urlencode({'leg': 'customer'})}" if customer_leg else url, fields)
                 for fields, customer_leg in _outbound(account, call)]
    else:
        posts = [(url, fields) for fields in _inbound(account, call, answered=scenario == "answered")]
    return [Request(url=target, body=urlencode(fields).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1",
                             "X-Twilio-Signature": signature(secret, target, fields)})
            for target, fields in posts]
