"""Time-based second factor (RFC 6238 through pyotp); the secret is stored encrypted."""

from __future__ import annotations

import hmac
import time

from chalicelib.core import audit, crypto, db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import service
from chalicelib.identity.models import User

ISSUER = "CRM"


def _secret(ctx: TenantContext, user: User) -> str | None:
    if not user.totp_secret:
        return None
    return crypto.decrypt_field(ctx, entity="user", record_id=user.user_id, field="totp_secret",
                                token=user.totp_secret)


def verify(ctx: TenantContext, user: User, code: str) -> bool:
    """True when code is valid now (one step of clock drift allowed) and of a later step than the last code taken
    (RFC 6238 5.2: a code seen over a shoulder or in a log is not taken again); the step is noted on user, whom the
    caller saves under its version, so two requests racing with one code cannot both pass."""
    import pyotp

    secret = _secret(ctx, user)
    if not secret:
        return False
    otp = pyotp.TOTP(secret)
    now = int(time.time())
    for moment in (now - otp.interval, now, now + otp.interval):
        if hmac.compare_digest(otp.at(moment).encode(), str(code).encode()):
            step = moment // otp.interval
            if user.totp_last_step is not None and step <= int(user.totp_last_step):
                return False
            user.totp_last_step = step
            return True
    return False


def _save(ctx: TenantContext, user: User, *, action: str, before: dict[str, object] | None) -> None:
    change = db.Change().save(user)
    audit.attach(ctx, change, user, entity="user", entity_id=user.user_id, action=action, before=before,
                 after=service.user_audit_view(user))
    db.commit(ctx, change)


def setup(ctx: TenantContext) -> tuple[str, str]:
    """Start enrolment: a new secret (not active until a code confirms it) and its otpauth URI."""
    import pyotp

    user = service.get_user_or_raise(ctx, ctx.actor_id)
    if user.totp_enabled:
        raise errors.ConflictError("The second factor is already on; turn it off first.", code="totp_enabled")
    secret = pyotp.random_base32()
    before = service.user_audit_view(user)
    user.totp_secret = crypto.encrypt_field(ctx, entity="user", record_id=user.user_id, field="totp_secret",
                                            plaintext=secret)
    _save(ctx, user, action="totp_setup", before=before)
    tenant = service.get_tenant_or_raise(ctx)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=f"{ISSUER} ({tenant.name})")
    return secret, uri


def enable(ctx: TenantContext, code: str) -> User:
    """Confirm enrolment with a first code."""
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    if user.totp_enabled:
        return user
    if not verify(ctx, user, code):
        raise errors.ValidationError("The code is wrong; check the time on your phone.",
                                     details=[{"loc": ["code"], "msg": "Wrong code", "type": "otp_invalid"}])
    before = service.user_audit_view(user)
    user.totp_enabled = True
    user.token_version = int(user.token_version) + 1  # tokens issued for enrolment only must go
    _save(ctx, user, action="totp_enable", before=before)
    return user


def disable(ctx: TenantContext, *, password: str, code: str) -> User:
    """Turn the second factor off (password and a current code required; not where the tenant enforces it)."""
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    tenant = service.get_tenant_or_raise(ctx)
    if tenant.require_totp:
        raise errors.ForbiddenError("Your company requires a second factor.", code="totp_required_by_policy")
    from chalicelib.identity import sessions  # it imports this module

    try:
        sessions.confirm_password(ctx, user, password)  # a wrong one counts toward the lock, as at sign-in
    except errors.ForbiddenError as exc:
        raise errors.ForbiddenError("The password or code is wrong.", code="wrong_credentials") from exc
    if not verify(ctx, user, code):
        raise errors.ForbiddenError("The password or code is wrong.", code="wrong_credentials")
    before = service.user_audit_view(user)
    user.totp_enabled, user.totp_secret, user.totp_last_step = False, None, None
    _save(ctx, user, action="totp_disable", before=before)
    return user
