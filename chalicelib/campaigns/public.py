"""The links in a campaign's messages, followed without signing in: unsubscribe, click, open.

Each verifies its token under the tenant it names (``tokens``) before anything is read; a token that fails, or
names what is not there, answers 404 like any unknown link. An unsubscribe withdraws the channel's consent (once:
following it again changes nothing) and counts on the campaign once; a click goes to the campaign's own link of
that index and counts a click (and an open); an open answers a transparent GIF and counts once.

The unsubscribe page speaks the company's language (its locale; ``?lang=en|ru`` overrides) and names the company
(a reader who gets a bare "Unsubscribe" does not know from whom), and shows nothing of the reader: the link may
have been forwarded.
"""

from __future__ import annotations

from typing import NamedTuple

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


class Sender(NamedTuple):
    """Who sent a message, as its public page shows them: the company's name and language."""

    name: str
    language: str


def _sender(ctx: TenantContext) -> Sender:
    from chalicelib.identity import service as identity_service

    tenant = identity_service.tenant_settings(ctx)
    locale = str(getattr(tenant, "locale", None) or "en").lower()[:2]
    return Sender(name=str(getattr(tenant, "name", None) or ""), language="ru" if locale == "ru" else "en")


def unsubscribe(token: str) -> Sender | None:
    """Withdraw the consent a token names (idempotent) and say who sent it; None for a link that is not valid."""
    found = context(token, "u")
    if found is None:
        return None
    ctx, link = found
    with tenancy.bind(ctx):
        if link.contact_id == "0" * 26:  # a test send's link: nothing to withdraw
            return _sender(ctx)
        if sending.get(ctx, link.campaign_id) is None and tracking.marker(ctx, link.campaign_id,
                                                                          link.contact_id) is None:
            return None
        _, written = consent.change(ctx, link.contact_id, {link.channel: "withdrawn"}, source="unsubscribe_link",
                                    by=None, campaign_id=link.campaign_id)
        tracking.first(ctx, link.campaign_id, link.contact_id, "unsubscribed")
        if written:
            logger.info("unsubscribed through a campaign link", extra={"channel": link.channel})
        return _sender(ctx)


def sender(token: str, kind: str) -> Sender | None:
    """Who sent a message when a token is one of ours (the unsubscribe page shows its button only then), or None."""
    found = context(token, kind)
    if found is None:
        return None
    with tenancy.bind(found[0]):
        return _sender(found[0])


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


TEXT = {
    "en": {"ask": ("Unsubscribe", "Stop receiving these messages?"), "button": "Unsubscribe",
           "done": ("Unsubscribed", "You will no longer receive these messages."),
           "unknown": ("Link not valid", "This link is not valid or has expired.")},
    "ru": {"ask": ("Отписаться", "Больше не получать эти сообщения?"), "button": "Отписаться",
           "done": ("Вы отписались", "Вы больше не будете получать эти сообщения."),
           "unknown": ("Ссылка недействительна", "Эта ссылка недействительна или устарела.")},
}


def language(asked: str | None, sender: Sender | None) -> str:
    """The page's language: the one asked for (``?lang=``) when we have it, else the company's, else English."""
    if asked in TEXT:
        return str(asked)
    return sender.language if sender is not None else "en"


def page(kind: str, *, lang: str, company: str = "", form: str | None = None) -> str:
    """A small public page in one language (``kind``: ask, done, unknown), headed by the company's name."""
    from html import escape

    words = TEXT[lang]
    title, line = words[kind]
    heading = f'<p class="company">{escape(company)}</p>' if company else ""
    button = ""
    if form is not None:
        button = (f'<form method="post" action="{escape(form, quote=True)}"><input type="hidden" '
                  f'name="List-Unsubscribe" value="One-Click"><button type="submit">{escape(str(words["button"]))}'
                  '</button></form>')
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width,initial-scale=1">'
            f'<title>{escape(f"{title} · {company}" if company else str(title))}</title>'
            '<link rel="stylesheet" href="/static/public.css"></head>'
            f'<body><main class="public">{heading}<h1>{escape(str(title))}</h1><p>{escape(str(line))}</p>{button}'
            '</main></body></html>')
