"""boto3 clients built lazily, once per process, pointed at the embedded AWS when local."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from chalicelib.core.config import settings

_lock = threading.Lock()


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10,
                    signature_version="s3v4" if service == "s3" else None)
    with _lock:  # boto3's default session is not thread-safe while clients are created
        return boto3.session.Session().client(
            service, region_name=settings.region, endpoint_url=endpoint_url, config=config
        )


def client(service: str, *, endpoint_url: str | None = None) -> Any:
    """A shared boto3 client for service (kms, secretsmanager, sesv2, s3, sqs ...); endpoint_url names a
    service that has no regional endpoint (the live-updates Management API of a WebSocket API)."""
    return _client(service, endpoint_url or settings.aws_endpoint_url)


def reset_clients() -> None:
    """Forget cached clients (tests that swap the embedded AWS)."""
    _client.cache_clear()
