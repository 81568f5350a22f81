#!/usr/bin/env python3
"""Report Asterisk/FreePBX calls to the CRM's ``pbx`` integration (an AGI script, standard library only).

Copy it to ``/var/lib/asterisk/agi-bin/asterisk_crm.py`` (executable), put the integration's webhook URL
and secret in ``/etc/asterisk/crm.conf`` (or the environment)::

    CRM_URL=https://crm.example.com/hooks/pbx/<key>
    CRM_SECRET=whsec_...

and call it from the dialplan at the moments a call starts, rings, is answered and ends::

    [from-trunk]
    exten => _X.,1,Set(CRM_CALL=${UNIQUEID})
     same => n,AGI(asterisk_crm.py,start,${CRM_CALL},inbound,${CALLERID(num)},${EXTEN})
     same => n,AGI(asterisk_crm.py,ringing,${CRM_CALL},inbound,${CALLERID(num)},${EXTEN},101)
     same => n,Dial(PJSIP/101,30,U(crm-answered^${CRM_CALL}^${CALLERID(num)}^${EXTEN}))
     same => n,Hangup()
    exten => h,1,AGI(asterisk_crm.py,end,${CRM_CALL},inbound,${CALLERID(num)},${EXTEN},101,${DIALSTATUS},\
                     ${ANSWEREDTIME})  ; one line in the dialplan

    [crm-answered]
    exten => s,1,AGI(asterisk_crm.py,answer,${ARG1},inbound,${ARG2},${ARG3},101)
     same => n,Return()

Arguments: ``event call_id direction from to [extension] [dial status | disposition] [talk seconds]
[recording URL]``. Asterisk's DIALSTATUS (ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL) is
turned into the CRM's disposition. Each post is signed (``X-CRM-Timestamp``, ``X-CRM-Signature: v1=<hex
HMAC-SHA256 of "<timestamp>.<body>">``) and carries an ``event_id``, so a retried post is a duplicate,
never a second event. A failed post is retried three times and then logged to stderr: the call itself is
never held up (AGI answers at once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CONFIG = Path("/etc/asterisk/crm.conf")
DISPOSITIONS = {"ANSWER": "answered", "BUSY": "busy", "NOANSWER": "missed", "CANCEL": "missed",
                "CONGESTION": "failed", "CHANUNAVAIL": "failed", "DONTCALL": "failed", "TORTURE": "failed",
                "INVALIDARGS": "failed"}
EVENTS = ("start", "ringing", "answer", "end", "recording")
ATTEMPTS = 3


def settings(env: dict[str, str] | None = None, config: Path = CONFIG) -> tuple[str, str]:
    """The webhook URL and the secret: from the environment, else from the config file."""
    found = dict(env if env is not None else os.environ)
    if config.exists():
        for line in config.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() and not name.strip().startswith("#"):
                found.setdefault(name.strip(), value.strip())
    url, secret = found.get("CRM_URL", ""), found.get("CRM_SECRET", "")
    if not url.startswith(("https://", "http://")) or not secret:
        raise SystemExit("asterisk_crm: set CRM_URL and CRM_SECRET (environment or /etc/asterisk/crm.conf)")
    return url, secret


def event(args: Sequence[str], *, now: float | None = None) -> dict[str, Any]:
    """The CRM event for the script's arguments."""
    if len(args) < 5 or args[0] not in EVENTS:
        raise SystemExit("usage: asterisk_crm.py start|ringing|answer|end|recording CALL_ID inbound|outbound "
                         "FROM TO [EXTENSION] [DIALSTATUS] [TALK_SECONDS] [RECORDING_URL]")
    name, call_id, direction, source, target, *rest = args
    moment = datetime.fromtimestamp(now if now is not None else time.time(), tz=UTC)
    found: dict[str, Any] = {"event_id": f"{call_id}:{name}", "call_id": call_id, "event": name,
                             "direction": direction, "at": moment.isoformat().replace("+00:00", "Z"),
                             "from": source or None, "to": target or None}
    extension = rest[0] if rest else ""
    if extension:
        found["extension"] = extension
    if name == "end":
        status = (rest[1] if len(rest) > 1 else "").upper()
        found["disposition"] = DISPOSITIONS.get(status, "answered" if status == "" else "failed")
        talk = rest[2] if len(rest) > 2 else ""
        found["duration"] = int(talk) if talk.isdigit() else 0
    if len(rest) > 3 and rest[3]:
        found["recording_url"] = rest[3]
    return {key: value for key, value in found.items() if value is not None}


def signed(url: str, secret: str, body: dict[str, Any], *, now: float | None = None) -> urllib.request.Request:
    """The signed POST of an event."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    stamp = str(int(now if now is not None else time.time()))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "User-Agent": "asterisk-crm/1",
               "X-CRM-Timestamp": stamp, "X-CRM-Signature": f"v1={digest}"}
    return urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310 - http(s) checked


def send(request: urllib.request.Request, opener: Callable[..., Any] = urllib.request.urlopen) -> int:
    """Post, retrying a network failure or a 5xx; the last status (0: never reached)."""
    status = 0
    for attempt in range(ATTEMPTS):
        try:
            with opener(request, timeout=5) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            status = error.code
            if error.code < 500:
                return status
        except OSError:
            status = 0
        time.sleep(0.5 * 2**attempt)
    return status


def _skip_agi_environment() -> None:
    """Asterisk hands an AGI script its variables on stdin, up to a blank line: read past them."""
    if sys.stdin is None or sys.stdin.isatty():
        return
    for line in sys.stdin:
        if not line.strip():
            return


def main(argv: Sequence[str] | None = None) -> int:
    """Send one event; 0 when the CRM took it."""
    _skip_agi_environment()
    url, secret = settings()
    status = send(signed(url, secret, event(list(argv if argv is not None else sys.argv[1:]))))
    if status != 200:
        print(f"asterisk_crm: the CRM answered {status or 'nothing'}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
