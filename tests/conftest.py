"""Suite-wide setup: environment before any app import, embedded AWS in-process, the watcher."""

from __future__ import annotations

import os

os.environ.update(
    {
        "CRM_STAGE": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "CRM",
        "POWERTOOLS_DEV": "false",
        "CRM_PROVIDER_TRANSPORT": "sandbox",  # provider requests are recorded and answered, never sent
        # The app's public URL (links, return URLs, the live push endpoint) names a port nothing serves, so a
        # developer's `make run` on 127.0.0.1:8000 beside `make test` never receives what the suite sends there.
        "CRM_PUBLIC_URL": "http://127.0.0.1:9",
    }
)
os.environ.pop("CRM_AWS_ENDPOINT_URL", None)

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from tests import watcher

watcher.install()  # before any botocore session exists

from tests import stripe_kit  # noqa: E402

stripe_kit.start_sandbox()  # CRM_STRIPE_API_BASE: the SDK talks to a loopback recorder, never to Stripe

from moto import mock_aws  # noqa: E402

from local import moto_patches  # noqa: E402

moto_patches.install()  # transactions journal the items they touch instead of copying the table

from chalicelib.core import routing  # noqa: E402

# The app imports a route's module on its first request; the suite walks the whole registry (the
# cross-tenant matrix, the fault walk, OpenAPI), so every route module is loaded up front here.
routing.load_all()

from tests import due_start  # noqa: E402

due_start.install()  # a due run starts at the table's first timer, not 48 empty hours back (exactly the same run)

from tests import passwords  # noqa: E402

passwords.install()  # argon2 hashes a password once per worker and checks a (hash, password) pair once

# The suite allocates millions of short-lived objects (moto's items and answers, botocore's requests, pydantic's
# models): at CPython's default threshold (a young collection every 700 allocations) the cyclic collector ran about
# 20,000 times in tests/faults/test_every_write.py alone, 15% of its CPU, scanning the same long-lived objects
# again and again. Young collections every 50,000 allocations, and everything loaded up to here (the app, moto,
# botocore's models) frozen out of the full ones: the same tests at about a fifth of the collector's cost, and the
# same peak memory (measured with /usr/bin/time). Only this test process: the Lambda code and moto are unchanged.
gc.set_threshold(50_000, 20, 10)
gc.collect()
gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def embedded_aws() -> Iterator[None]:
    """One in-process moto for the whole suite, with the stage's table, key and secret."""
    with mock_aws():
        import boto3

        from chalicelib.core import db
        from chalicelib.core.config import settings
        from tenants.secrets import ensure_app_secret

        db.create_tables()
        kms = boto3.client("kms", region_name=settings.region)
        key_id = kms.create_key(Description="crm test CMK")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=settings.kms_key_id, TargetKeyId=key_id)
        ensure_app_secret(boto3.client("secretsmanager", region_name=settings.region), settings.app_secret_id)
        stripe_kit.use_stage_keys()
        stripe_kit.sync_plans()  # the catalog's products and prices, in the sandbox
        boto3.client("ses", region_name=settings.region).verify_email_identity(EmailAddress=settings.mail_from)
        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.recordings_bucket, CreateBucketConfiguration={"LocationConstraint": settings.region})
        yield


@pytest.fixture(scope="module", autouse=True)
def table_of_the_module(embedded_aws: None) -> Iterator[None]:
    """Each test module on a new, empty table of its own (tests/own_table.py), the session's one back after it:
    what a module costs, and what it finds in the table, never depend on what ran before it in the worker."""
    from tests.own_table import own_table

    with own_table():
        yield


@pytest.fixture(autouse=True)
def tenancy_watcher(request: pytest.FixtureRequest) -> Iterator[watcher.Watcher]:
    """Fail any test whose DynamoDB requests cross the tenant boundary."""
    watcher.WATCHER.reset()
    yield watcher.WATCHER
    if request.node.get_closest_marker("crosses_tenants_on_purpose"):
        return
    violations = list(watcher.WATCHER.violations)
    assert not violations, "tenancy watcher: " + "; ".join(violations[:5])


@pytest.fixture(scope="session")
def app() -> Any:
    """The Chalice app, imported once the environment is set."""
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app: Any) -> Any:
    """An API client on the in-process app."""
    from tests.support import ApiClient

    return ApiClient(app)


@pytest.fixture
def log_stream() -> Iterator[Any]:
    """What the Powertools logger writes (its handler holds the stdout of its import), in a buffer."""
    import io

    from chalicelib.core.observability import logger

    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    from tests import schedule

    config.pluginmanager.register(schedule, "crm-schedule")  # the workers take the costliest files first
    schedule.record_if_asked(config)
    config.addinivalue_line("markers", "crosses_tenants_on_purpose: the test checks the watcher itself")
    config.addinivalue_line("markers", "slow: starts servers or subprocesses")
