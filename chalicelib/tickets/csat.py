"""Customer satisfaction (CSAT): asked when a ticket closes, through its channel, answered on a public page.

Closing a ticket (when the company asks) writes a :class:`CsatRequest` with a fresh nonce and a due timer (now) in
the closing transaction; the due run sends the question (a message on the ticket's conversation, else an e-mail to
its contact). The send is claimed first (``send_state``, set only if unset, on the request), so a timer fired
twice, or fired again after the send and before its record, never asks twice; a channel that cannot take it now (an
outage: 5xx, SES unavailable) releases the claim and the request's own timer tries again with a doubling pause, up
to six hours, until the link expires (then ``csat_sent_via`` says ``failed``): never given up on while it could still
be answered. A Lambda that dies between the provider's answer and our record leaves the claim: at most once.
The link carries a signed token: ``<payload>.<mac>``, the payload
naming the tenant, the ticket, the expiry and the nonce, the MAC an HMAC-SHA256 under a key derived from the
stage's hook key. The public page verifies the MAC before reading anything (a forged link costs no read), then the
request's nonce (a link of an earlier closing is void); the answer is taken once: its claim (``CSAT#ANSWER``) is
created only if absent, in the transaction that stores the score on the ticket and counts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import db, errors, tenancy
from chalicelib.core import secrets as app_secrets
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.records import access, editing, types
from chalicelib.records import timeline as timeline_service
from chalicelib.tickets import sla
from chalicelib.tickets.models import CsatAnswer, CsatRequest, Ticket
from chalicelib.tickets.record import TICKET

KIND = "ticket.csat"
VALID_FOR = timedelta(days=14)
FIRST_PAUSE, LONGEST_PAUSE = timedelta(minutes=1), timedelta(hours=6)
REQUEST_SK, ANSWER_SK = "CSAT", "CSAT#ANSWER"
QUESTION = {
    "en": "Your request \"{subject}\" is closed. How did we do? Rate us from 1 to 5: {link}",
    "ru": "Ваше обращение «{subject}» закрыто. Оцените нашу работу от 1 до 5: {link}",
}


# -- the link ---------------------------------------------------------------------------------


def _mac(payload: str) -> str:
    key = hmac.new(app_secrets.hook_key(), b"csat-link", hashlib.sha256).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:20]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(tenant_id: str, ticket_id: str, nonce: str, expires: datetime) -> str:
    """The signed token of a CSAT link."""
    payload = f"{tenant_id}.{ticket_id}.{int(expires.timestamp())}.{nonce}"
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{_mac(payload)}"


def read_token(token: str, now: datetime) -> tuple[str, str, str]:
    """(tenant, ticket, nonce) of a valid, unexpired token; 404 otherwise (nothing is read)."""
    try:
        encoded, mac = token.split(".")
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        tenant_id, ticket_id, expires, nonce = payload.split(".")
        valid = hmac.compare_digest(mac, _mac(payload)) and is_valid_id(tenant_id) and is_valid_id(ticket_id)
        fresh = datetime.fromtimestamp(int(expires), tz=UTC) > now
    except (ValueError, UnicodeDecodeError):
        valid, fresh = False, False
    if not (valid and fresh):
        raise errors.NotFoundError("This rating link is not valid or has expired.")
    return tenant_id, ticket_id, nonce


# -- asking -----------------------------------------------------------------------------------


class ChannelDown(Exception):
    """The ticket's channel did not take the question (a provider's refusal or outage): nothing went out."""


def ask_on_close(ctx: TenantContext, change: db.Change, ticket: Ticket) -> None:
    """In the closing transaction: a new question (a fresh nonce) and the timer that sends it, when the company
    asks for ratings and the ticket has not been rated."""
    if ticket.csat_score is not None or not int(sla.get_settings(ctx).csat or 0):
        return
    request = CsatRequest(ticket.pk, REQUEST_SK, ticket_id=ticket.ticket_id, nonce=secrets.token_urlsafe(16),
                          expires=db.utcnow() + VALID_FOR)
    change.save(request)
    change.save(due.timer(ctx, kind=KIND, ref=ticket.ticket_id, due_at=db.utcnow(),
                          payload={"nonce": request.nonce}))


def _request(ctx: TenantContext, ticket_id: str) -> CsatRequest | None:
    return db.get(ctx, CsatRequest, access.collection_pk(ctx, TICKET, ticket_id), REQUEST_SK)


def _language(ctx: TenantContext) -> str:
    from chalicelib.identity import service as identity_service

    tenant = identity_service.tenant_settings(ctx)
    return "ru" if str(getattr(tenant, "locale", None) or "en").lower()[:2] == "ru" else "en"


def _company_name(ctx: TenantContext) -> str:
    """The company's name, which the rating page names (the customer is asked by whom; read with its language)."""
    from chalicelib.identity import service as identity_service

    return str(getattr(identity_service.tenant_settings(ctx), "name", None) or "")


