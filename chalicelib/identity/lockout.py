"""Backoff on failed sign-ins that a stranger cannot turn against the account's owner.

Failures are counted per account and source. The source is the browser when it shows the device cookie a
sign-in of this user set (``crm_device``: HttpOnly, sent only to the sign-in route), else the address the
request came from. Five failures from one source lock that source out of that account (30 s, doubling, at
most an hour): a stranger who knows the owner's e-mail locks out only themselves. Across sources the account
locks only after ``ACCOUNT_MAX_FAILURES`` (a guess spread over many addresses), and that lock does not stop a
browser the user signed in from before: the owner's own browser still gets in, held to its own five.
The address's own budget (failed sign-ins of any account, ``sessions.ADDRESS_MAX_FAILURES``) stays as it was.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.identity.models import SigninThrottle, User

SOURCE_MAX_FAILURES = 5
ACCOUNT_MAX_FAILURES = 20
MAX_LOCK_SECONDS = 3600
DEVICE_COOKIE = "crm_device"
DEVICE_DAYS = 180
DEVICE_PATH = "/api/v1/auth/login"


def lock_seconds(failures: int, threshold: int = SOURCE_MAX_FAILURES) -> int:
    """How long a source (or the account) is locked after this many failures: 30 s from the threshold, doubling."""
    return min(30 * 2 ** (failures - threshold), MAX_LOCK_SECONDS) if failures >= threshold else 0


def _device_mac(user_id: str, issued: int) -> str:
    from chalicelib.core import secrets

    key = hmac.new(secrets.cursor_key(), b"crm device cookie v1", hashlib.sha256).digest()  # its own subkey
    return hmac.new(key, f"{user_id}.{issued}".encode(), hashlib.sha256).hexdigest()[:32]


def device_token(user_id: str) -> str:
    """The device cookie's value for a browser a user just signed in from."""
    issued = int(time.time())
    return f"dv1.{user_id}.{issued}.{_device_mac(user_id, issued)}"


def device_cookie(user_id: str) -> str:
    """The Set-Cookie header that makes this browser a trusted source of this user's sign-ins."""
    return (f"{DEVICE_COOKIE}={device_token(user_id)}; Path={DEVICE_PATH}; Max-Age={DEVICE_DAYS * 86400}; "
            "HttpOnly; Secure; SameSite=Strict")


def trusted_device(token: str | None, user_id: str) -> str | None:
    """The source name of a browser whose device cookie a sign-in of this user set (None otherwise)."""
    parts = (token or "").split(".")
    if len(parts) != 4 or parts[0] != "dv1" or parts[1] != user_id or not parts[2].isdigit():
        return None
    issued = int(parts[2])
    if time.time() - issued > DEVICE_DAYS * 86400 or not hmac.compare_digest(parts[3], _device_mac(user_id, issued)):
        return None
    return f"device#{parts[3][:16]}"


def _address(source_ip: str | None) -> str:
    from chalicelib.core import secrets

    digest = hmac.new(secrets.cursor_key(), b"signin address:" + (source_ip or "unknown").encode(), hashlib.sha256)
    return f"address#{digest.hexdigest()[:32]}"  # an address is personal data: named by its HMAC


@dataclass
class Attempt:
    """A sign-in attempt's source for one user, and its counter (read, or new)."""

    throttle: SigninThrottle
    trusted: bool  # a browser this user signed in from before
    stored: bool  # the counter exists in the table


def attempt(ctx: TenantContext, user: User, *, device: str | None, source_ip: str | None) -> Attempt:
    """The source of this attempt on this user and its failures so far (one GetItem)."""
    trusted = trusted_device(device, user.user_id)
    source = trusted or _address(source_ip)
    pk, sk = tenant_key(ctx, "SIGNIN"), f"{user.user_id}#{source}"
    found = db.get(ctx, SigninThrottle, pk, sk)
    return Attempt(throttle=found or SigninThrottle(pk, sk, failures=0), trusted=trusted is not None,
                   stored=found is not None)


def check(user: User, found: Attempt) -> None:
    """429 ``account_locked`` while this source is locked out of the account, or the account is locked to
    sources it does not trust."""
    now = db.utcnow()
    until = found.throttle.locked_until
    if not found.trusted and user.locked_until and user.locked_until > now:
        until = max(until or now, user.locked_until)
    if until and until > now:
        retry = max(math.ceil((until - now).total_seconds()), 1)
        raise errors.RateLimitedError("Too many failed sign-ins; the account is locked for a while.",
                                      code="account_locked", retry_after=retry)


def count_failure(user: User, found: Attempt, change: db.Change) -> None:
    """Count a failure against the source and the account, in change (with the failure's audit record)."""
    now = db.utcnow()
    throttle = found.throttle
    throttle.failures = int(throttle.failures or 0) + 1
    lock = lock_seconds(int(throttle.failures))
    throttle.locked_until = now + timedelta(seconds=lock) if lock else None
    throttle.expires_at = now + timedelta(seconds=lock + 24 * 3600)  # forgotten a day after its last failure
    user.failed_logins = int(user.failed_logins or 0) + 1
    account_lock = lock_seconds(int(user.failed_logins), ACCOUNT_MAX_FAILURES)
    if account_lock:
        user.locked_until = now + timedelta(seconds=account_lock)
    change.save(throttle)


def clear(user: User, found: Attempt, change: db.Change) -> None:
    """A success: this source's failures and the account's are forgotten, in change."""
    user.failed_logins, user.locked_until = 0, None
    if found.stored:
        change.delete(found.throttle)
