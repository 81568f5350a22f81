"""Throttled or unavailable DynamoDB and KMS on the write paths: 503 with Retry-After, nothing written, and
the same request succeeds once the fault is gone.

Faults are injected through botocore's event hooks on the very clients the app uses: the transaction
client of the data layer (``before-call.dynamodb.TransactWriteItems``) and the shared KMS client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from chalicelib.core import aws, crypto, db
from tests.factories import Company, add_member, outbox, signup, unique_email
from tests.support import ApiClient, body
from tests.tenantdata import table

Request = Callable[[ApiClient, Company], Any]


def transaction_client() -> Any:
    """The botocore client every ``db.commit`` goes through."""
    return db.MainTable._get_connection().connection.client


@contextmanager
def failing(client: Any, event: str, error: Exception | Callable[..., Any]) -> Iterator[list[str]]:
    """While inside, every call matching event fails with error; yields the calls seen.

    Registered first, so it acts before the embedded AWS (moto answers from a before-send hook too).
    """
    seen: list[str] = []

    def fail(**kwargs: Any) -> Any:
        seen.append(kwargs.get("event_name", event))
        if callable(error) and not isinstance(error, Exception):
            return error(**kwargs)
        raise error

    client.meta.events.register_first(event, fail)
    try:
        yield seen
    finally:
        client.meta.events.unregister(event, fail)


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
                       operation)


@dataclass
class Case:
    name: str
    request: Request
    ok: int


def _signup(client: ApiClient, company: Company) -> Any:
    return client.post("/api/v1/auth/signup", {"company_name": "Faulty", "name": "F", "email": company.extra["email"],
                                               "password": "correct horse battery staple"})


def _invite(client: ApiClient, company: Company) -> Any:
    return client.post("/api/v1/users", {"email": company.extra["email"], "name": "Invitee", "role": "agent"},
                       token=company.owner.token)


def _team(client: ApiClient, company: Company) -> Any:
    return client.post("/api/v1/teams", {"name": "Faulty team"}, token=company.owner.token)


def _role_change(client: ApiClient, company: Company) -> Any:
    agent = company.extra["agent"]
    return client.patch(f"/api/v1/users/{agent['id']}", {"role": "manager", "version": agent["version"]},
                        token=company.owner.token)


def _api_key(client: ApiClient, company: Company) -> Any:
    return client.post("/api/v1/api-keys", {"name": "Faulty key", "permissions": ["users:read:all"]},
                       token=company.owner.token)


def _totp_setup(client: ApiClient, company: Company) -> Any:
    return client.post("/api/v1/auth/totp/setup", token=company.owner.token)


WRITES = [Case("sign-up", _signup, 201), Case("invite", _invite, 201), Case("team create", _team, 201),
          Case("role change", _role_change, 200), Case("api key create", _api_key, 201),
          Case("totp setup", _totp_setup, 200)]


@pytest.fixture
def company(client: ApiClient) -> Company:
    company = signup(client, company="Fault Ltd")
    agent = add_member(client, company, role="agent", name="faultagent")
    company.extra["agent"] = body(client.get(f"/api/v1/users/{agent.user_id}", token=company.owner.token))
    company.extra["email"] = unique_email("faulty")
    return company


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.body
    assert body(response)["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) >= 1


def attempt(client: ApiClient, company: Company, case: Case, fault: Callable[[], Any]) -> None:
    """The request under the fault answers 503 and changes nothing; without it, it succeeds."""
    before, mails = table.every_item(), len(outbox())
    with fault():
        assert_unavailable(case.request(client, company))
    assert table.every_item() == before
    assert len(outbox()) == mails
    retried = case.request(client, company)
    assert retried.status_code == case.ok, retried.body


@pytest.mark.parametrize("case", WRITES, ids=lambda c: c.name)
@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                  "InternalServerError"])
def test_dynamodb_throttling_on_commit(client: ApiClient, company: Company, case: Case, code: str) -> None:
    attempt(client, company, case, lambda: failing(transaction_client(), "before-call.dynamodb.TransactWriteItems",
                                                   client_error(code, "TransactWriteItems")))


@pytest.mark.parametrize("case", WRITES, ids=lambda c: c.name)
def test_dynamodb_unreachable_on_commit(client: ApiClient, company: Company, case: Case) -> None:
    unreachable = EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com/")
    attempt(client, company, case, lambda: failing(transaction_client(), "before-call.dynamodb.TransactWriteItems",
                                                   unreachable))


@pytest.mark.parametrize("code", ["ThrottlingException", "KMSInternalException", "DependencyTimeoutException"])
def test_kms_failing_to_open_the_tenant_key(client: ApiClient, company: Company, code: str) -> None:
    crypto.clear_cache()  # the key must be unwrapped: a warm cache would not call KMS at all
    case = next(c for c in WRITES if c.name == "totp setup")
    attempt(client, company, case, lambda: failing(aws.client("kms"), "before-call.kms.Decrypt",
                                                   client_error(code, "Decrypt")))


@pytest.mark.parametrize("code", ["ThrottlingException", "KMSInternalException"])
def test_kms_failing_to_make_a_new_tenant_key(client: ApiClient, company: Company, code: str) -> None:
    case = next(c for c in WRITES if c.name == "sign-up")
    attempt(client, company, case, lambda: failing(aws.client("kms"), "before-call.kms.GenerateDataKey",
                                                   client_error(code, "GenerateDataKey")))


def test_throttled_commits_are_retried_with_backoff_before_answering(client: ApiClient, company: Company) -> None:
    def throttled(request: Any, **_: Any) -> AWSResponse:
        raw = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected"}'
        return AWSResponse(request.url, 400, {"x-amzn-requestid": "injected", "content-length": str(len(raw))},
                           _Raw(raw))

    case = next(c for c in WRITES if c.name == "team create")
    before = table.every_item()
    with answered_by_us(transaction_client(), "TransactWriteItems"), failing(transaction_client(),
                                                       "before-send.dynamodb.TransactWriteItems", throttled) as calls:
        assert_unavailable(case.request(client, company))
    assert len(calls) == 1 + db.MainTable.Meta.max_retry_attempts  # botocore's standard retries, then 503
    assert table.every_item() == before
    assert case.request(client, company).status_code == 201


@contextmanager
def answered_by_us(client: Any, operation: str) -> Iterator[None]:
    """Keep the embedded AWS from answering one operation of a client, so the answer we inject is the only one.

    Every before-send handler runs (the first answer wins), so moto would still apply the write
    behind an injected throttle, where a real throttled transaction writes nothing.
    """
    from moto.core.models import botocore_stubber

    def others(event_name: str, request: Any, **kwargs: Any) -> Any:
        if event_name.endswith("." + operation):
            return None
        return botocore_stubber(event_name=event_name, request=request, **kwargs)

    client.meta.events.unregister("before-send", botocore_stubber)
    client.meta.events.register("before-send", others)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send", others)
        client.meta.events.register("before-send", botocore_stubber)


class _Raw:
    """A response body as botocore reads it."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any) -> bytes:
        return self._data


def test_a_connection_dropped_during_commit_answers_503(client: ApiClient, company: Company) -> None:
    dropped = ConnectionClosedError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com/")
    case = next(c for c in WRITES if c.name == "team create")
    attempt(client, company, case, lambda: failing(transaction_client(), "before-call.dynamodb.TransactWriteItems",
                                                   dropped))
