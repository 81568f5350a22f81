"""The fault suite counts every DynamoDB write a request attempts as the route's own.

The rate limiter's shared counter (``billing.traffic.add``) is written every few hundred requests of a tenant,
by whichever request happens to take the share, and its failure never fails that request (see
tests/billing/test_ratelimit.py); here it would be taken for the route's write. So the suite's Lambdas keep
their counts in memory only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def rate_counts_in_memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from chalicelib.billing import traffic

    monkeypatch.setattr(traffic, "add", lambda tenant_id, kind, minute, admitted: admitted)
    yield
