"""Play a website form against a running CRM: many submissions, some repeated, in any body format.

Standard library only (it runs on an integrator's machine); the sender is injectable so tests can
record requests without a network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

FORMATS = ("urlencoded", "multipart", "json")
# The lead's phone is not the calls' and chats' customer (providers.Call.customer): a call played after a form
# is a new number, as the simulators' help says, not this lead calling back.
DEFAULT_FIELDS = {"name": "Simulated Lead", "phone": "+79035550123", "email": "lead@example.com",
                  "message": "Sent by python -m webhooks simulate", "utm_source": "simulator"}


@dataclass(frozen=True)
class Request:
    """One HTTP request the simulator sends."""

    url: str
    body: bytes
    headers: dict[str, str]
    method: str = "POST"


@dataclass(frozen=True)
class Answer:
    """What the CRM answered."""

    status: int
    body: bytes


Sender = Callable[[Request], Answer]


@dataclass
class Report:
    """What a run sent and what came back."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    duplicates_answered: int = 0
    planned_repeats: int = 0

    def lines(self) -> list[str]:
        """The report as text lines."""
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return [f"sent {self.sent} submissions ({self.planned_repeats} repeats planned)",
                f"answers by status: {statuses}", f"answered as duplicates: {self.duplicates_answered}"]


def encode(fields: dict[str, str], fmt: str) -> tuple[bytes, str]:
    """A body in the format a browser or server would send, and its content type."""
    if fmt == "json":
        return json.dumps(fields, ensure_ascii=False).encode(), "application/json"
    if fmt == "urlencoded":
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    boundary = "----crm" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts += [f"--{boundary}".encode(), f'Content-Disposition: form-data; name="{name}"'.encode(), b"",
                  value.encode()]
    return b"\r\n".join([*parts, f"--{boundary}--".encode(), b""]), f"multipart/form-data; boundary={boundary}"


def signature_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """X-CRM-Timestamp and X-CRM-Signature (v1 = HMAC-SHA256 of "<timestamp>.<body>")."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-CRM-Timestamp": stamp, "X-CRM-Signature": f"v1={digest}"}


def plan(fields: dict[str, str], *, count: int, duplicates: float, rng: random.Random) -> list[dict[str, str]]:
    """The submissions to send: distinct leads, with about ``duplicates`` percent repeating an earlier one."""
    run = uuid.uuid4().hex[:6]
    submissions: list[dict[str, str]] = []
    for n in range(count):
        if submissions and rng.random() * 100 < duplicates:
            submissions.append(dict(rng.choice(submissions)))
            continue
        unique = dict(fields)
        if count > 1:  # distinct leads, so only the planned repeats are duplicates
            unique["name"] = f"{fields.get('name', 'Lead')} {n + 1}"
            local, _, domain = fields.get("email", "lead@example.com").partition("@")
            unique["email"] = f"{local}+{run}.{n + 1}@{domain or 'example.com'}"
        submissions.append(unique)
    return submissions


def http_sender(timeout: float = 15.0) -> Sender:
    """A sender over the network (urllib)."""

    def send(request: Request) -> Answer:
        if not request.url.startswith(("http://", "https://")):  # never file: or other schemes
            raise ValueError("the webhook URL must be http(s)")
        http_request = urllib.request.Request(  # noqa: S310 - scheme checked above
            request.url, data=request.body if request.method != "GET" else None, headers=request.headers,
            method=request.method)
        try:
            with urllib.request.urlopen(http_request, timeout=timeout) as response:  # noqa: S310 - checked above
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read())

    return send


def simulate_form(url: str, fields: dict[str, str], *, count: int = 1, duplicates: float = 0.0,
                  fmt: str = "urlencoded", concurrency: int = 1, secret: str | None = None,
                  sender: Sender | None = None, rng: random.Random | None = None) -> Report:
    """Send count submissions of a form to its webhook URL; what came back."""
    send = sender or http_sender()
    submissions = plan(fields, count=count, duplicates=duplicates, rng=rng or random.Random())
    report = Report(planned_repeats=sum(1 for i, s in enumerate(submissions) if s in submissions[:i]))

    def one(submission: dict[str, str]) -> Answer:
        body, content_type = encode(submission, fmt)
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "crm-webhooks-simulator"}
        if secret:
            headers.update(signature_headers(secret, body))
        return send(Request(url=url, body=body, headers=headers))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for answer in pool.map(one, submissions):
            report.sent += 1
            report.statuses[answer.status] += 1
            report.duplicates_answered += int(_is_duplicate(answer))
    return report


def _is_duplicate(answer: Answer) -> bool:
    try:
        return bool(json.loads(answer.body or b"{}").get("duplicate"))
    except (ValueError, AttributeError):
        return False
