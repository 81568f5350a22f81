"""A user's calendar feed: the secret address an outside calendar (Google, Apple, Outlook) reads their tasks from.

The address ends in ``cal_<tenant>_<user>_<secret>.ics``; the user item keeps only the SHA-256 of the newest one
(``calendar_feed_digest``, never exported), so making a new address ends the old one, turning the feed off ends it,
and a deactivated user's, or a company's that stopped allowing feeds (``Tenant.calendar_feeds``), answers 404 like
a forged one. A calendar reads the address without signing in: that is what the secret is for, and why the company
decides whether its staff may have one (their tasks' titles, times and places leave the CRM). Making or ending an
address is audited on the user (``calendar_feed_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.core import auth, db, errors, mail, permissions
from chalicelib.core.tenancy import TenantContext, bind, is_valid_id
from chalicelib.identity import access, service
from chalicelib.identity.models import Tenant, User

PREFIX = "cal"
PATH = "/calendar/"  # + token + SUFFIX: the public route (tasks.routes)
SUFFIX = ".ics"


@dataclass(frozen=True)
class Feed:
    """Where a user's feed stands: made when (None: none), and whether the company allows feeds at all."""

    allowed: bool
    made_at: datetime | None
    url: str | None = None  # only in the answer that made it: the secret is never shown again


def state(ctx: TenantContext) -> Feed:
    """The caller's feed: whether the company allows feeds (its item as authentication read it, no read more) and
    when the caller's address was made."""
    permissions.require(ctx, "tasks", "read")
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    return Feed(allowed=_allowed(service.tenant_settings(ctx)), made_at=user.calendar_feed_at)


def make(ctx: TenantContext) -> Feed:
    """A new address of the caller's feed (the old one, if any, ends): shown once, in this answer."""
    permissions.require(ctx, "tasks", "read")
    if not _allowed(service.get_tenant_or_raise(ctx)):  # read afresh: another Lambda's cache may lag a change
        raise errors.ForbiddenError("Your company does not allow calendar feeds; its owner can, in Settings.",
                                    code="calendar_feeds_off")
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    token = f"{PREFIX}_{ctx.tenant_id}_{user.user_id}_{auth.new_opaque_token()}"
    _save(ctx, user, digest=auth.token_digest(token), made_at=db.utcnow(), action="calendar_feed_made")
    return Feed(allowed=True, made_at=user.calendar_feed_at, url=mail.link(f"{PATH}{token}{SUFFIX}"))


def end(ctx: TenantContext) -> None:
    """Turn the caller's feed off: its address answers 404 from now on (nothing to end is no error)."""
    permissions.require(ctx, "tasks", "read")
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    if user.calendar_feed_digest is not None:
        _save(ctx, user, digest=None, made_at=None, action="calendar_feed_ended")


def _save(ctx: TenantContext, user: User, *, digest: str | None, made_at: datetime | None, action: str) -> None:
    before = service.user_audit_view(user)
    user.calendar_feed_digest, user.calendar_feed_at = digest, made_at
    service._commit_with_audit(ctx, user, entity="user", entity_id=user.user_id, action=action, before=before,
                               after=service.user_audit_view(user))


def _allowed(tenant: Tenant | None) -> bool:
    """Whether the company allows feeds: made only while it does, read only while it still does."""
    return tenant is not None and bool(tenant.calendar_feeds) and tenant.status != "deleting"


@dataclass(frozen=True)
class Reader:
    """Who reads through a feed's address: the holder's context (their role's permissions), them and their company."""

    ctx: TenantContext
    user: User
    tenant: Tenant


def reader(token: str, *, request_id: str | None = None) -> Reader:
    """The feed's holder, for an address that is theirs and current (one BatchGetItem of the company and the user);
    404 (the same for a forged, an old or an ended address, a deactivated holder or a company that stopped allowing
    feeds) otherwise."""
    gone = errors.NotFoundError("This calendar address is not valid.", code="calendar_feed_not_found")
    parts = token.removesuffix(SUFFIX).split("_", 3)
    if len(parts) != 4 or parts[0] != PREFIX or not is_valid_id(parts[1]) or not is_valid_id(parts[2]):
        raise gone
    ctx = service.system_context(parts[1], source="calendar", request_id=request_id)
    with bind(ctx):
        found = db.get_many(ctx, [(service.tenant_pk(ctx), "TENANT"), (service.users_pk(ctx), parts[2])])
    tenant = found.get((service.tenant_pk(ctx), "TENANT"))
    user = found.get((service.users_pk(ctx), parts[2]))
    if not isinstance(tenant, Tenant) or not isinstance(user, User) or not _allowed(tenant) \
            or not user.calendar_feed_digest \
            or not auth.digests_equal(user.calendar_feed_digest, auth.token_digest(token.removesuffix(SUFFIX))):
        raise gone
    granted = access.role_permissions(ctx, str(user.role)) if user.status == "active" else None
    if granted is None:  # deactivated, or their custom role is gone
        raise gone
    return Reader(ctx=replace(ctx, actor_id=user.user_id, actor_kind="user", role=str(user.role),
                              team_id=user.team_id, permissions=granted), user=user, tenant=tenant)
