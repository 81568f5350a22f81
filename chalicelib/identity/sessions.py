"""Sign-in, lockout, second factor, refresh-token rotation, logout, password change and reset,
and the per-request authentication of access tokens.

Refresh tokens are ``rt_<tenant>_<session>_<secret>``: only the SHA-256 of the newest secret of
a session is stored; presenting an older one (a stolen copy) revokes the whole session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from chalicelib.core import audit, auth, db, errors, http, mail, permissions, routing
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.core.warm import WarmCache
from chalicelib.identity import access, apikeys, letters, lockout, service
from chalicelib.identity.models import AddressThrottle, CustomRole, EmailLogin, Session, Tenant, User

ADDRESS_WINDOW_SECONDS = 900
ADDRESS_MAX_FAILURES = 30
RESET_HOURS = 1
# What a token limited to securing the account reaches (a stale password, a second factor the company requires):
# the caller's own profile, and the auth routes. Whole paths, not prefixes: "/api/v1/me" as a prefix let through
# "/api/v1/merges/{merge_id}/undo".
LIMITED_ROUTES = routing.RouteSet(frozenset({"/api/v1/me"}), folders=("/api/v1/auth/",))


@dataclass
class SignedIn:
    """The outcome of a successful sign-in."""

    ctx: TenantContext
    tenant: Tenant
    user: User
    access_token: str
    refresh_token: str
    must_change_password: bool = False
    must_enroll_totp: bool = False

    @property
    def device_cookie(self) -> str:
        """The cookie that makes this browser a trusted source of the user's sign-ins (``identity.lockout``)."""
        return lockout.device_cookie(self.user.user_id)


def sessions_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's sessions."""
    return tenant_key(ctx, "SESSION")


# -- sign-in --------------------------------------------------------------------------------


def _address_key(source_ip: str | None) -> tuple[str, str]:
    window = int(time.time()) // ADDRESS_WINDOW_SECONDS
    return global_key("signin-ip", source_ip or "unknown"), str(window)


def _check_address(source_ip: str | None) -> None:
    pk, sk = _address_key(source_ip)
    try:
        throttle = AddressThrottle.get(pk, sk)
    except AddressThrottle.DoesNotExist:
        return
    if int(throttle.failures) >= ADDRESS_MAX_FAILURES:
        retry = ADDRESS_WINDOW_SECONDS - int(time.time()) % ADDRESS_WINDOW_SECONDS
        raise errors.RateLimitedError("Too many failed sign-ins from your address; try again later.",
                                      retry_after=retry)


def _count_address_failure(source_ip: str | None) -> None:
    pk, sk = _address_key(source_ip)
    expires = db.utcnow() + timedelta(seconds=2 * ADDRESS_WINDOW_SECONDS)
    AddressThrottle(pk, sk).update(actions=[
        AddressThrottle.failures.add(1), AddressThrottle.expires_at.set(expires),
        AddressThrottle.kind.set(AddressThrottle),
    ])


def _address_throttle(source_ip: str | None) -> AddressThrottle:
    """The source address's counter of this window, to add to in a transaction (``Change.add``)."""
    pk, sk = _address_key(source_ip)
    return AddressThrottle(pk, sk, expires_at=db.utcnow() + timedelta(seconds=2 * ADDRESS_WINDOW_SECONDS))


def _invalid_credentials() -> errors.CRMError:
    return errors.UnauthenticatedError("The e-mail or password is wrong.", code="invalid_credentials")


def login(*, email: str, password: str, tenant_id: str | None, otp: str | None, request_id: str | None,
          source_ip: str | None, user_agent: str | None, device: str | None = None) -> SignedIn:
    """Check the password (and second factor) and start a session; ``device`` is the browser's device cookie."""
    _check_address(source_ip)
    memberships = list(EmailLogin.query(service.email_login_key(email)))
    if tenant_id is not None:
        memberships = [m for m in memberships if m.tenant_id == tenant_id]
    if not memberships:
        auth.burn_password_check(password)
        _count_address_failure(source_ip)
        raise _invalid_credentials()
    attempts: dict[str, lockout.Attempt] = {}
    opened = [m for m in memberships if _password_opens(m, password, request_id, source_ip, device, attempts)]
    if not opened:
        _count_address_failure(source_ip)
        raise _invalid_credentials()
    if len(opened) > 1:
        raise errors.ConflictError("This e-mail belongs to several companies; choose one.",
                                   code="tenant_choice_required", details=_choices(opened))
    ctx = service.system_context(opened[0].tenant_id, actor_id=opened[0].user_id, request_id=request_id,
                                 source_ip=source_ip)
    with bind(ctx):
        return _complete_login(ctx, opened[0].user_id, otp=otp, user_agent=user_agent,
                               attempt=attempts[opened[0].user_id])


