"""The links in a campaign's messages, followed without signing in: unsubscribe, click, open.

Each verifies its token under the tenant it names (``tokens``) before anything is read; a token that fails, or
names what is not there, answers 404 like any unknown link. An unsubscribe withdraws the channel's consent (once:
following it again changes nothing) and counts on the campaign once; a click goes to the campaign's own link of
that index and counts a click (and an open); an open answers a transparent GIF and counts once.
"""

from __future__ import annotations

from typing import Any

from chalicelib.campaigns import consent, sending, tokens, tracking
from chalicelib.core import crypto, errors, tenancy
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
       b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def context(token: str, kind: str) -> tuple[TenantContext, tokens.Link] | None:
    """The tenant and what a valid token names, or None (bad shape, bad MAC, no such tenant's key)."""
    found = tokens.shape(token, kind)
    if found is None:
        return None
    ctx = TenantContext(tenant_id=found.tenant_id, actor_id=found.contact_id, actor_kind="system", role="system",
                        source="campaign_link")
    try:
        with tenancy.bind(ctx):
            return (ctx, found) if tokens.verify(ctx, token, found) else None
    except crypto.KeyUnavailableError:  # a tenant that has no key (never was, or was deleted): an unknown link
        return None  # (an outage of KMS or the table is a 503: the reader may press again)


def unsubscribe(token: str) -> bool:
    """Withdraw the consent a token names (idempotent); False for a link that is not valid."""
    found = context(token, "u")
    if found is None:
        return False
    ctx, link = found
    with tenancy.bind(ctx):
        if link.contact_id == "0" * 26:  # a test send's link: nothing to withdraw
            return True
        if sending.get(ctx, link.campaign_id) is None and tracking.marker(ctx, link.campaign_id,
                                                                          link.contact_id) is None:
            return False
        _, written = consent.change(ctx, link.contact_id, {link.channel: "withdrawn"}, source="unsubscribe_link",
                                    by=None, campaign_id=link.campaign_id)
        tracking.first(ctx, link.campaign_id, link.contact_id, "unsubscribed")
        if written:
            logger.info("unsubscribed through a campaign link", extra={"channel": link.channel})
    return True


def valid(token: str, kind: str) -> bool:
    """True when a token is one of ours (the unsubscribe page shows its button only then)."""
    return context(token, kind) is not None


def click(token: str) -> str | None:
    """The campaign's own link a click token names (the click and an open counted), or None."""
    found = context(token, "c")
    if found is None:
        return None
    ctx, link = found
    with tenancy.bind(ctx):
        campaign = sending.get(ctx, link.campaign_id)
        links = list(campaign.links or []) if campaign is not None else []
        if link.link >= len(links):
            return None
        try:
            tracking.first(ctx, link.campaign_id, link.contact_id, "clicked", "opened")
        except errors.CRMError:  # the reader still goes where the link leads
            logger.warning("click not counted", exc_info=True)
        return str(links[link.link])


def opened(token: str) -> None:
    """Count an open (first only); never fails the pixel."""
    found = context(token, "o")
    if found is None:
        return
    ctx, link = found
    with tenancy.bind(ctx):
        try:
            tracking.first(ctx, link.campaign_id, link.contact_id, "opened")
        except errors.CRMError:
            logger.warning("open not counted", exc_info=True)


def page(title: str, lines: list[str], *, form: str | None = None) -> str:
    """A small public page in English and Russian."""
    import html

    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    button = ""
    if form is not None:
        button = (f'<form method="post" action="{html.escape(form)}"><input type="hidden" name="List-Unsubscribe" '
                  'value="One-Click"><button type="submit">Unsubscribe / Отписаться</button></form>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title></head>'
            f'<body><main><h1>{html.escape(title)}</h1>{body}{button}</main></body></html>')


def answer(kind: str) -> dict[str, Any]:
    """The texts of the unsubscribe pages."""
    texts = {
        "ask": ("Unsubscribe", ["Stop receiving these messages?", "Больше не получать эти сообщения?"]),
        "done": ("Unsubscribed", ["You will no longer receive these messages.",
                                  "Вы отписались и больше не будете получать эти сообщения."]),
        "unknown": ("Link not valid", ["This link is not valid or has expired.",
                                       "Эта ссылка недействительна или устарела."]),
    }
    title, lines = texts[kind]
    return {"title": title, "lines": lines}
