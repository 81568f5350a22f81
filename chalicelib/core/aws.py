"""boto3 clients built lazily, once per process, pointed at the embedded AWS when local.

Every client of the process, PynamoDB's DynamoDB client among them (``db.MainTable._get_connection``), is made
from one botocore session: what a session loads before its first client (the endpoints, partitions and retry
rules) is read once, not once a client. On a cold Lambda's first contact card each fresh session cost about 45 ms
of CPU (#22 target 4, bench.cold_start).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from chalicelib.core.config import settings

_lock = threading.RLock()


@cache
def botocore_session() -> Any:
    """The process's one botocore session."""
    import botocore.session

    return botocore.session.get_session()


@cache
def _boto3_session() -> Any:
    import boto3

    return boto3.session.Session(botocore_session=botocore_session())


@contextmanager
def creating_client() -> Iterator[None]:
    """Held while a client is made: a botocore session is not thread-safe while it makes clients."""
    with _lock:
        yield


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10,
                    signature_version="s3v4" if service == "s3" else None)
    with creating_client():
        return _boto3_session().client(service, region_name=settings.region, endpoint_url=endpoint_url,
                                       config=config)


def client(service: str, *, endpoint_url: str | None = None) -> Any:
    """A shared boto3 client for service (kms, secretsmanager, sesv2, s3, sqs ...); endpoint_url names a
    service that has no regional endpoint (the live-updates Management API of a WebSocket API)."""
    return _client(service, endpoint_url or settings.aws_endpoint_url)


def reset_clients() -> None:
    """Forget cached clients (tests that swap the embedded AWS)."""
    _client.cache_clear()