def _send_message(ctx: TenantContext, ticket: Ticket, text: str) -> bool:
    """The question on the ticket's conversation; False when that channel cannot take it now (closed window,
    line gone)."""
    from chalicelib.conversations.schemas import MessageCreate
    from chalicelib.core import permissions
    from chalicelib.messaging import service as messaging_service

    as_assignee = TenantContext(tenant_id=ctx.tenant_id, actor_id=ticket.owner_id, actor_kind="system", role="admin",
                                source="job", permissions=permissions.BUILTIN_ROLES["admin"].permissions)
    from chalicelib.channels import transport

    try:
        messaging_service.reply(as_assignee, str(ticket.conversation_id), MessageCreate(text=text))
    except transport.ProviderError as exc:
        raise ChannelDown() from exc  # the provider did not take it: nothing went out
    except errors.CRMError as exc:
        if exc.status >= 500:
            raise  # maybe sent, not recorded: the claim stays (at most once)
        return False
    return True


def _send_email(ctx: TenantContext, ticket: Ticket, text: str) -> bool:
    from chalicelib.core import mail

    contact = access.get(ctx, types.get("contact"), ticket.contact_id) if ticket.contact_id else None
    address = next((e.get("address") for e in getattr(contact, "emails", None) or [] if isinstance(e, dict)), None)
    if not address:
        return False
    subject = "How did we do?" if not text.startswith("Ваше") else "Оцените нашу работу"
    try:
        mail.send(to=str(address), subject=subject, text=text + "\n")
    except errors.ServiceUnavailableError as exc:
        raise ChannelDown() from exc  # SES did not take it
    return True


def send(ctx: TenantContext, timer: DueTimer) -> str | None:
    """The timer's work: send the question of the ticket's latest closing, once, while it is unanswered; a channel
    down now is tried again later (``retry``), never twice."""
    ticket = db.get(ctx, Ticket, access.collection_pk(ctx, TICKET, timer.ref), timeline_service.PROFILE_SK)
    request = _request(ctx, timer.ref)
    if ticket is None or request is None or request.nonce != (timer.payload or {}).get("nonce") \
            or request.answered_at is not None or ticket.status != "closed" or request.send_state is not None:
        return None
    now = db.utcnow()
    if request.expires <= now:
        _release(request, state="failed")
        _mark_sent(ctx, ticket.ticket_id, "failed")
        return "expired"
    if not _claim(request):
        return None  # another run took it
    link = _link(ctx, ticket.ticket_id, request)
    text = QUESTION[_language(ctx)].format(subject=ticket.subject[:80], link=link)
    try:
        via = "none"
        if ticket.conversation_id and _send_message(ctx, ticket, text):
            via = "conversation"
        elif _send_email(ctx, ticket, text):
            via = "email"
    except ChannelDown:
        _retry(ctx, ticket.ticket_id, request, now)
        return "retry"
    _mark_sent(ctx, ticket.ticket_id, via, request=request)
    return "sent"


def _claim(request: CsatRequest) -> bool:
    """Take the request's send (True), unless another run has it or it went out already."""
    try:
        with db.translate_errors():
            request.update(actions=[CsatRequest.send_state.set("sending")],
                           condition=CsatRequest.send_state.does_not_exist() & (CsatRequest.nonce == request.nonce))
    except errors.VersionConflictError:
        return False
    return True


def _release(request: CsatRequest, *, state: str | None) -> None:
    """Give the send back (``state`` None: to be tried again) or close it (``failed``), counting the attempt."""
    action = CsatRequest.send_state.set(state) if state else CsatRequest.send_state.remove()
    with db.translate_errors():
        request.update(actions=[action, CsatRequest.send_attempts.add(1)], condition=CsatRequest.nonce == request.nonce)


