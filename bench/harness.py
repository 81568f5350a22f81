"""The app under measurement: environment first, then AWS (in-process moto, as the tests run it).

Each benchmark runs in its own interpreter (``python -m bench.<name>``), because settings are read
once at import. The stand-in is the one the tests and ``make run`` use (``local/moto_patches.py``),
with no mode of its own for benchmarks. bench.cpu runs the embedded AWS in another process instead
(bench.aws_process), so that the CPU it measures is the app's alone.
"""

from __future__ import annotations

import json
import os
import random
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BENCH_ENV = {
    "CRM_STAGE": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_METRICS_NAMESPACE": "CRM",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
PASSWORD = "correct horse battery staple"
RESULT_MARK = "BENCH-RESULT "
APP_SECRET = "bench-app-secret-0001"  # the bench WhatsApp line's Meta app secret


def emit(result: Any) -> None:
    """Print a benchmark's result as the one line the ``make bench`` driver reads."""
    print(RESULT_MARK + json.dumps(result), flush=True)


def run(measure: Any, table: Any, default_runs: int = 10) -> Any:
    """A benchmark's command line: ``python -m bench.<name> [runs] [--table]`` prints its result line, and with
    ``--table`` its summary rows on stderr. The result, for a caller that prints more."""
    import sys

    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    result = measure(int(numbers[0]) if numbers else default_runs)
    emit(result)
    if "--table" in sys.argv:
        for row in table(result):
            print(" | ".join(row), file=sys.stderr)
    return result


def read_rows(area: str, reads: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Summary rows of a benchmark's reads: requests and read units of each, and whether it was one request."""
    return [(f"{area}: {read['read']}", f"{read['requests']} req, {read['read_units']:g} RRU",
             "one request" if read["requests"] == 1 else f"{read['requests']} requests") for read in reads]


def scenario_row(area: str, scenario: dict[str, Any]) -> tuple[str, str, str]:
    """A measured scenario as a summary table's line: its requests, units and CPU (and other AWS requests), whether it
    went as it should, and the items that took most of its writes."""
    biggest = ", ".join(f"{kind} {units:g}" for kind, units in list(scenario["wru_by_kind"].items())[:5])
    other = scenario.get("other") or []
    value = (f"{scenario['requests']:g} req, {scenario['read_units']:g} RRU, {scenario['write_units']:g} WRU, "
             f"{scenario['cpu_ms']:.0f} ms CPU" + (f", {len(other)} S3/SES req" if other else ""))
    note = ("ok" if scenario.get("ok", True) else "FAILED") + f"; WRU by item: {biggest}"
    return f"{area}: {scenario['scenario']}", value, note + (f"; {', '.join(other)}" if other else "")


def quiet_logs() -> None:
    """The app logs every request at INFO; a benchmark prints only its result."""
    import logging

    logging.getLogger("crm").setLevel(logging.WARNING)


def prepare_environment() -> None:
    """Set the stage's environment before anything imports chalicelib."""
    os.environ.update(BENCH_ENV)
    os.environ.pop("CRM_AWS_ENDPOINT_URL", None)


class Api:
    """The app's local gateway in-process (what chalice.test.Client drives), with JSON helpers."""

    def __init__(self, app: Any, token: str | None = None) -> None:
        from chalice.test import Client

        self._gateway = Client(app).http._local_gateway
        self.token = token

    def call(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        """(status, JSON body) of one request; a body that is not JSON (a calendar, a CSV) as its text."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps(payload).encode() if payload is not None else b""
        answer = self._gateway.handle_request(method=method, path=path, headers=headers, body=body)
        raw = answer.get("body") or b"null"
        kind = str((answer.get("headers") or {}).get("Content-Type", "application/json"))
        if not kind.startswith("application/json"):
            return int(answer["statusCode"]), raw.decode() if isinstance(raw, bytes) else raw
        return int(answer["statusCode"]), json.loads(raw)

    def ok(self, method: str, path: str, payload: Any = None) -> Any:
        """The body of a request that must succeed."""
        status, found = self.call(method, path, payload)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {found}")
        return found


def provision_in_process() -> None:
    """The stage's table, CMK alias, secret and sender in the active in-process moto."""
    import boto3

    from chalicelib.core import db
    from chalicelib.core.config import settings
    from tenants.secrets import ensure_app_secret

    db.create_tables()
    kms = boto3.client("kms", region_name=settings.region)
    key_id = kms.create_key(Description="crm bench CMK")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=settings.kms_key_id, TargetKeyId=key_id)
    ensure_app_secret(boto3.client("secretsmanager", region_name=settings.region), settings.app_secret_id)
    boto3.client("ses", region_name=settings.region).verify_email_identity(EmailAddress=settings.mail_from)


@contextmanager
def in_process_app() -> Iterator[Any]:
    """The Chalice app on an in-process moto (requests never leave the interpreter)."""
    prepare_environment()
    from moto import mock_aws

    from local import moto_patches

    moto_patches.install()
    with mock_aws():
        provision_in_process()
        from app import app

        quiet_logs()
        yield app


class DomainFeed:
    """The main table's stream in the in-process embedded AWS, read by ``make run``'s own poller
    (``local.streams``) and handed to the app's stream handlers (``app.domain_events``) as Lambda hands them over:
    what the domain-event consumers (reports, segments, campaigns, automations) cost is then counted like any
    other request. Reading the stream is not (a Lambda trigger's reads are free)."""

    def __init__(self, app: Any) -> None:
        import boto3

        from chalicelib.core.config import settings
        from local.streams import StreamPoller

        # botocore sends a call naming a stream ARN to the account endpoint, which moto routes to DynamoDB itself.
        streams = boto3.client("dynamodbstreams", region_name=settings.region,
                               endpoint_url=f"https://streams.dynamodb.{settings.region}.amazonaws.com")
        self.poller = StreamPoller(app, None, region=settings.region,
                                   dynamodb=boto3.client("dynamodb", region_name=settings.region), streams=streams)
        self.poller.prepare(settings.table_name)

    def deliver(self) -> int:
        """Hand every record written since the last delivery to its handlers, batch by batch; how many."""
        handed = 0
        for consumer in self.poller.consumers:
            while (batch := self.poller.poll_once(consumer)) > 0:
                handed += batch
        return handed


def sign_up(app: Any, company: str = "Bench Flowers Ltd") -> tuple[Api, dict[str, Any]]:
    """A new tenant through the API; its owner's client and the sign-up answer."""
    api = Api(app)
    email = f"owner.{random.getrandbits(48):x}@bench.example.com"
    signed = api.ok("POST", "/api/v1/auth/signup", {"company_name": company, "name": "Olga Owner",
                                                    "email": email, "password": PASSWORD, "country": "GB"})
    api.token = signed["access_token"]
    return api, signed


def sign_in_again(api: Api, signed: dict[str, Any]) -> None:
    """A fresh access token for the owner (a long seeding or measuring outlives its 15 minutes)."""
    api.token = None
    api.token = api.ok("POST", "/api/v1/auth/login", {"email": signed["user"]["email"], "password": PASSWORD})[
        "access_token"]


def tenant_context(signed: dict[str, Any]) -> Any:
    """The owner's TenantContext, for code that calls services directly (seeding)."""
    from chalicelib.core import permissions
    from chalicelib.core.tenancy import TenantContext

    return TenantContext(tenant_id=signed["tenant"]["id"], actor_id=signed["user"]["id"], actor_kind="user",
                         role="owner", permissions=permissions.BUILTIN_ROLES["owner"].permissions)


def summary(name: str, costs: list[dict[str, Any]], ok: Any = None, *, warm: bool = False,
            kinds: int = 6) -> dict[str, Any]:
    """A scenario's row from its calls' costs (``accounting.cost_of``): the first call's requests and units (the
    last's, ``warm``, where the first pays an import: CPU then leaves it out too), the median CPU, the ``kinds``
    items written most, what else was called (``other``, where counted) and whether every call answered ``ok``."""
    chosen = costs[-1] if warm else costs[0]
    row = {"scenario": name, "requests": chosen["requests"], "read_units": chosen["read_units"],
           "write_units": chosen["write_units"], "operations": chosen["operations"],
           "cpu_ms": statistics.median(c["cpu_s"] for c in (costs[1:] if warm else []) or costs) * 1000,
           "wru_by_kind": {kind: round(units, 1) for kind, units in list(chosen["wru_by_kind"].items())[:kinds]}}
    if "other" in chosen:
        row["other"] = chosen["other"]
    if ok is not None:
        row["ok"] = all(c["status"] == ok for c in costs)
    return row


def post_request(app: Any, request: Any) -> int:
    """The status of a provider's prepared webhook request (a ``webhooks`` simulator's) through the local gateway."""
    from urllib.parse import urlsplit

    from chalice.test import Client

    gateway = Client(app).http._local_gateway
    answer = gateway.handle_request(method=request.method, path=urlsplit(request.url).path,
                                    headers=dict(request.headers), body=request.body)
    return int(answer["statusCode"])


def whatsapp_line(api: Api, **settings: Any) -> Any:
    """The bench company's WhatsApp Cloud API line (the Graph API answered by its sandbox, never called)."""
    return api.ok("POST", "/api/v1/integrations", {"type": "whatsapp", "name": "Bench WhatsApp", "settings": {
        "phone_number_id": "106540352242922", "waba_id": "102290129340398", "access_token": "EAAG-bench-token-0001",
        "app_secret": APP_SECRET, **settings}})
