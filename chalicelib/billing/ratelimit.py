"""Per-tenant rate limits (API requests, webhook events per minute) at a fraction of a write per request.

A DynamoDB counter per request would cost a write on every call, more than the call itself (most now
read nothing: the principal is cached). So each warm Lambda keeps a token bucket per tenant in memory
(the plan's per-minute number, refilled continuously: one noisy tenant empties only its own bucket),
and adds what it admitted to a shared per-minute counter only every ``share`` requests (a tenth of the
plan's number): one UpdateItem per ten percent of the limit, per Lambda. The counter's answer is the
tenant's total this minute across every Lambda; past the plan's number, the Lambda refuses the tenant
until the minute ends. Over N warm Lambdas a tenant can thus exceed its number by at most N shares in a
minute. A refusal is a 429 with ``Retry-After``. Counting never fails a request: a counter that cannot
be written is skipped.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.core import errors
from chalicelib.core.observability import logger

KEPT_TENANTS = 4096
SHARE_OF_LIMIT = 10  # a Lambda adds to the shared counter every limit/10 requests it admitted

# flush(tenant_id, minute "YYYYMMDDHHMM", admitted) -> the tenant's total in that minute across Lambdas
Flush = Callable[[str, str, int], int]


@dataclass
class Bucket:
    """One tenant's allowance in this Lambda."""

    per_minute: int
    tokens: float
    refilled_at: float
    minute: str = ""
    pending: int = 0  # admitted and not yet added to the shared counter
    blocked_until: float = 0.0  # the shared counter said: over the limit until then


class Limiter:
    """Token buckets of one kind of traffic (``api``, ``webhook``), per tenant, for one Lambda."""

    def __init__(self, kind: str, *, clock: Callable[[], float] = time.time) -> None:
        self.kind = kind
        self.clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, tenant_id: str, per_minute: int | None, flush: Flush) -> None:
        """Take one request of a tenant, or raise 429 with Retry-After (None: unlimited)."""
        if per_minute is None:
            return
        now = self.clock()
        with self._lock:
            bucket = self._bucket(tenant_id, per_minute, now)
            wait = self._take(bucket, now)
            share = _flush_due(bucket, now)
        if wait:
            raise errors.RateLimitedError(f"Too many {self.kind} requests for this company's plan; slow down.",
                                          retry_after=wait)
        if share:
            self._share(tenant_id, bucket, share, now, flush)

    def _bucket(self, tenant_id: str, per_minute: int, now: float) -> Bucket:
        bucket = self._buckets.get(tenant_id)
        if bucket is None or bucket.per_minute != per_minute:  # new, or the plan changed
            bucket = Bucket(per_minute=per_minute, tokens=float(per_minute), refilled_at=now)
            self._buckets[tenant_id] = bucket
        self._buckets.move_to_end(tenant_id)
        while len(self._buckets) > KEPT_TENANTS:
            self._buckets.popitem(last=False)
        return bucket

    @staticmethod
    def _take(bucket: Bucket, now: float) -> int:
        """Seconds to wait (0: admitted, a token taken)."""
        if now < bucket.blocked_until:
            return max(1, math.ceil(bucket.blocked_until - now))
        rate = bucket.per_minute / 60.0
        bucket.tokens = min(float(bucket.per_minute), bucket.tokens + (now - bucket.refilled_at) * rate)
        bucket.refilled_at = now
        if bucket.tokens < 1.0:
            return max(1, math.ceil((1.0 - bucket.tokens) / rate))
        bucket.tokens -= 1.0
        minute = minute_key(now)
        if minute != bucket.minute:  # what was admitted in an earlier minute no longer counts
            bucket.minute, bucket.pending = minute, 0
        bucket.pending += 1
        return 0

    def _share(self, tenant_id: str, bucket: Bucket, admitted: int, now: float, flush: Flush) -> None:
        minute = minute_key(now)
        try:
            total = flush(tenant_id, minute, admitted)
        except Exception:  # noqa: BLE001 - rate counting must never fail the request it counts
            logger.warning("rate counter not written", extra={"kind": self.kind}, exc_info=True)
            return
        if total > bucket.per_minute:
            with self._lock:
                bucket.blocked_until = (now // 60 + 1) * 60  # the rest of this minute

    def forget(self) -> None:
        """Drop every bucket (tests)."""
        with self._lock:
            self._buckets.clear()


def _flush_due(bucket: Bucket, now: float) -> int:
    """How many admitted requests to add to the shared counter now (0: not yet)."""
    share = max(1, bucket.per_minute // SHARE_OF_LIMIT)
    if bucket.pending < share:
        return 0
    admitted, bucket.pending = bucket.pending, 0
    return admitted


def minute_key(now: float) -> str:
    """The UTC minute of a time as ``YYYYMMDDHHMM``."""
    return time.strftime("%Y%m%d%H%M", time.gmtime(now))
