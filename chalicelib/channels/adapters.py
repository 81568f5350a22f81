"""The provider adapter contract: verify, handshake, route, parse, answer.

A provider's adapter is a class registered under its integration type. The hook
(:mod:`channels.hooks`) routes a delivery to its tenant and integration by the URL's key, lets the
adapter answer a URL check (``handshake``: Zadarma's ``zd_echo``), checks the provider's own
signature (``verify``) before anything is parsed, turns the request into deliveries to store
(``parse``: the provider's raw fields, its event id, a summary line) and answers what the provider
expects (``answer``). What a delivery means (a call, a message) is read again from the stored raw
fields when it is processed, so a parser fixed later and a replay correct what was stored.
"""

from __future__ import annotations

import base64
import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from chalicelib.core import errors
from chalicelib.core.schema import Schema


@dataclass(frozen=True)
class Inbound:
    """A provider's request as the hook received it."""

    provider: str
    method: str
    url: str  # as the provider called it: the public URL, path and query (Twilio signs exactly this)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    tail: str | None = None  # what follows the key in the path (Mango's "call" of /events/call)
    ip: str | None = None
    request_id: str | None = None

    def header(self, name: str) -> str | None:
        """A header's value (names are case-insensitive)."""
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str]:
        """The body as an url-encoded form (the last value of a repeated field); 400 when it is not one."""
        try:
            text = self.body.decode("utf-8")
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except (UnicodeDecodeError, ValueError) as exc:
            raise errors.BadRequestError("The body is not a form.", code="invalid_body") from exc


@dataclass(frozen=True)
class Reply:
    """What the hook answers the provider."""

    status: int = 200
    body: str = "ok"
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Parsed:
    """One delivery to store: the provider's raw fields, its own event id (to deduplicate), a summary."""

    fields: dict[str, Any]
    provider_event_id: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class Credentials:
    """An integration's settings, its sealed provider secrets in clear, and its own signing secret."""

    settings: Mapping[str, Any]
    secrets: Mapping[str, str]
    signing_secret: str
    webhook_url: str = ""  # the integration's own hook (a provider told where to report a call it makes)

    def secret(self, name: str) -> str:
        """A provider secret (401 when the integration has none: nothing can be verified without it)."""
        value = self.secrets.get(name)
        if not value:
            raise invalid_signature()
        return value

    def basic_auth(self, user_setting: str, password_secret: str) -> tuple[str, str]:
        """The user a setting names and an HTTP Basic ``Authorization`` header with a secret as its password
        (Twilio's API, for calls and for messages alike)."""
        user = str(self.settings.get(user_setting) or "")
        token = self.secret(password_secret)
        return user, "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


def invalid_signature() -> errors.CRMError:
    """The one answer to a forged, stale or missing signature (nothing is stored)."""
    return errors.UnauthenticatedError("The signature is missing or wrong.", code="invalid_signature", headers={})


def unparseable(message: str, loc: str = "body") -> errors.CRMError:
    """A signed request whose content cannot be read (422, nothing stored)."""
    return errors.ValidationError(message, details=[{"loc": [loc], "msg": message, "type": "invalid_event"}])


class Adapter(ABC):
    """A provider's steps. Subclasses set the class attributes, verify and parse, and override what differs."""

    settings_model: ClassVar[type[Schema]]  # (declared before ``type``, which it would otherwise shadow)
    type: ClassVar[str]  # the integration type ("zadarma")
    label: ClassVar[str]  # how people name the provider ("Zadarma")
    secret_settings: ClassVar[tuple[str, ...]] = ()  # settings sealed at rest and never shown (a hint only)
    methods: ClassVar[tuple[str, ...]] = ("POST",)

    def handshake(self, inbound: Inbound) -> Reply | None:
        """An answer to a URL check that carries no event (before verification), or None."""
        return None

    def verified_handshake(self, inbound: Inbound, credentials: Credentials) -> Reply | None:
        """An answer to a URL check that proves itself with a secret of the integration (Meta's
        ``hub.verify_token``), or None; it answers its own refusal (Meta expects a 403)."""
        return None

    def connect(self, credentials: Credentials) -> Mapping[str, Any] | None:
        """Tell the provider where to post (Telegram's ``setWebhook``) when the integration is created or its
        URL, secret or credentials change; a refusal raises (502) and nothing is written. Answers settings the
        provider told (Telegram's bot username), kept with the integration's."""
        return None

    @abstractmethod
    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        """Raise :func:`invalid_signature` unless the request carries the provider's valid signature."""

    @abstractmethod
    def parse(self, inbound: Inbound) -> list[Parsed]:
        """The deliveries in a verified request (422 via :func:`unparseable` when it has none readable)."""

    def answer(self, inbound: Inbound, event_ids: list[str]) -> Reply:
        """What the provider expects once its deliveries are stored."""
        return Reply()


# Where each provider's adapter is declared, imported on first use (a hook loads only its provider's).
# The integrations and the hooks reach a provider through this table, so neither imports a provider.
PROVIDERS = {
    "zadarma": "chalicelib.telephony.providers.zadarma",
    "mango": "chalicelib.telephony.providers.mango",
    "twilio": "chalicelib.telephony.providers.twilio",
    "pbx": "chalicelib.telephony.providers.pbx",
    "whatsapp": "chalicelib.messaging.providers.whatsapp",
    "telegram": "chalicelib.messaging.providers.telegram",
    "email": "chalicelib.messaging.providers.email",
}
_ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    """Make an adapter the one of its integration type."""
    _ADAPTERS[adapter.type] = adapter
    return adapter


def find(integration_type: str) -> Adapter | None:
    """The adapter of an integration type (its module imported on first use), or None."""
    found = _ADAPTERS.get(integration_type)
    if found is None and integration_type in PROVIDERS:
        importlib.import_module(PROVIDERS[integration_type])
        found = _ADAPTERS.get(integration_type)
    return found
