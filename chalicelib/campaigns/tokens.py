"""Signed links in a campaign's messages: unsubscribe (``u``), click (``c``) and open (``o``).

A token reads ``<tenant>.<kind>.<campaign>.<contact>.<channel>.<link>.<mac>``: the ids say what it acts on, and
the MAC is a keyed digest under the tenant's own data key (``crypto.keyed_digest``), so only that tenant's key
makes one, a token with another tenant's id in it fails its MAC under that tenant's key, and deleting a company
(its key shredded) kills its links. No personal data is in a link: ids only. A click token names a link of the
campaign by its index, never a URL: the redirect goes only to the campaign's own links (no open redirect).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from chalicelib.core import crypto
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, is_valid_id

KINDS = ("u", "c", "o")
CHANNELS = ("email", "sms", "whatsapp", "telegram")
MAC_CHARS = 22  # 132 bits of the digest
PATHS = {"u": "/m/u/", "c": "/m/c/", "o": "/m/o/"}


@dataclass(frozen=True)
class Link:
    """What a token names."""

    tenant_id: str
    kind: str
    campaign_id: str
    contact_id: str
    channel: str
    link: int = 0

    def body(self) -> str:
        """The signed part."""
        return ".".join((self.tenant_id, self.kind, self.campaign_id, self.contact_id, self.channel, str(self.link)))


def _mac(ctx: TenantContext, body: str) -> str:
    return crypto.keyed_digest(ctx, purpose="campaign-link", value=body)[:MAC_CHARS]


def make(ctx: TenantContext, *, kind: str, campaign_id: str, contact_id: str, channel: str, link: int = 0) -> str:
    """A token for one recipient's link of a kind."""
    found = Link(ctx.tenant_id, kind, campaign_id, contact_id, channel, link)
    return f"{found.body()}.{_mac(ctx, found.body())}"


def url(ctx: TenantContext, *, kind: str, campaign_id: str, contact_id: str, channel: str, link: int = 0) -> str:
    """The absolute URL of a recipient's link."""
    token = make(ctx, kind=kind, campaign_id=campaign_id, contact_id=contact_id, channel=channel, link=link)
    return f"{settings.public_url}{PATHS[kind]}{token}"


def shape(token: str, kind: str) -> Link | None:
    """What a token says it names, before its MAC is checked (None when it is not of our shape)."""
    parts = token.split(".")
    if len(parts) != 7 or len(token) > 200:
        return None
    tenant_id, found_kind, campaign_id, contact_id, channel, link, _ = parts
    if found_kind != kind or channel not in CHANNELS or not link.isdigit() or len(link) > 3:
        return None
    if not all(is_valid_id(part) for part in (tenant_id, campaign_id, contact_id)):
        return None
    return Link(tenant_id, kind, campaign_id, contact_id, channel, int(link))


def verify(ctx: TenantContext, token: str, found: Link) -> bool:
    """True when the token's MAC is the tenant's (constant-time)."""
    if ctx.tenant_id != found.tenant_id:
        return False
    return hmac.compare_digest(token.rsplit(".", 1)[1], _mac(ctx, found.body()))
