"""The owner's e-mail address, confirmed after sign-up; a company left unconfirmed for 7 days is read-only.

Sign-up signs the owner in at once, as it always has, and e-mails a link to the address given; the web app
asks for it in a banner. Until the link is followed the tenant carries ``email_confirm_by`` (sign-up + 7 days);
past it, writes are refused with 403 ``email_unconfirmed`` through the same gate, and with the same list of
what stays allowed (signing in and out, confirming, billing, exports, deletion), as a suspended subscription
(``billing.limits``). Reads, website forms and calls go on: the leads are the business's. Companies made
before this, by an operator or as the local demo, carry no date and are not asked.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from chalicelib.billing import limits
from chalicelib.core import audit, auth, db, errors, mail
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.identity import letters
from chalicelib.identity.models import Tenant, User

CONFIRM_DAYS = 7
LINK_DAYS = 30  # a link keeps working past the 7 days: following it is how a read-only company writes again
PURPOSE = "confirm"


def due(tenant: Tenant) -> bool:
    """True when the company's 7 days have passed without the owner's address being confirmed."""
    return tenant.email_confirm_by is not None and tenant.email_confirm_by <= db.utcnow()


def writable(tenant: Tenant, *, method: str, path: str) -> None:
    """403 ``email_unconfirmed`` for a write of a company past its 7 days unconfirmed (billing's read-only list
    of what stays allowed applies)."""
    if due(tenant) and method in limits.WRITES and path not in limits.READ_ONLY_ALLOWS:
        raise errors.ForbiddenError("The company is read-only until its owner confirms their e-mail address; "
                                    "follow the link we sent, or send it again.", code="email_unconfirmed")


def begin(ctx: TenantContext, tenant: Tenant, change: db.Change) -> str:
    """At sign-up: the 7 days start and the link's lookup joins change; returns the link's token."""
    from chalicelib.identity import service

    tenant.email_confirm_by = db.utcnow() + timedelta(days=CONFIRM_DAYS)
    token = auth.new_opaque_token("cfm_")
    change.create(service._token_lookup(ctx, PURPOSE, token, tenant.owner_id, days=LINK_DAYS))
    return token


def send(tenant: Tenant, user: User, token: str) -> None:
    """E-mail the confirmation link (a failure is logged: the banner's "send again" recovers)."""
    try:
        mail.send(to=user.email, **letters.confirmation(
            letters.language(user.locale, tenant.locale), name=user.name, company=tenant.name, days=CONFIRM_DAYS,
            link=mail.link("/#/confirm-email?token=" + token)))
    except errors.ServiceUnavailableError:
        logger.warning("confirmation e-mail not sent; the owner can ask for it again")


def resend(ctx: TenantContext) -> None:
    """E-mail the owner a new link (the owner only; 409 once confirmed)."""
    from chalicelib.identity import service

    tenant = service.get_tenant_or_raise(ctx)
    if ctx.actor_kind != "user" or ctx.actor_id != tenant.owner_id:
        raise errors.ForbiddenError("Only the owner can ask for the confirmation link.", code="owner_only")
    if tenant.email_confirm_by is None:
        raise errors.ConflictError("The e-mail address is already confirmed.", code="already_confirmed")
    owner = service.get_user_or_raise(ctx, tenant.owner_id)
    # As an invitation's: at once the first time, then a minute after the last, doubling up to a day. The address
    # is any a sign-up typed and the company's name any text: the banner's button must not bomb a stranger with it.
    sent = int(owner.confirmation_mails or 1)
    wait = min(service.RESEND_SECONDS * 2 ** (sent - 2), service.RESEND_MAX_SECONDS) if sent > 1 else 0
    now = db.utcnow()
    if owner.confirmation_sent_at is not None and now < owner.confirmation_sent_at + timedelta(seconds=wait):
        retry = int((owner.confirmation_sent_at + timedelta(seconds=wait) - now).total_seconds()) + 1
        raise errors.RateLimitedError("The link was e-mailed a moment ago; it can be sent again a little later.",
                                      code="confirmation_recently_sent", retry_after=retry)
    token = auth.new_opaque_token("cfm_")
    before = service.user_audit_view(owner)
    owner.confirmation_mails, owner.confirmation_sent_at = sent + 1, now
    change = db.Change().create(service._token_lookup(ctx, PURPOSE, token, owner.user_id, days=LINK_DAYS))
    change.save(owner)
    audit.attach(ctx, change, owner, entity="user", entity_id=owner.user_id, action="resend_confirmation",
                 before=before, after=service.user_audit_view(owner))
    db.commit(ctx, change)
    send(tenant, owner, token)


def confirm(*, token: str, request_id: str | None, source_ip: str | None) -> None:
    """Confirm the owner's address from the e-mailed link: the company writes again; the link works once."""
    from chalicelib.identity import service

    lookup = service.redeem_token(PURPOSE, token)
    ctx = service.system_context(lookup.tenant_id, actor_id=lookup.user_id, request_id=request_id,
                                 source_ip=source_ip)
    with bind(ctx):
        tenant = service.get_tenant_or_raise(ctx)
        change = db.Change().delete(lookup)
        if tenant.email_confirm_by is None:  # confirmed by another link meanwhile: this one is spent too
            with contextlib.suppress(errors.ConflictError):
                db.commit(ctx, change)
            return
        before = {"email_confirm_by": tenant.email_confirm_by.isoformat()}
        tenant.email_confirm_by, tenant.email_confirmed_at = None, db.utcnow()
        change.save(tenant)
        audit.attach(ctx, change, tenant, entity="tenant", entity_id=ctx.tenant_id, action="confirm_email",
                     before=before, after={"email_confirmed_at": tenant.email_confirmed_at.isoformat()})
        db.commit(ctx, change)