def _choices(opened: list[EmailLogin]) -> list[dict[str, Any]]:
    from chalicelib.identity import schemas  # with the login, not on every request's session check (#22)

    choices = []
    for membership in opened:
        ctx = service.system_context(membership.tenant_id)
        with bind(ctx):
            tenant = service.get_tenant(ctx)
        if tenant is not None:
            choices.append(schemas.TenantChoice(tenant_id=tenant.tenant_id, name=tenant.name).model_dump())
    return choices


def _password_opens(membership: EmailLogin, password: str, request_id: str | None, source_ip: str | None,
                    device: str | None, attempts: dict[str, lockout.Attempt]) -> bool:
    ctx = service.system_context(membership.tenant_id, actor_id=membership.user_id, request_id=request_id,
                                 source_ip=source_ip)
    with bind(ctx):
        user = service.get_user(ctx, membership.user_id)
        if user is None or user.status != "active" or not user.password_hash:
            auth.burn_password_check(password)
            return False
        attempt = attempts[user.user_id] = lockout.attempt(ctx, user, device=device, source_ip=source_ip)
        lockout.check(user, attempt)  # 429 while this source (or, from an unknown one, the account) is locked
        if auth.verify_password(user.password_hash, password):
            return True
        _record_failure(ctx, user, attempt, reason="password")
        return False


def _record_failure(ctx: TenantContext, user: User, attempt: lockout.Attempt, *, reason: str) -> None:
    before = service.user_audit_view(user)
    change = db.Change().save(user)
    lockout.count_failure(user, attempt, change)
    audit.attach(ctx, change, user, entity="user", entity_id=user.user_id, action="sign_in_failed",
                 before=before, after={**(before or {}), "reason": reason, "failed_logins": user.failed_logins})
    try:
        db.commit(ctx, change)
    except errors.ConflictError:
        logger.info("concurrent failed sign-ins; one was counted")  # the attempt is refused either way


def _complete_login(ctx: TenantContext, user_id: str, *, otp: str | None, user_agent: str | None,
                    attempt: lockout.Attempt) -> SignedIn:
    user = service.get_user_or_raise(ctx, user_id)
    tenant = service.get_tenant_or_raise(ctx)
    if tenant.status != "active":
        raise errors.ForbiddenError("This company's account is suspended.", code="tenant_suspended")
    if user.totp_enabled:
        _check_second_factor(ctx, user, otp, attempt)
    before = service.user_audit_view(user)
    user.last_login_at = db.utcnow()
    change = db.Change()
    lockout.clear(user, attempt, change)
    session, refresh = _new_session(ctx, user, user_agent=user_agent)
    change.save(session)
    change.save(user)
    audit.attach(ctx, change, user, entity="user", entity_id=user.user_id, action="sign_in", before=before,
                 after={**(before or {}), "session_id": session.session_id})
    db.commit(ctx, change)
    return _signed_in(ctx, tenant, user, session, refresh)


def _check_second_factor(ctx: TenantContext, user: User, otp: str | None, attempt: lockout.Attempt) -> None:
    from chalicelib.identity import totp

    if not otp:
        raise errors.UnauthenticatedError("Enter the code from your authenticator app.", code="otp_required")
    if not totp.verify(ctx, user, otp):
        _record_failure(ctx, user, attempt, reason="otp")
        raise errors.UnauthenticatedError("The code is wrong or has expired.", code="otp_invalid")


def _must_change_password(tenant: Tenant, user: User) -> bool:
    days = tenant.password_max_age_days
    if not days or user.password_changed_at is None:
        return False
    return bool(user.password_changed_at + timedelta(days=int(days)) < db.utcnow())


def _new_session(ctx: TenantContext, user: User, *, user_agent: str | None) -> tuple[Session, str]:
    session_id = new_id()
    secret = auth.new_opaque_token()
    refresh = f"rt_{ctx.tenant_id}_{session_id}_{secret}"
    expires = db.utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds)
    session = Session(sessions_pk(ctx), session_id, session_id=session_id, user_id=user.user_id,
                      token_digest=auth.token_digest(refresh), token_version=int(user.token_version),
                      user_agent=(user_agent or "")[:200] or None, source_ip=ctx.source_ip, expires_at=expires)
    return session, refresh


