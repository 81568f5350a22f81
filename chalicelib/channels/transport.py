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

A URL a company chose (its PBX's recording link) is fetched only from a public address (``public_only``): one
naming loopback, a private network, link-local (the instance metadata at 169.254.169.254) or Lambda's own
runtime API at 127.0.0.1:9001 would otherwise make our Lambda fetch it and hand the answer back as a recording.
The name is resolved once, every address it resolves to must be public, and the connection goes to the address
checked (a second lookup could answer another: DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

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
    public_only: bool = False  # a URL a company chose: fetched only from a public address (see the module)

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


class NotPublicError(ProviderError):
    """A URL a company chose names a host that is not on the public internet (422: the link is refused)."""

    status = 422
    code = "url_not_public"


# Names that only ever mean a machine of one's own network (RFC 6761, 6762, 8375; cloud metadata hosts).
_LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan", ".intranet")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _is_public(address: IPAddress) -> bool:
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    found = mapped or address
    return found.is_global and not found.is_multicast


def _numeric(host: str) -> IPAddress | None:
    """The address a host names by number, in any form the resolver reads (127.1, 0x7f.1, 2130706433)."""
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(str(found[0][4][0]).split("%")[0])


def check_public_url(url: str) -> None:
    """Refuse (NotPublicError) a URL that is not http(s) or whose host is not public by its very form: a local
    name, a name of one label (the resolver's search list makes it a local one) or a non-public address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise NotPublicError("Only an http or https link to a public address is fetched.")
    number = _numeric(host)
    if number is not None and _is_public(number):
        return
    if number is not None or "." not in host or host.endswith(_LOCAL_SUFFIXES):
        raise NotPublicError("The link names a local or private address; only public addresses are fetched.")


def _public_address(host: str, port: int) -> str:
    """The one address a public URL's host is fetched from: every address the name resolves to must be public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ProviderError("The link's host could not be found.") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses or not all(_is_public(address) for address in addresses):
        raise NotPublicError("The link names a local or private address; only public addresses are fetched.")
    return str(addresses[0])


def _pinned(request: Outbound) -> Any:
    """A connection pool to the checked public address of the request's host (TLS still checks the name)."""
    import urllib3

    check_public_url(request.url)
    parts = urlsplit(request.url)
    host = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _public_address(host, port)
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    if parts.scheme == "https":
        return urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, server_hostname=host,
                                           assert_hostname=host)
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


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
        if request.public_only:
            parts = urlsplit(request.url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers = {"Host": parts.netloc.rpartition("@")[2], **request.headers}
            found = _pinned(request).urlopen(request.method, target, body=request.body or None, headers=headers,
                                             preload_content=False, redirect=False)
        else:
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
    if request.public_only:
        check_public_url(request.url)  # in the sandbox too: the tests see what AWS would refuse
    return _sandbox(request) if sandboxed() else _real(request)


def describe(request: Outbound) -> dict[str, Any]:
    """The request as a dict (tests compare it with the provider's documented format)."""
    return asdict(request)
