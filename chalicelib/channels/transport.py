"""Outbound requests to providers: one interface, a real HTTP client in AWS, a recording sandbox locally.

Every request a provider adapter makes (Zadarma's callback, Mango's ``commands/callback``, Twilio's
Calls API, a recording download ...) is an :class:`Outbound` handed to :func:`send`. In AWS it goes out
through urllib3 (already in the bundle as botocore's dependency, so no new package, and its pool keeps
connections warm across invocations). Where the stage says ``CRM_PROVIDER_TRANSPORT=sandbox`` (``make
run`` and the tests) nothing leaves the machine: the request is recorded where a person can read it (a
JSON line per request in ``CRM_SANDBOX_LOG`` when set, and :func:`sandbox_requests` in the process), and
the provider's registered sandbox answers it as the provider documents.

A request's secrets (signatures, tokens, passwords in a URL) are the adapter's to keep out of the record:
it names them in ``secret_headers``; the sandbox writes ``***`` in their place.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.core import errors
from chalicelib.core.observability import logger

TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 50 * 1024 * 1024  # a recording of an hour's call in MP3 is well under this


@dataclass(frozen=True)
class Outbound:
    """One HTTP request to a provider."""

    provider: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    secret_headers: tuple[str, ...] = ()
    secret_values: tuple[str, ...] = ()  # secrets inside the URL or body (Telegram's bot token is in its path)

    def recorded(self) -> dict[str, Any]:
        """What the sandbox records: the request with its secret headers and values masked."""
        shown = {k: ("***" if k.lower() in {s.lower() for s in self.secret_headers} else v)
                 for k, v in self.headers.items()}
        try:
            body: Any = self.body.decode()
        except UnicodeDecodeError:
            body = f"<{len(self.body)} bytes>"
        url = self.url
        for value in filter(None, self.secret_values):
            url = url.replace(value, "***")
            body = body.replace(value, "***") if isinstance(body, str) else body
        return {"provider": self.provider, "method": self.method, "url": url, "headers": shown, "body": body}


@dataclass(frozen=True)
class Answer:
    """The provider's answer."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON; a provider that answered something else is a failed request (502)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise ProviderError("The provider answered something that is not JSON.") from exc


class ProviderError(errors.CRMError):
    """A provider refused or failed a request (502: the fault is upstream, not the caller's)."""

    status = 502
    code = "provider_error"


class ProviderBusy(ProviderError):
    """The provider asked to be called again later: it throttled the request (HTTP 429, or a rate-limit code in its
    body as Meta answers) (503). A campaign's send tries the recipient again instead of failing it for good."""

    status = 503
    code = "provider_busy"


Responder = Callable[[Outbound], Answer]
_RESPONDERS: dict[str, Responder] = {}
_RECORDED: list[dict[str, Any]] = []
_LOCK = threading.Lock()


def register_sandbox(provider: str, responder: Responder) -> None:
    """How the sandbox answers a provider's requests (as the provider documents its answers)."""
    _RESPONDERS[provider] = responder


def sandboxed() -> bool:
    """True when no request leaves the machine (``make run``, the tests)."""
    return os.environ.get("CRM_PROVIDER_TRANSPORT", "") == "sandbox"


def sandbox_requests(provider: str | None = None) -> list[dict[str, Any]]:
    """The requests the sandbox has recorded in this process (of one provider), oldest first."""
    with _LOCK:
        return [dict(r) for r in _RECORDED if provider is None or r["provider"] == provider]


def clear_sandbox() -> None:
    """Forget the recorded requests (tests)."""
    with _LOCK:
        _RECORDED.clear()


def _record(request: Outbound) -> None:
    entry = request.recorded()
    with _LOCK:
        _RECORDED.append(entry)
    path = os.environ.get("CRM_SANDBOX_LOG")
    if path:
        with _LOCK, open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _sandbox(request: Outbound) -> Answer:
    _record(request)
    responder = _RESPONDERS.get(request.provider)
    return responder(request) if responder is not None else Answer(404, b'{"error":"no sandbox"}')


_POOL: Any = None


def _pool() -> Any:
    global _POOL
    if _POOL is None:
        import urllib3  # botocore's own dependency: in the bundle already

        _POOL = urllib3.PoolManager(timeout=urllib3.Timeout(total=TIMEOUT_SECONDS), retries=False)
    return _POOL


def _real(request: Outbound) -> Answer:
    import urllib3

    try:
        found = _pool().request(request.method, request.url, body=request.body or None, headers=request.headers,
                                preload_content=False)
        body = found.read(MAX_ANSWER_BYTES + 1, decode_content=True)
        found.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        logger.warning("provider request failed", extra={"provider": request.provider, "error": type(exc).__name__})
        raise ProviderError("The provider could not be reached; try again.") from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise ProviderError("The provider's answer is too large.")
    return Answer(found.status, body, {k.lower(): v for k, v in found.headers.items()})


def send(request: Outbound) -> Answer:
    """Send a request to a provider (or to its sandbox) and answer what it said."""
    return _sandbox(request) if sandboxed() else _real(request)


def describe(request: Outbound) -> dict[str, Any]:
    """The request as a dict (tests compare it with the provider's documented format)."""
    return asdict(request)
