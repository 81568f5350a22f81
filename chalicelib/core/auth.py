"""Password hashing, access JWT issue/verify, opaque token hashing, the request principal.

Access tokens are EdDSA (Ed25519) JWTs: the algorithm is pinned on verify, so ``alg: none`` and
the HS256-with-the-public-key trick both fail; ``kid`` picks the verification key, so keys rotate
through the stage's secret without a deploy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as pysecrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from chalicelib.core import errors
from chalicelib.core import secrets as app_secrets
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext

ALGORITHM = "EdDSA"
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "tid", "tv", "sid"]


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request: a user (by access JWT) or an API key."""

    tenant_id: str
    actor_id: str
    actor_kind: str  # user | api_key
    role: str
    team_id: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None

    def context(self, *, request_id: str | None = None, source_ip: str | None = None,
                source: str = "api") -> TenantContext:
        """The TenantContext services receive for this caller."""
        return TenantContext(
            tenant_id=self.tenant_id, actor_id=self.actor_id, actor_kind=self.actor_kind,
            role=self.role, team_id=self.team_id, source=source, request_id=request_id,
            source_ip=source_ip, permissions=self.permissions,
        )


# -- passwords ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    # OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash of password."""
    return str(_hasher().hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True when password matches the hash (constant time inside argon2)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown email is not told apart by timing."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(pysecrets.token_urlsafe(16)))
    verify_password(_DUMMY_HASH[0], password)


# -- opaque tokens (refresh tokens, API keys, invitation and reset links) --------------------


def new_opaque_token(prefix: str = "") -> str:
    """A random URL-safe token with 256 bits of entropy."""
    return f"{prefix}{pysecrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: what is stored, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a.encode(), b.encode())


# -- access JWTs ----------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _load_private(pem: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem.encode(), password=None)


@lru_cache(maxsize=16)
def _load_public(pem: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem.encode())


def issue_access_token(
    *, tenant_id: str, user_id: str, role: str, token_version: int, session_id: str,
    limited: str | None = None, now: int | None = None,
) -> str:
    """Sign a short-lived access JWT for a user's session (limited: usable only to finish securing it)."""
    key = app_secrets.jwt_keys()[0]
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "tid": tenant_id,
        "role": role,
        "tv": token_version,
        "sid": session_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + settings.access_token_ttl_seconds,
    }
    if limited:
        claims["lim"] = limited
    import jwt  # here, not at import: PyJWT pulls in cryptography's key formats (cold start)

    return jwt.encode(claims, _load_private(key["private_pem"]), algorithm=ALGORITHM, headers={"kid": key["kid"]})


_last_refetch = [0.0]
REFETCH_INTERVAL_SECONDS = 30


def _may_refetch() -> bool:
    # At most one forced fetch per interval, so tokens with made-up kids cannot hammer Secrets Manager.
    now = time.monotonic()
    if now - _last_refetch[0] < REFETCH_INTERVAL_SECONDS:
        return False
    _last_refetch[0] = now
    return True


# Tokens this Lambda verified, with their key's id and claims: a signature checked once need not be checked
# again for every request of the token's life (Ed25519 verification was the largest piece of our own CPU in a
# card or a list page, bench.cpu). A remembered token is still refused once it expires or its key is retired.
_VERIFIED: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
VERIFIED_KEPT = 2048


def _remembered(token: str) -> dict[str, Any] | None:
    found = _VERIFIED.get(token)
    if found is None:
        return None
    kid, claims = found
    now = time.time()
    if now > claims["exp"] + LEEWAY_SECONDS or now < claims.get("nbf", 0) - LEEWAY_SECONDS \
            or not any(key["kid"] == kid for key in app_secrets.jwt_keys()):
        _VERIFIED.pop(token, None)
        return None
    return dict(claims)


def verify_access_token(token: str) -> dict[str, Any]:
    """Verify an access JWT (pinned algorithm, kid, iss, aud, exp, nbf) and return its claims."""
    remembered = _remembered(token)
    if remembered is not None:
        return remembered
    kid, claims = _verify(token)
    _VERIFIED[token] = (kid, claims)
    while len(_VERIFIED) > VERIFIED_KEPT:
        _VERIFIED.popitem(last=False)
    return dict(claims)


def _verify(token: str) -> tuple[str, dict[str, Any]]:
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise errors.UnauthenticatedError("The access token is malformed.") from exc
    kid = str(header.get("kid"))
    keys = {key["kid"]: key for key in app_secrets.jwt_keys()}
    if kid not in keys and _may_refetch():
        # A key rotated by another Lambda signs tokens before this one's cache expires: look again.
        keys = {key["kid"]: key for key in app_secrets.jwt_keys(fresh=True)}
    key = keys.get(kid)
    if key is None or header.get("alg") != ALGORITHM:
        raise errors.UnauthenticatedError("The access token was not signed by us.")
    try:
        return kid, dict(
            jwt.decode(
                token,
                _load_public(key["public_pem"]),
                algorithms=[ALGORITHM],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        )
    except jwt.ExpiredSignatureError as exc:
        raise errors.UnauthenticatedError("The access token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise errors.UnauthenticatedError("The access token is not valid.") from exc


def bearer_token(request: Any) -> str:
    """The token of an ``Authorization: Bearer ...`` header, or 401."""
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.UnauthenticatedError()
    return token.strip()
