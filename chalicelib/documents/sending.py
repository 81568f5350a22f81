"""Sending a document to its customer, and previewing a template.

A send is recorded before it goes out and finished after: the document's ``sends`` gains an entry ``sending`` in a
transaction with the record's timeline entry and the document's audit record (an outage there sends nothing), then
the e-mail (SES, the PDF attached) or the messenger message (the customer's conversation, the PDF by a one-hour
link the provider fetches) goes out, and the entry becomes ``sent`` or ``failed`` (answered 503 / 502: the list
shows the failed attempt, and sending again is safe).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from chalicelib.core import audit, db, errors, mail
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.documents import files, numbering, requisites, service, sources, templates, wording
from chalicelib.documents import schemas as s
from chalicelib.documents.models import Document
from chalicelib.documents.sources import Source
from chalicelib.records import editing, timeline

SEND_FIELDS = ("sends",)
# "anbei erhalten Sie unsere Rechnung RE-2026-0001": the German words take their article's case
GERMAN_ARTICLES = {"invoice": "unsere", "quote": "unser", "delivery_note": "unseren", "act": "unseren"}


def _sender(ctx: TenantContext) -> tuple[str, str | None]:
    """Whom the customer reads the e-mail from (the employee sending it and the company, on the CRM's own address,
    the only one SES may send from) and where their answer goes: the employee's address. A London supplier's
    customer answering its quote wrote to the CRM's no-reply address, and the answer was lost."""
    from email.utils import formataddr

    company = str(getattr(service.identity_service.tenant_settings(ctx), "name", None) or "")
    user = service.identity_service.get_user(ctx, ctx.actor_id) if ctx.actor_id else None
    if user is None:  # an API key: the company alone
        return formataddr((company, settings.mail_from)), None
    shown = f"{user.name} ({company})" if company else str(user.name)
    return formataddr((shown, settings.mail_from)), formataddr((str(user.name), str(user.email)))


def _message(document: Document, *, to: str, text: str, body: bytes, sender: tuple[str, str | None]) -> bytes:
    """The e-mail: the text, and the PDF attached under its number."""
    message = EmailMessage()
    message["From"], reply_to = sender
    if reply_to:
        message["Reply-To"] = reply_to
    message["To"] = to
    message["Subject"] = wording.named(document.doc_type, document.number, document.locale)
    message.set_content(text)
    message.add_attachment(body, maintype="application", subtype="pdf", filename=service.pdf_name(document))
    return message.as_bytes()


# the order a document of an order was made for, named by its number ("по заказу № 154")
FOR_ORDER = {"en": " (order #{number})", "ru": " по заказу № {number}", "de": " zur Bestellung Nr. {number}"}


def _default_text(document: Document) -> str:
    title = wording.title(document.doc_type, document.locale)
    total = wording.money(int(document.total_minor), document.currency, wording.locale_of(document.locale), said=True)
    order = getattr(document, "order_number", None)
    named = FOR_ORDER[wording.locale_of(document.locale)].format(number=int(order)) if order is not None else ""
    if document.locale == "ru":
        return f"Здравствуйте!\n\n{title} № {document.number}{named} на сумму {total} во вложении.\n"
    if document.locale == "de":
        ours = GERMAN_ARTICLES[document.doc_type]
        return f"Guten Tag,\n\nanbei erhalten Sie {ours} {title} {document.number}{named} über {total}.\n"
    return f"Hello,\n\nPlease find attached {title.lower()} {document.number}{named} for {total}.\n"


def _record(ctx: TenantContext, document: Document, entry: dict[str, Any], *, status: str | None = None) -> Document:
    """The document with a send appended (status None) or its last send's status set; audited with a timeline entry
    when appended."""
    after = editing.clone(document)
    sends = [dict(send) for send in document.sends or []]
    if status is None:
        sends.append(entry)
    else:
        sends[-1] = {**sends[-1], "status": status}
    after.sends = sends
    after.updated_at = db.utcnow()
    change = db.Change().save(after)
    if status is None:
        timeline.add_entry(ctx, change, subject_type=document.source_kind, subject_id=document.source_id,
                           kind="document_sent", summary=f"Sent {document.number} by {entry['channel']}",
                           data={"document_id": document.document_id, "number": document.number,
                                 "channel": entry["channel"]})
        audit.attach(ctx, change, after, entity="document", entity_id=document.document_id, action="send",
                     before={"sends": len(document.sends or [])}, after={"sends": len(sends)})
        db.commit(ctx, change)
    else:
        db.put(ctx, after)
    return after


