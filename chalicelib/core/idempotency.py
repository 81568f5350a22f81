"""``Idempotency-Key`` on POSTs that create: the first answer is kept 24 hours and replayed, never redone.

One item per caller and key, ``T#<tid>#IDEM#<principal>#<key>`` / ``IDEM`` (and on gsi1
``T#<tid>#IDEM`` / ``<expiry>#<principal>#<key>``, so a tenant's keys are walked, exported and purged
with one Query, never a Scan), claimed with a
conditional put before the route runs ("in progress", with a short lock) and completed with the
answer's status and body. A second request with the key gets the stored answer with
``Idempotent-Replayed: true``; with another body or route it is 422 ``idempotency_key_reused``;
while the first is still running it is 409 ``idempotency_in_progress``.

Powertools' idempotency utility was evaluated and not taken: on our single table its record key is
either ``<function>#<payload hash>`` as the partition key or one static partition for every
caller, neither under the tenant's ``T#<tid>#`` prefix (so the tenancy guard, the watcher and the
per-tenant key conditions of IAM would all refuse it); it keys on a hash of the event, where the
contract here is the client's header per principal; and it caches a handler's return value, where
we must replay an HTTP answer (status and body) produced after our error mapping.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalice import Response
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.core import db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
LOCK_SECONDS = 60  # a request still "in progress" after this died; its key may be used again
MAX_STORED_BODY = 300_000  # items are at most 400 KB; a larger answer is not kept (a retry runs again)
SK = "IDEM"
_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,255}$")
# Answers a retry should not replay: the client may succeed later without changing anything.
RETRYABLE = frozenset({409, 423, 429})


class IdempotencyRecord(db.MainTable, discriminator="idempotency"):
    """The first answer to a caller's Idempotency-Key (or the claim of the request still running)."""

    personal = frozenset({"response_body"})  # the answer repeats what was created

    state = UnicodeAttribute()  # in_progress | done
    fingerprint = UnicodeAttribute()  # SHA-256 of method, route and body
    locked_until = NumberAttribute()  # epoch seconds
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)


class KeyReusedError(errors.CRMError):
    status = 422
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used with another request; use a new key for a new request."


class InProgressError(errors.CRMError):
    status = 409
    code = "idempotency_in_progress"
    message = "A request with this Idempotency-Key is still being processed; retry shortly."


def valid_key(value: str | None) -> str | None:
    """The header's key, None when absent; 400 for a key we cannot store under."""
    if value is None:
        return None
    if not _KEY.match(value):
        raise errors.BadRequestError("Idempotency-Key must be 1-255 letters, digits or _ . : -",
                                     code="invalid_idempotency_key")
    return value


def fingerprint(method: str, path: str, body: bytes | None) -> str:
    """What makes two requests the same request."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body or b"")
    return digest.hexdigest()


def record_pk(ctx: TenantContext, key: str) -> str:
    """The item of a caller's key: tenant and principal scoped, so no one else's key can collide."""
    return tenant_key(ctx, "IDEM", ctx.actor_id, key)


def _record(ctx: TenantContext, key: str, **fields: Any) -> IdempotencyRecord:
    expires = db.utcnow() + KEEP
    return IdempotencyRecord(record_pk(ctx, key), SK, gsi1pk=tenant_key(ctx, "IDEM"),
                             gsi1sk=f"{expires.isoformat()}#{ctx.actor_id}#{key}", expires_at=expires, **fields)


def _claim(ctx: TenantContext, key: str, print_: str) -> IdempotencyRecord | None:
    """Claim the key for this request; the stored record instead when it is already taken."""
    now = db.utcnow()
    record = _record(ctx, key, state="in_progress", fingerprint=print_, locked_until=int(time.time()) + LOCK_SECONDS)
    free = (IdempotencyRecord.pk.does_not_exist() | (IdempotencyRecord.expires_at < now)
            | ((IdempotencyRecord.state == "in_progress") & (IdempotencyRecord.locked_until < int(time.time()))))
    try:
        with db.translate_errors():
            record.save(condition=free)
        return None
    except errors.VersionConflictError:  # the condition failed: the key is taken
        existing = db.get(ctx, IdempotencyRecord, record.pk, SK)
        if existing is None:  # expired and removed meanwhile: claim again
            return _claim(ctx, key, print_)
        return existing


def _replay(record: IdempotencyRecord) -> Response:
    from chalicelib.core.http import API_HEADERS, JSON

    headers: dict[str, str | list[str]] = {**API_HEADERS, "Content-Type": JSON, REPLAYED: "true"}
    return Response(body=record.response_body or "", status_code=int(record.response_status or 200),
                    headers=headers)


def _complete(ctx: TenantContext, key: str, print_: str, response: Response) -> None:
    """Keep the answer (or release the key when the answer should not be replayed)."""
    body = response.body if isinstance(response.body, str) else None
    record = IdempotencyRecord(record_pk(ctx, key), SK)
    with db.translate_errors():
        if response.status_code >= 500 or response.status_code in RETRYABLE or body is None \
                or len(body) > MAX_STORED_BODY:
            record.delete(condition=IdempotencyRecord.fingerprint == print_)
            return
        _record(ctx, key, state="done", fingerprint=print_, locked_until=0, response_status=response.status_code,
                response_body=body).save()


def around(ctx: TenantContext, key: str, print_: str, respond: Callable[[], Response]) -> Response:
    """Answer a request with an Idempotency-Key: run it once, replay its answer afterwards."""
    existing = _claim(ctx, key, print_)
    if existing is not None:
        if existing.fingerprint != print_:
            raise KeyReusedError()
        if existing.state != "done":
            raise InProgressError(headers={"Retry-After": "1"})
        return _replay(existing)
    response = respond()
    try:
        _complete(ctx, key, print_, response)
    except errors.CRMError:  # the write happened: answer it; the key stays locked, then runs again
        logger.warning("idempotency record not completed", extra={"status": response.status_code}, exc_info=True)
    return response