def _signed_in(ctx: TenantContext, tenant: Tenant, user: User, session: Session, refresh: str) -> SignedIn:
    must_change = _must_change_password(tenant, user)
    must_enroll = bool(tenant.require_totp) and not user.totp_enabled
    limited = "password_change" if must_change else ("totp_enroll" if must_enroll else None)
    token = auth.issue_access_token(tenant_id=ctx.tenant_id, user_id=user.user_id, role=user.role,
                                    token_version=int(user.token_version), session_id=session.session_id,
                                    limited=limited)
    return SignedIn(ctx=ctx, tenant=tenant, user=user, access_token=token, refresh_token=refresh,
                    must_change_password=must_change, must_enroll_totp=must_enroll)


def start_session(ctx: TenantContext, user: User, *, user_agent: str | None = None) -> SignedIn:
    """Open a session for a user who just proved who they are (sign-up, accepted invitation)."""
    with bind(ctx):
        tenant = service.get_tenant_or_raise(ctx)
        session, refresh = _new_session(ctx, user, user_agent=user_agent)
        db.commit(ctx, db.Change().save(session))
        return _signed_in(ctx, tenant, user, session, refresh)


# -- refresh and logout ---------------------------------------------------------------------


def _parse_refresh(token: str) -> tuple[str, str]:
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != "rt" or not is_valid_id(parts[1]) or not is_valid_id(parts[2]):
        raise errors.UnauthenticatedError("The refresh token is not valid.", code="invalid_refresh_token")
    return parts[1], parts[2]


def refresh(*, token: str, request_id: str | None, source_ip: str | None) -> SignedIn:
    """Rotate a refresh token; a reused (older) one revokes the whole session."""
    tenant_id, session_id = _parse_refresh(token)
    ctx = service.system_context(tenant_id, request_id=request_id, source_ip=source_ip)
    with bind(ctx):
        session = db.get(ctx, Session, sessions_pk(ctx), session_id)
        if session is None or session.revoked or (session.expires_at and session.expires_at < db.utcnow()):
            raise errors.UnauthenticatedError("The session has ended; sign in again.", code="invalid_refresh_token")
        if not auth.digests_equal(session.token_digest, auth.token_digest(token)):
            _revoke(ctx, session, reason="refresh_token_reuse")
            raise errors.UnauthenticatedError("This refresh token was already used; the session is closed.",
                                              code="refresh_token_reused")
        user = service.get_user(ctx, session.user_id)
        if user is None or user.status != "active" or int(user.token_version) != int(session.token_version):
            raise errors.UnauthenticatedError("The session has ended; sign in again.", code="invalid_refresh_token")
        tenant = service.get_tenant_or_raise(ctx)
        new_token = f"rt_{tenant_id}_{session_id}_{auth.new_opaque_token()}"
        session.token_digest, session.generation = auth.token_digest(new_token), int(session.generation) + 1
        try:
            db.commit(ctx, db.Change().save(session))
        except errors.ConflictError as exc:  # two refreshes raced with one token: treat as reuse
            raise errors.UnauthenticatedError("This refresh token was already used.",
                                              code="refresh_token_reused") from exc
        return _signed_in(replace(ctx, actor_id=user.user_id), tenant, user, session, new_token)


def _revoke(ctx: TenantContext, session: Session, *, reason: str) -> None:
    session.revoked, session.revoked_reason = True, reason
    try:
        db.commit(ctx, db.Change().save(session))
    except errors.ConflictError:
        fresh = db.get(ctx, Session, session.pk, session.sk)
        if fresh is not None and not fresh.revoked:
            fresh.revoked, fresh.revoked_reason = True, reason
            db.commit(ctx, db.Change().save(fresh))


def logout(ctx: TenantContext, *, session_id: str | None, everywhere: bool) -> None:
    """End this session now; with everywhere, every session and token of the user."""
    if session_id:
        session = db.get(ctx, Session, sessions_pk(ctx), session_id)
        if session is not None and not session.revoked:
            _revoke(ctx, session, reason="logout")
    if everywhere and ctx.actor_kind == "user":
        _bump_token_version(ctx, ctx.actor_id, action="logout_everywhere")