def _retry(ctx: TenantContext, ticket_id: str, request: CsatRequest, now: datetime) -> None:
    """The channel could not take the question now: release the claim and try again after a doubling pause."""
    attempts = int(request.send_attempts or 0)
    pause = min(FIRST_PAUSE * 2 ** min(attempts, 20), LONGEST_PAUSE)
    logger.warning("CSAT question not sent: the channel is unavailable; tried again later",
                   extra={"attempts": attempts + 1})
    _release(request, state=None)
    due.set_timer(ctx, kind=KIND, ref=ticket_id, due_at=min(now + pause, request.expires),
                  payload={"nonce": request.nonce})


def _link(ctx: TenantContext, ticket_id: str, request: CsatRequest) -> str:
    from chalicelib.core import mail

    return mail.link(f"/csat/{token_for(ctx.tenant_id, ticket_id, request.nonce, request.expires)}")


def _mark_sent(ctx: TenantContext, ticket_id: str, via: str, *, request: CsatRequest | None = None) -> None:
    """How the question went out (or that it could not), on the ticket; with ``request``, its send recorded as done
    in the same transaction."""
    from chalicelib.tickets import service

    for _ in range(3):
        before = service.get(ctx, ticket_id)
        if before is None:
            return
        after = editing.clone(before)
        after.csat_sent_via = via
        change = db.Change()
        if request is not None:
            change.updates.append((CsatRequest(request.pk, request.sk), [CsatRequest.send_state.set("sent")]))
        timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="csat_sent",
                                   summary="Satisfaction asked" if via != "failed" else "Satisfaction not asked: "
                                   "the channel stayed unavailable", data={"via": via})
        try:
            service.write(ctx, before, after, action="update", change=change)
            return
        except errors.VersionConflictError:
            continue
    logger.warning("CSAT sent but not recorded on the ticket")


# -- answering (public) -----------------------------------------------------------------------


def _customer(tenant_id: str) -> TenantContext:
    return TenantContext(tenant_id=tenant_id, actor_id="customer", actor_kind="system", role="system",
                         source="csat")


def open_request(token: str) -> dict[str, Any]:
    """What the public page shows for a link: whether it was answered, the company's language and name (404 when the
    link is forged, expired or of an earlier closing)."""
    tenant_id, ticket_id, nonce = read_token(token, db.utcnow())
    ctx = _customer(tenant_id)
    with tenancy.bind(ctx):
        request = _request(ctx, ticket_id)
        if request is None or not hmac.compare_digest(request.nonce, nonce):
            raise errors.NotFoundError("This rating link is not valid or has expired.")
        ticket = db.get(ctx, Ticket, access.collection_pk(ctx, TICKET, ticket_id), timeline_service.PROFILE_SK)
        if ticket is None or ticket.deleted_at is not None:
            raise errors.NotFoundError("This rating link is not valid or has expired.")
        return {"answered": request.answered_at is not None, "score": ticket.csat_score,
                "language": _language(ctx), "company": _company_name(ctx)}


def answer(token: str, *, score: int, comment: str | None) -> bool:
    """Store the customer's rating once (True); False when this link was answered already."""
    tenant_id, ticket_id, nonce = read_token(token, db.utcnow())
    ctx = _customer(tenant_id)
    from chalicelib.tickets import service

    with tenancy.bind(ctx):
        request = _request(ctx, ticket_id)
        if request is None or not hmac.compare_digest(request.nonce, nonce):
            raise errors.NotFoundError("This rating link is not valid or has expired.")
        if request.answered_at is not None:
            return False
        for _ in range(3):
            before = service.get(ctx, ticket_id)
            if before is None:
                raise errors.NotFoundError("This rating link is not valid or has expired.")
            now = db.utcnow()
            after = editing.clone(before)
            after.csat_score, after.csat_comment, after.csat_at = score, (comment or "").strip() or None, now
            request.answered_at = now
            change = db.Change().create(CsatAnswer(before.pk, ANSWER_SK + "#" + nonce, nonce=nonce)).save(request)
            timeline_service.add_entry(ctx, change, subject_type=TICKET.name, subject_id=ticket_id, kind="csat",
                                       summary=f"Rated {score} of 5", data={"score": score, "comment": comment})
            try:
                service.write(ctx, before, after, action="update", change=change, at=now,
                              counts={"csat_answers": 1, "csat_sum": score, "csat_good": int(score >= 4)})
                return True
            except errors.VersionConflictError:
                if db.get(ctx, CsatAnswer, before.pk, ANSWER_SK + "#" + nonce) is not None:
                    return False
                request = _request(ctx, ticket_id) or request
        raise errors.VersionConflictError()
