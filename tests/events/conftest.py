"""The main table's stream for one test: the records moto keeps, read through the DynamoDB Streams API and
handed to the app's own stream handler (``app.domain_events``) as Lambda hands them over."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import pytest

from chalicelib.core.config import settings
from chalicelib.due import service as due


@dataclass
class Feed:
    """The stream from the moment the test began: what was written since, and delivering it."""

    streams: Any
    arn: str
    iterator: str
    delivered: list[dict[str, Any]] = field(default_factory=list)

    def read(self) -> list[dict[str, Any]]:
        """Stream records written since the last read, in Lambda's shape."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.streams.get_records(ShardIterator=self.iterator, Limit=1000)
            self.iterator = page["NextShardIterator"]
            if not page["Records"]:
                return found
            for record in page["Records"]:
                data = dict(record["dynamodb"])
                data["ApproximateCreationDateTime"] = data["ApproximateCreationDateTime"].timestamp()
                found.append({**record, "dynamodb": data, "eventSourceARN": self.arn})

    def deliver(self, records: list[dict[str, Any]] | None = None, *, handler: str = "domain_events") -> dict[str, Any]:
        """Hand records (those written since the last read by default) to one of the app's stream handlers
        (the domain-event feed's, or ``inbox_dispatch``)."""
        from app import app

        batch = self.read() if records is None else records
        self.delivered += batch
        result: dict[str, Any] = app.handler_map[handler]({"Records": batch}, None)
        return result


@contextmanager
def frozen(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> Iterator[None]:
    """The clock of the writes and of their audit records (the feed's events, and the reports' today) at moment."""
    with monkeypatch.context() as patch:
        patch.setattr("chalicelib.core.db.utcnow", lambda: moment)
        patch.setattr("chalicelib.core.audit.utcnow", lambda: moment)
        yield


def _moto_table() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].get_table(settings.table_name)


@contextmanager
def open_feed() -> Iterator[Feed]:
    """The table's stream (NEW_IMAGE, as infra/ declares it), on until the block ends."""
    dynamodb = boto3.client("dynamodb", region_name=settings.region)
    dynamodb.update_table(TableName=settings.table_name,
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    # botocore sends a call naming a stream ARN to the account endpoint (<account>.ddb...), which moto
    # routes to DynamoDB itself: the streams endpoint is named.
    streams = boto3.client("dynamodbstreams", region_name=settings.region,
                           endpoint_url=f"https://streams.dynamodb.{settings.region}.amazonaws.com")
    arn = dynamodb.describe_table(TableName=settings.table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    try:
        yield Feed(streams, arn, iterator)
    finally:
        # moto cannot switch a stream off (its shard stays and fails the next write), and other tests need
        # none: the test's stream is dropped from moto's table directly.
        table = _moto_table()
        table.stream_shard, table.latest_stream_label = None, None
        table.stream_specification = {"StreamEnabled": False}


@pytest.fixture
def feed(app: Any) -> Iterator[Feed]:
    """The table's stream for one test."""
    with open_feed() as opened:
        yield opened


@pytest.fixture(autouse=True)
def fresh_due_bookmark() -> Iterator[None]:
    """Each test's timers run from its own clock: the due run's bookmark is forgotten after it."""
    yield
    from chalicelib.due.models import DueState

    DueState(due.STATE_PK, due.STATE_SK).delete()