def _bump_token_version(ctx: TenantContext, user_id: str, *, action: str, password: str | None = None) -> User:
    user = service.get_user_or_raise(ctx, user_id)
    before = service.user_audit_view(user)
    user.token_version = int(user.token_version) + 1
    if password is not None:
        user.password_hash, user.password_changed_at = auth.hash_password(password), db.utcnow()
    change = db.Change().save(user)
    audit.attach(ctx, change, user, entity="user", entity_id=user_id, action=action, before=before,
                 after=service.user_audit_view(user))
    db.commit(ctx, change)
    return user


# -- passwords ------------------------------------------------------------------------------


def change_password(ctx: TenantContext, *, current: str, new: str, user_agent: str | None) -> SignedIn:
    """Change one's password: every other session ends, this one continues with new tokens."""
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    confirm_password(ctx, user, current)
    if user.password_hash and auth.verify_password(user.password_hash, new):
        raise errors.ValidationError("Choose a password different from the current one.",
                                     details=[{"loc": ["new_password"], "msg": "Same as the current one",
                                               "type": "password_reused"}])
    service.check_password_policy(service.get_tenant(ctx), new, email=user.email)
    user = _bump_token_version(ctx, user.user_id, action="change_password", password=new)
    return start_session(ctx, user, user_agent=user_agent)


def confirm_password(ctx: TenantContext, user: User, password: str) -> None:
    """403 ``wrong_password`` unless password is the signed-in user's own (asked again before changing it, turning
    the second factor off, deleting the company). A wrong one counts as a failed sign-in of the request's address,
    so whoever holds a session cannot guess the password behind it: locked (429) after five, as at sign-in."""
    attempt = lockout.attempt(ctx, user, device=None, source_ip=ctx.source_ip)
    lockout.check(user, attempt)
    if user.password_hash and auth.verify_password(user.password_hash, password):
        return
    _record_failure(ctx, user, attempt, reason="password")
    raise errors.ForbiddenError("The password is wrong.", code="wrong_password")


def request_password_reset(*, email: str, request_id: str | None, source_ip: str | None) -> None:
    """E-mail the address a reset link for each company it belongs to, or word that none uses it.

    Both paths do the same work in the same order, as sign-in spends an argon2 check on an unknown address:
    the lookup; per company (or once in its place) a tenant and a user read (the e-mail's language: the
    user's, else the company's) and a new token with its digest; one
    transaction that also counts the request against the source address (30 a window, with failed
    sign-ins: the hook cannot be used to mail strangers in bulk); one e-mail. So the answer's time does
    not tell whether an account exists (a known address took 76 ms, an unknown one 56 ms)."""
    _check_address(source_ip)
    memberships = list(EmailLogin.query(service.email_login_key(email)))
    # In place of a company when there is none: a tenant id that was never used (its read finds nothing).
    contexts = [service.system_context(m.tenant_id, actor_id=m.user_id, request_id=request_id, source_ip=source_ip)
                for m in memberships] or [service.system_context(new_id(), request_id=request_id, source_ip=source_ip)]
    change = db.Change().add(_address_throttle(source_ip), failures=1)
    links: list[tuple[str, str]] = []
    locales: list[str | None] = []
    for ctx in contexts:
        with bind(ctx):
            tenant = service.get_tenant(ctx)
            user = service.get_user(ctx, ctx.actor_id if memberships else new_id())  # read on both paths too
            locales += [user.locale if user is not None else None, tenant.locale if tenant is not None else None]
            token = auth.new_opaque_token("rst_")
            lookup = service._token_lookup(ctx, "reset", token, ctx.actor_id, days=RESET_HOURS / 24)
            if memberships and tenant is not None:
                change.create(lookup)
                links.append((tenant.name, mail.link("/#/reset?token=" + token)))
    with bind(contexts[0]):  # every key of the change is global
        db.commit(contexts[0], change)
    mail.send(to=email, **letters.reset(letters.language(*locales), email=email, links=links, hours=RESET_HOURS))


def confirm_password_reset(*, token: str, new_password: str, request_id: str | None,
                           source_ip: str | None) -> None:
    """Set a new password from a reset link; every session of the user ends; the link works once, and not at all
    once the password changed after it was mailed (by another reset link, or by its owner in the app)."""
    lookup = service.redeem_token("reset", token)
    ctx = service.system_context(lookup.tenant_id, actor_id=lookup.user_id, request_id=request_id,
                                 source_ip=source_ip)
    with bind(ctx):
        user = service.get_user_or_raise(ctx, lookup.user_id)
        # A link mailed before issued_at was kept: RESET_HOURS before its end, to the second.
        mailed = lookup.issued_at or (lookup.expires_at - timedelta(hours=RESET_HOURS) if lookup.expires_at else None)
        if mailed is not None and user.password_changed_at is not None and user.password_changed_at > mailed:
            raise errors.BadRequestError("This link is invalid or has expired.", code="invalid_token")
        service.check_password_policy(service.get_tenant(ctx), new_password, email=user.email)
        before = service.user_audit_view(user)
        user.token_version = int(user.token_version) + 1
        user.password_hash, user.password_changed_at = auth.hash_password(new_password), db.utcnow()
        user.failed_logins, user.locked_until = 0, None
        change = db.Change().save(user).delete(lookup)
        audit.attach(ctx, change, user, entity="user", entity_id=user.user_id, action="reset_password",
                     before=before, after=service.user_audit_view(user))
        db.commit(ctx, change)