def send(ctx: TenantContext, document_id: str, *, data: s.DocumentSendIn) -> Document:
    """Send a document of a record the caller may change to its customer, by e-mail or messenger."""
    document = service.get_or_raise(ctx, document_id, action="update")
    if data.channel == "messenger":
        return _send_by_messenger(ctx, document, data)
    to = data.to or (document.customer or {}).get("email")
    if not to:
        raise errors.ValidationError(details=[{"loc": ["body", "to"], "type": "no_address",
                                               "msg": "The customer has no e-mail address: give one"}])
    body = files.get(document.file_key)
    entry = {"channel": "email", "to": to, "status": "sending", "at": db.utcnow().isoformat(), "by": ctx.actor_id}
    document = _record(ctx, document, entry)
    try:
        sender = _sender(ctx)
        mail.send_raw(to=to, message=_message(document, to=to, text=data.message or _default_text(document),
                                              body=body, sender=sender))
    except errors.ServiceUnavailableError:
        _record(ctx, document, entry, status="failed")
        raise
    return _record(ctx, document, entry, status="sent")


def _send_by_messenger(ctx: TenantContext, document: Document, data: s.DocumentSendIn) -> Document:
    """The PDF in the customer's messenger conversation (WhatsApp's document message, Telegram's sendDocument)."""
    import chalicelib.messaging.documents as messaging_documents

    source = sources.load(ctx, document.source_kind, document.source_id, action="update")
    if source.contact is None:
        raise errors.ValidationError(details=[{"loc": ["body", "channel"], "type": "no_chat",
                                               "msg": "The record has no contact to write to"}])
    shared = files.link(ctx, document_id=document.document_id, key=document.file_key,
                        filename=service.pdf_name(document),
                        seconds=files.SEND_LINK_SECONDS)
    target = messaging_documents.target(ctx, contact=source.contact, integration_id=data.integration_id)
    entry = {"channel": target.channel, "to": target.label, "status": "sending", "at": db.utcnow().isoformat(),
             "by": ctx.actor_id}
    document = _record(ctx, document, entry)
    try:
        messaging_documents.send(ctx, target, url=shared["url"], filename=shared["filename"],
                                 caption=data.message or _default_text(document).strip().splitlines()[-1])
    except errors.CRMError:
        _record(ctx, document, entry, status="failed")
        raise
    return _record(ctx, document, entry, status="sent")


# -- preview ----------------------------------------------------------------------------------------

SAMPLE_LINES = (("Bouquet \u201cSpring\u201d", Decimal(2), 150000, Decimal(20)),
                ("Delivery", Decimal(1), 50000, Decimal(0)))


def _sample(ctx: TenantContext) -> Source:
    currency = getattr(service.identity_service.tenant_settings(ctx), "currency", None) or "USD"
    return Source(kind="deal", record_id="", title="Sample deal", currency=currency, owner_id=None, team_id=None,
                  lines=[sources.priced(text, qty, price, rate) for text, qty, price, rate in SAMPLE_LINES],
                  fields={"title": "Sample deal", "amount_minor": 350000, "currency": currency, "status": "open",
                          "expected_close_on": ""})


def preview(ctx: TenantContext, *, data: s.DocumentPreviewIn) -> bytes:
    """A template's PDF (not kept, not numbered) with sample values, or a deal's the caller may read."""
    templates.require_read(ctx)
    found = requisites.get(ctx)
    source = (sources.load(ctx, "deal", data.deal_id, action="read", default_rate=requisites.default_rate(found))
              if data.deal_id else _sample(ctx))
    day: date = service.today(ctx)
    number = wording.document_number(numbering.prefixes(ctx, found)[data.type], day.year, 1)
    country = service.company_country(ctx)
    basis = service.act_basis(ctx, source, locale=data.locale, country=country) if data.type == "act" else ""
    values = service.context(source=source, doc_type=data.type, number=number, day=day, locale=data.locale,
                             seller=requisites.seller(ctx, found), country=country, basis=basis)
    return service.make_pdf(data.body, values, country=country)
