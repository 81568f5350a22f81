"""One botocore session per process for every AWS client (#22 target 4: a cold Lambda's first request)."""

from __future__ import annotations

from typing import Any

from chalicelib.core import aws
from chalicelib.core.db import MainTable
from tests.support import ApiClient


def _loader(client: Any) -> Any:
    return client._loader


def test_pynamodb_and_boto3_clients_share_the_process_session(client: ApiClient) -> None:
    """A second session would read the endpoints and retry rules again: about 45 ms of a cold start's CPU. The test
    reads PynamoDB's private connection and botocore's client loader, so it fails loudly on versions that moved
    them (db.MainTable._get_connection sets the session)."""
    assert client.get("/api/v1/health").status_code == 200  # the table's connection is made and used
    session = aws.botocore_session()
    connection = MainTable._get_connection().connection
    assert connection.session is session
    loader = session.get_component("data_loader")
    assert _loader(connection.client) is loader
    assert _loader(aws.client("kms")) is loader and _loader(aws.client("sqs")) is loader


def test_a_model_whose_connection_is_forgotten_gets_a_client_of_the_same_session(client: ApiClient) -> None:
    before = MainTable._get_connection().connection.client
    MainTable._connection = None
    try:
        again = MainTable._get_connection().connection.client
        assert again is not before  # a new connection, as PynamoDB makes one when its table changes
        assert _loader(again) is aws.botocore_session().get_component("data_loader")
        assert client.get("/api/v1/health").status_code == 200
    finally:
        MainTable._connection = None
