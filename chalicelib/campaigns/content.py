"""A campaign's content per recipient: merge fields, tracked links, the unsubscribe footer, the e-mail's MIME.

Merge fields are ``{first_name}``, ``{last_name}`` and ``{name}``, replaced as text (never ``str.format``: a
body is the business's text, not code). A field may carry the words said when it has no value,
``{first_name|друг}`` ("Hi {first_name|there}", HubSpot's and Mailchimp's default value): a contact the CRM named
by its phone number (a call's or a text's newcomer) has no first name to greet, so "Здравствуйте, +7 916 …!" is
not sent. The links of the body (``http(s)://...``) are found when the campaign is saved and kept in order; each
is sent as the recipient's click link naming it by index. Every message carries its unsubscribe link: an e-mail in
its footer and in ``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058: a mail
client unsubscribes with one POST, no page, no sign-in); an SMS and a Telegram message in its last line; a WhatsApp
template as its last body parameter (the approved template ends with a variable for it).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from chalicelib.campaigns import tokens
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext

LINK = re.compile(r"https?://[^\s<>\"')]+")
FIELDS = ("first_name", "last_name", "name")
FIELD_LIKE = re.compile(r"\{\s*(\w+)\s*(?:\|[^{}]*)?\}")  # what a writer means as a field ({имя}, {url|x})
FIELD = re.compile(r"\{(\w+)(?:\|([^{}]*))?\}")  # a field as written: {first_name}, or {first_name|there}
MAX_LINKS = 20
FOOTER = {"en": ("Unsubscribe", "You receive this because you agreed to hear from us."),
          "ru": ("Отписаться", "Вы получили это письмо, потому что согласились получать наши сообщения.")}
SAMPLES = {"en": {"first_name": "Anna", "last_name": "Smith"},  # the preview's recipient, as the company names people
           "ru": {"first_name": "Анна", "last_name": "Смирнова"}}


@dataclass(frozen=True)
class Rendered:
    """One recipient's message."""

    subject: str | None
    text: str
    html: str | None
    parameters: tuple[str, ...] = ()
    unsubscribe_url: str = ""


def sample(locale: str) -> dict[str, str]:
    """The preview's recipient in the company's language."""
    return SAMPLES.get(locale[:2], SAMPLES["en"])


def links_of(body: str | None) -> list[str]:
    """The distinct links of a body, in order of appearance (at most ``MAX_LINKS``)."""
    found: list[str] = []
    for match in LINK.finditer(body or ""):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found[:MAX_LINKS]


def merge(text: str, person: dict[str, Any]) -> str:
    """Text with its merge fields replaced by the person's values (the field's default when unknown, else empty)."""
    first, last = str(person.get("first_name") or ""), str(person.get("last_name") or "")
    return fill(text, {"first_name": first, "last_name": last, "name": " ".join(p for p in (first, last) if p)})


def fill(text: str, values: dict[str, str], known: tuple[str, ...] = FIELDS) -> str:
    """Each known field of a text (``{name}`` or ``{name|default}``) replaced by its value, or by its default
    when it has none; anything else is left as written."""
    def one(found: re.Match[str]) -> str:
        if found.group(1) not in known:
            return found.group(0)
        return values.get(found.group(1)) or (found.group(2) or "").strip()
    return FIELD.sub(one, text)


def unknown_fields(text: str | None, known: tuple[str, ...] = FIELDS) -> list[str]:
    """The ``{...}`` of a text that are no merge field (``{ first_name }`` included): they would reach every
    recipient as written. ``known``: the fields of the text's kind (an automation's message knows a task's too)."""
    return [match.group(0) for match in FIELD_LIKE.finditer(text or "")
            if not ((field := FIELD.fullmatch(match.group(0))) and field.group(1) in known)]


def person_of(contact: Any) -> dict[str, Any]:
    """What merge fields read of a contact: a first name with no letter is the number the CRM named a caller or a
    texter by, no name to greet her with."""
    first = getattr(contact, "first_name", None)
    named = first if first and any(ch.isalpha() for ch in str(first)) else None
    return {"first_name": named, "last_name": getattr(contact, "last_name", None)}


def _tracked(ctx: TenantContext, campaign: Any, contact_id: str, text: str, *, as_html: bool) -> str:
    links = list(campaign.links or [])

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found not in links:
            return html.escape(found) if as_html else found
        target = tokens.url(ctx, kind="c", campaign_id=campaign.campaign_id, contact_id=contact_id,
                            channel=campaign.channel, link=links.index(found))
        return f'<a href="{html.escape(target)}">{html.escape(found)}</a>' if as_html else target

    if not as_html:
        return LINK.sub(replace, text)
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts.append(html.escape(text[last:match.start()]))
        parts.append(replace(match))
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts).replace("\n", "<br>\n")


def render(ctx: TenantContext, campaign: Any, contact_id: str, person: dict[str, Any], *, locale: str = "en",
           tracked: bool = True) -> Rendered:
    """The message one recipient gets (``tracked=False``: a preview, its links as written)."""
    word, why = FOOTER.get(locale[:2], FOOTER["en"])
    unsubscribe = tokens.url(ctx, kind="u", campaign_id=campaign.campaign_id, contact_id=contact_id,
                             channel=campaign.channel)
    if campaign.channel == "whatsapp":
        template = campaign.template or {}
        parameters = tuple(merge(str(p), person) for p in template.get("parameters") or [])
        return Rendered(None, " · ".join(parameters), None, (*parameters, unsubscribe), unsubscribe)
    body = merge(campaign.body or "", person)
    text = _tracked(ctx, campaign, contact_id, body, as_html=False) if tracked else body
    if campaign.channel in ("sms", "telegram"):
        return Rendered(None, f"{text}\n{word}: {unsubscribe}", None, (), unsubscribe)
    subject = merge(campaign.subject or "", person)
    pixel = tokens.url(ctx, kind="o", campaign_id=campaign.campaign_id, contact_id=contact_id, channel="email")
    body_html = _tracked(ctx, campaign, contact_id, body, as_html=True) if tracked else html.escape(body)
    page = (f'<!doctype html><html><body><div>{body_html}</div><hr><p style="font-size:12px;color:#666">'
            f'{html.escape(why)} <a href="{html.escape(unsubscribe)}">{html.escape(word)}</a></p>'
            f'<img src="{html.escape(pixel)}" width="1" height="1" alt=""></body></html>')
    return Rendered(subject, f"{text}\n\n--\n{why}\n{word}: {unsubscribe}\n", page, (), unsubscribe)


def mime(rendered: Rendered, *, to: str) -> bytes:
    """The e-mail as SES sends it raw: text and HTML alternatives, and the one-click unsubscribe headers."""
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP.clone(max_line_length=998))  # a long link stays whole, never encoded
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = rendered.subject or ""
    message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text, charset="utf-8")
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message.as_bytes()
