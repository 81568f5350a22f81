"""Which failures of AWS are passing (throttling, outages) and how they answer: 503 with Retry-After.

``db.translate_errors`` and ``crypto`` map the calls they wrap; this covers the rest: jobs deciding
whether to retry a step, and a route wrapper turning a stray PynamoDB or botocore outage into a 503
instead of a 500 (the request changed nothing: its transaction either committed or never ran).
"""

from __future__ import annotations

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from pynamodb.exceptions import PynamoDBException

from chalicelib.core import crypto, db, errors

S3_CODES = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"})
TRANSIENT_CODES = db.THROTTLE_CODES | crypto.KMS_UNAVAILABLE_CODES | S3_CODES


def _code(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or None
    if isinstance(exc, PynamoDBException):
        return db.response_code(exc)
    return None


def is_transient(exc: BaseException) -> bool:
    """True when exc (or what caused it) is a throttle or outage: the same step may succeed later."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # follow the chain: PynamoDB wraps botocore
        seen.add(id(current))
        if isinstance(current, errors.ServiceUnavailableError | BotocoreConnectionError | HTTPClientError):
            return True
        if _code(current) in TRANSIENT_CODES:
            return True
        wrapped = current.cause if isinstance(current, PynamoDBException) else None  # kept, not chained
        current = wrapped or current.__cause__ or current.__context__
    return False


def as_service_error(exc: BaseException) -> errors.ServiceUnavailableError | None:
    """The 503 (with Retry-After) a transient failure answers, or None when exc is not one."""
    if isinstance(exc, errors.ServiceUnavailableError):
        return exc
    return errors.ServiceUnavailableError() if is_transient(exc) else None
