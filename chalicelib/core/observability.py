"""Powertools Logger and Metrics, correlated with the request and the tenant.

Keys are appended per thread (``chalice local`` and the embedded runner serve requests on
threads) and cleared at the end of every request, so one tenant's id never lands in another
request's log lines on a warm Lambda. The tenant id goes in the metrics metadata, never in a
dimension: each distinct dimension value is a billed custom metric.
"""

from __future__ import annotations

import threading

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.core.config import settings

logger = Logger(service=settings.service_name)
metrics = Metrics(namespace=settings.metrics_namespace, service=settings.service_name)
_metrics_lock = threading.Lock()

# Keys that must never reach a log line, whatever a caller passes in.
REDACTED_KEYS = frozenset({"password", "token", "access_token", "refresh_token", "secret", "otp"})


def start_request(*, request_id: str, route: str, method: str) -> None:
    """Reset the log keys for a new request."""
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(request_id=request_id, route=route, method=method, tenant_id=None)


def bind_tenant(tenant_id: str | None, *, actor_id: str | None = None) -> None:
    """Put the verified tenant (and actor) on every following log line of this request."""
    logger.thread_safe_append_keys(tenant_id=tenant_id, actor_id=actor_id)


def end_request() -> None:
    """Forget this request's keys."""
    logger.thread_safe_clear_keys()


def record_request(*, route: str, status: int, duration_ms: float, tenant_id: str | None) -> None:
    """Emit the request metrics (EMF) with low-cardinality dimensions only."""
    # One Metrics object holds the set being built: on the local runner's threads, another request's
    # flush could empty it between these adds and this flush (a 500 "Must contain at least one metric").
    with _metrics_lock:
        metrics.add_dimension(name="stage", value=settings.stage)
        metrics.add_dimension(name="route", value=route)
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name=f"Status{status // 100}xx", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=duration_ms)
        if tenant_id:
            metrics.add_metadata(key="tenant_id", value=tenant_id)
        metrics.flush_metrics()


def safe_fields(fields: dict[str, object]) -> dict[str, object]:
    """Drop secret-bearing keys from a dict before it is logged."""
    return {k: ("***" if k.lower() in REDACTED_KEYS else v) for k, v in fields.items()}
