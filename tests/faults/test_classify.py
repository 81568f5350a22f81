"""Which failures are passing ones (retry, 503) and which are not."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.core import errors, faults


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, "Operation")


@pytest.mark.parametrize("exc", [
    client_error("ThrottlingException"), client_error("ProvisionedThroughputExceededException"),
    client_error("KMSInternalException"), client_error("SlowDown"), client_error("ServiceUnavailable"),
    EndpointConnectionError(endpoint_url="https://x"), ConnectionClosedError(endpoint_url="https://x"),
    ReadTimeoutError(endpoint_url="https://x"), errors.ServiceUnavailableError(),
    TransactWriteError("failed", client_error("ThrottlingException")),
    PutError("failed", EndpointConnectionError(endpoint_url="https://x")),
])
def test_passing_failures_answer_503(exc: Exception) -> None:
    assert faults.is_transient(exc)
    mapped = faults.as_service_error(exc)
    assert mapped is not None and mapped.status == 503 and mapped.headers["Retry-After"]


@pytest.mark.parametrize("exc", [
    client_error("ValidationException"), client_error("ConditionalCheckFailedException"),
    client_error("AccessDeniedException"), client_error("InvalidCiphertextException"), ValueError("bug"),
    errors.NotFoundError(), TransactWriteError("failed", client_error("ValidationException")),
])
def test_other_failures_are_not_retried(exc: Exception) -> None:
    assert not faults.is_transient(exc)
    assert faults.as_service_error(exc) is None


def test_a_wrapped_cause_is_found() -> None:
    try:
        try:
            raise client_error("RequestLimitExceeded")
        except ClientError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert faults.is_transient(outer)
