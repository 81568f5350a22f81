"""Every write route under throttled DynamoDB and failing KMS: a clean 503 with Retry-After, nothing
half-written, and the same request succeeds once the fault is gone.

The routes come from the registry (tests/registry_walk.py), so a write route added later is covered
without editing this file: it fails here until the generic request succeeds for it or OVERRIDES in
tests/faults/writes.py (account routes: tests/faults/account_writes.py) builds one, or SKIPPED below
names it with the reason. Each case makes its own records (tests/faults/fresh.py) in one seeded world.

Faults are raised in ``BaseClient._make_api_call`` of every botocore client (each PynamoDB model, the
KMS client): a throttled call fails as if every attempt had, whichever client makes it. The snapshot is the
table read from the embedded AWS (tests/faults/snapshots.py): global items and new tenants count too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from chalicelib.core import crypto
from chalicelib.core.http import REGISTRY, RouteSpec
from tests.factories import outbox
from tests.faults.fresh import Call, Fresh
from tests.faults.snapshots import Key, Snapshot, Watched, changed
from tests.faults.test_write_faults import assert_unavailable
from tests.faults.writes import OVERRIDES, build
from tests.registry_walk import public_api_writes, route_name, write_routes
from tests.security.test_cross_tenant import World
from tests.support import ApiClient, body

FAULTED = {  # the calls that fail, by service
    "dynamodb": frozenset({"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}),
    "kms": frozenset({"GenerateDataKey", "Decrypt", "Encrypt"}),
}

# Routes this suite does not drive, each with why. Names must be routes of the registry (checked below).
SKIPPED: dict[str, str] = {}

# Write paths that break under a fault today: a strict xfail each, with the finding (the lead fixes them).
KNOWN_BUGS: dict[str, str] = {}

# Routes that record a failed attempt on purpose and answer 200 with it (only that record may change).
RECORDS_FAILURE: dict[str, str] = {
    "POST /api/v1/integrations/{integration_id}/events/{event_id}/replay": (
        "the inbox pipeline never raises: a failed attempt leaves the event failed and retryable"),
}

@contextmanager
def failing(service: str, operations: frozenset[str], code: str) -> Iterator[list[str]]:
    """While inside, every call of operations on any client of service fails with code; yields the calls.

    Raised where every client's call begins (``BaseClient._make_api_call``, above botocore's retries and
    event hooks), so all clients of the app (each PynamoDB model's, the shared KMS one) fail the same
    way: as a throttle that outlasts every retry looks to the caller. The retries themselves are
    tested in test_write_faults.py.
    """
    calls: list[str] = []
    original = BaseClient._make_api_call

    def make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == service and operation_name in operations:
            calls.append(operation_name)
            raise ClientError({"Error": {"Code": code, "Message": "injected"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, operation_name)
        return original(self, operation_name, api_params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", make_api_call)
        yield calls


@pytest.fixture(scope="module")
def watched() -> Watched:
    """The table as the cases compare it, made before their world (earlier modules' tenants left out)."""
    return Watched()


@pytest.fixture(scope="module")
def world(app: Any, watched: Watched) -> World:
    """Tenant A seeded with every kind of record (the cross-tenant matrix's world), once for the module."""
    return World(ApiClient(app))




def recorded_failure(name: str, response: Any, before: Snapshot, after: Snapshot) -> bool:
    """Whether the route answered with a failure it records on purpose, touching only the failing record."""
    if name not in RECORDS_FAILURE or response.status_code != 200 or body(response).get("status") != "failed":
        return False
    record_id = body(response)["id"]
    written = changed(before, after)
    assert all(record_id in pk + sk for pk, sk in written), written
    return True


def under_fault(client: ApiClient, watched: Watched, name: str, call: Call, service: str, code: str,
                before: Snapshot) -> tuple[list[Key] | None, Snapshot]:
    """Send under a fault and check the answer, and that nothing was half-written.

    ``before`` is the table as it stands (a snapshot taken since the last request). Returns None when the route
    met the fault and refused cleanly, the keys it wrote when it succeeded without meeting the fault (it does not
    need that service): that answer was then its success; and the table after the request, which the next step
    compares against (nothing runs in between, so a new snapshot would be the same).
    """
    crypto.clear_cache()  # a warm key cache would spare KMS the call the fault is about
    mails = len(outbox())
    with failing(service, FAULTED[service], code) as calls:
        response = call.send(client)
    assert response.status_code != 500, response.body
    after = watched.snapshot()
    if recorded_failure(name, response, before, after):
        return None, after
    if response.status_code < 300 and not calls:
        return changed(before, after), after
    assert response.status_code == 503, f"answered {response.status_code} although {calls} failed under it"
    assert_unavailable(response)
    assert changed(before, after) == [], "half-written under the fault"
    assert len(outbox()) == mails
    return None, after


def test_the_tables_name_only_routes_that_exist() -> None:
    names = {route_name(spec) for spec in REGISTRY.values()}
    named = set(SKIPPED) | set(KNOWN_BUGS) | set(RECORDS_FAILURE) | set(OVERRIDES)
    assert named <= names, named - names


def test_the_walk_finds_the_write_routes() -> None:
    assert len(write_routes()) >= 60


def cases() -> list[Any]:
    """One case per write route; a known bug is a strict xfail, so its fix shows up as a failure here."""
    return [pytest.param(spec, id=route_name(spec), marks=[pytest.mark.xfail(strict=True, raises=AssertionError,
                                                                             reason=KNOWN_BUGS[route_name(spec)])]
                         if route_name(spec) in KNOWN_BUGS else [])
            for spec in write_routes() + public_api_writes()]


@pytest.mark.parametrize("spec", cases())
def test_write_route_under_faults(client: ApiClient, watched: Watched, world: World, spec: RouteSpec) -> None:
    name = route_name(spec)
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
    call = build(spec, Fresh(client, world))
    table = watched.snapshot()
    written, table = under_fault(client, watched, name, call, "dynamodb", "ProvisionedThroughputExceededException",
                                 table)
    if written is not None:
        return  # it writes nothing to the table (a presigned upload): that answer was its success
    # its keys when KMS is not needed
    written, table = under_fault(client, watched, name, call, "kms", "KMSInternalException", table)
    if written is None:
        retried = call.send(client)
        assert retried.status_code < 300, retried.body
        written = changed(table, watched.snapshot())
        if name in RECORDS_FAILURE:
            assert body(retried)["status"] != "failed", retried.body
    assert written, "the request succeeded without writing anything"
