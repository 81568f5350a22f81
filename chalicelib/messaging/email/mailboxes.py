"""Forwarding addresses: ``<token>@<inbound domain>``, one per e-mail line, that a business forwards its mailbox to.

The token is derived from the line's webhook key (HMAC under the stage's hook key, 130 bits, lower-case base32:
mail programs may fold the case of an address), so it is unguessable, stays the same while the key does, and
changes when the key is rotated. ``G#mailbox#<HMAC of the token>`` names the key's digest, whose own global
lookup (``integrations``' ``G#hook#``) names the tenant and the integration: an address of a rotated key, a
deleted line or a line whose creation failed leads nowhere, and this item holds no tenant id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from chalicelib.conversations.models import MailboxLookup
from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import global_key

SK = "MAILBOX"
TOKEN_CHARS = 26


def _hook_key() -> bytes:
    from chalicelib.core import secrets

    return secrets.hook_key()


def token_of(webhook_key: str) -> str:
    """The forwarding address's local part for a line's webhook key."""
    digest = hmac.new(_hook_key(), b"mailbox:" + webhook_key.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:TOKEN_CHARS]


def address_of(webhook_key: str) -> str:
    """The forwarding address of a line."""
    return f"{token_of(webhook_key)}@{settings.inbound_mail_domain}"


def lookup_pk(token: str) -> str:
    """Global key of a forwarding address's lookup (named by the HMAC of its token, never the token)."""
    return global_key("mailbox", hmac.new(_hook_key(), token.encode(), hashlib.sha256).hexdigest())


def remember(webhook_key: str) -> str:
    """Write the lookup of a line's address (the same item every time: idempotent); answers the address."""
    from chalicelib.integrations import service as integrations_service

    token = token_of(webhook_key)
    item = MailboxLookup(lookup_pk(token), SK, key_digest=integrations_service.key_digest(webhook_key))
    with db.translate_errors():
        item.save()
    return f"{token}@{settings.inbound_mail_domain}"


def key_digest_of(address: str) -> str | None:
    """The webhook key digest an address of our inbound domain leads to, or None."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain != settings.inbound_mail_domain or len(local) != TOKEN_CHARS or not local.isalnum():
        return None
    with db.translate_errors():
        try:
            found = MailboxLookup.get(lookup_pk(local), SK, consistent_read=True)
        except MailboxLookup.DoesNotExist:
            return None
    return str(found.key_digest)