# -- per-request authentication -------------------------------------------------------------


def authenticate(request: Any) -> auth.Principal:
    """Turn the request's bearer token (access JWT or API key) into a principal, or 401/403."""
    token = auth.bearer_token(request)
    if token.startswith(apikeys.PREFIX):
        return apikeys.authenticate(token)
    claims = auth.verify_access_token(token)
    if not is_valid_id(str(claims["tid"])) or not is_valid_id(str(claims["sub"])):
        raise errors.UnauthenticatedError("The access token is not valid.")
    limited = claims.get("lim")
    path = (request.context or {}).get("resourcePath", "")
    if limited and path not in LIMITED_ROUTES:
        code = "password_change_required" if limited == "password_change" else "totp_enrollment_required"
        raise errors.ForbiddenError("Finish securing your account first.", code=code)
    ctx = service.system_context(str(claims["tid"]))
    key = (ctx.tenant_id, str(claims["sub"]), str(claims.get("sid")), int(claims.get("tv", 0)),
           str(claims.get("role", "")))
    def load() -> tuple[auth.Principal, Any]:
        with bind(ctx):
            principal = _load_principal(ctx, claims)
        return principal, http.request_memo()[("tenant", ctx.tenant_id)]

    principal, tenant = _principals.remember(key, load)
    http.request_memo()[("tenant", ctx.tenant_id)] = tenant
    return principal


PRINCIPAL_SECONDS = 5.0
# Who a token's holder is, remembered PRINCIPAL_SECONDS per warm Lambda (a request otherwise starts with a
# BatchGetItem of tenant, user and session). A logout, deactivation, role change or suspension written by this
# process forgets the tenant's entries at once; one written by another Lambda takes effect within the seconds.
_principals = WarmCache(PRINCIPAL_SECONDS)
_IDENTITY_ITEMS = (Tenant, User, Session, CustomRole)


def _forget_on_change(ctx: TenantContext, items: list[Any]) -> None:
    if any(isinstance(item, _IDENTITY_ITEMS) for item in items):
        _principals.forget_tenant(ctx.tenant_id)


db.on_commit(_forget_on_change)


def _load_principal(ctx: TenantContext, claims: dict[str, Any]) -> auth.Principal:
    keys = [(service.tenant_pk(ctx), "TENANT"), (service.users_pk(ctx), str(claims["sub"])),
            (sessions_pk(ctx), str(claims["sid"]))]
    role = str(claims.get("role", ""))
    if role not in permissions.BUILTIN_ROLES:
        keys.append((access.roles_pk(ctx), role))
    found = db.get_many(ctx, keys)  # one BatchGetItem
    tenant, user, session = (found.get(key) for key in keys[:3])
    if not isinstance(user, User) or not isinstance(session, Session) or not isinstance(tenant, Tenant):
        raise errors.UnauthenticatedError("The session has ended; sign in again.")
    if user.status != "active" or int(user.token_version) != int(claims["tv"]) or session.revoked:
        raise errors.UnauthenticatedError("The session has ended; sign in again.", code="token_revoked")
    if user.role != role:
        raise errors.UnauthenticatedError("Your role changed; refresh your session.", code="token_stale")
    if tenant.status != "active":
        raise errors.ForbiddenError("This company's account is suspended.", code="tenant_suspended")
    http.request_memo()[("tenant", ctx.tenant_id)] = tenant  # service.tenant_settings needs no second read
    granted = permissions.BUILTIN_ROLES[role].permissions if role in permissions.BUILTIN_ROLES else frozenset(
        getattr(found.get(keys[3]), "permissions", None) or ())
    return auth.Principal(tenant_id=ctx.tenant_id, actor_id=user.user_id, actor_kind="user", role=role,
                          team_id=user.team_id, permissions=granted, session_id=session.session_id)

