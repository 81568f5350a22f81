"""What ``chalice local`` does not run either: ``@app.on_dynamodb_record`` handlers on the main table's stream.

The runner switches the stream on (NEW_IMAGE, as infra/ declares it), reads each shard from the latest record
at start through the DynamoDB Streams API of the embedded AWS, and hands each batch to its handler as
Lambda's event source mapping does: a Lambda-shaped event, the handler's ``batchItemFailures`` honoured (the
shard is read again from the first failed record after a pause, so order is kept), a raising handler retried
with the whole batch. Records already handed over are dropped from moto's shard (moto keeps every record for
ever, where DynamoDB keeps them 24 hours), so a long ``make run`` does not grow with every write.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from local.jobs import lambda_context

log = logging.getLogger("local.streams")

POLL_SECONDS = 1.0
RETRY_SECONDS = 5.0
STREAM_SPEC = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


@dataclass
class StreamConsumer:
    """One ``@app.on_dynamodb_record`` handler and where it reads each shard."""

    name: str
    handler: Any
    batch_size: int
    arn: str = ""
    iterators: dict[str, str] = field(default_factory=dict)
    handed: int | None = None  # the sequence number of the last record it took (moto keeps one shard)


def lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    """A stream record as Lambda hands it to a function (times as epoch seconds, the stream's ARN)."""
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": data, "eventSourceARN": arn}


class StreamPoller:
    """Feeds each DynamoDB stream handler the records of the main table's stream in the embedded AWS."""

    def __init__(self, app: Any, config: Any, *, region: str, dynamodb: Any | None = None,
                 streams: Any | None = None) -> None:
        from chalice.app import DynamoDBEventConfig

        self.app = app
        self.config = config
        self.region = region
        self._dynamodb = dynamodb
        self._streams = streams
        self.consumers = [StreamConsumer(source.name, app.handler_map[source.name], max(1, int(source.batch_size)))
                          for source in app.event_sources if isinstance(source, DynamoDBEventConfig)]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        # Each consumer reads in a thread of its own, and a trim drops records from moto's shard: moto's read takes
        # the shard's first sequence number and then slices its list, so a trim between the two would make the
        # read skip records. Reads and trims take turns.
        self._shard_lock = threading.Lock()

    def _clients(self) -> tuple[Any, Any]:
        if self._dynamodb is None or self._streams is None:
            from local.aws import client

            self._dynamodb, self._streams = client("dynamodb"), client("dynamodbstreams")
        return self._dynamodb, self._streams

    def prepare(self, table_name: str) -> str:
        """Switch the table's stream on if it is off; every consumer starts at its latest record. Its ARN."""
        dynamodb, streams = self._clients()
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        if not table.get("StreamSpecification", {}).get("StreamEnabled"):
            dynamodb.update_table(TableName=table_name, StreamSpecification=STREAM_SPEC)
            table = dynamodb.describe_table(TableName=table_name)["Table"]
        arn = str(table["LatestStreamArn"])
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        for consumer in self.consumers:
            consumer.arn = arn
            for shard in shards:
                consumer.iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
        return arn

    def poll_once(self, consumer: StreamConsumer) -> int:
        """Read one batch of each shard and hand it over; returns the number of records handed over."""
        _, streams = self._clients()
        handed = 0
        for shard_id, iterator in list(consumer.iterators.items()):
            with self._shard_lock:
                page = streams.get_records(ShardIterator=iterator, Limit=consumer.batch_size)
            records = page.get("Records", [])
            if not records:
                consumer.iterators[shard_id] = page["NextShardIterator"]
                continue
            event = {"Records": [lambda_record(record, consumer.arn) for record in records]}
            context = lambda_context(f"{self.app.app_name}-local-{consumer.name}", self.config)
            try:
                result = consumer.handler(event, context)
            except Exception:  # the batch is read again from its first record
                log.exception("stream handler %s failed; its batch comes again", consumer.name)
                self._stop.wait(RETRY_SECONDS)
                continue
            failed = [item.get("itemIdentifier") for item in (result or {}).get("batchItemFailures", [])
                      if isinstance(result, dict)]
            if failed:  # from the first failed record on, again, in order
                consumer.iterators[shard_id] = streams.get_shard_iterator(
                    StreamArn=consumer.arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber=str(min(failed, key=int)))["ShardIterator"]
                self._stop.wait(RETRY_SECONDS)
                continue
            consumer.iterators[shard_id] = page["NextShardIterator"]
            handed += len(records)
            consumer.handed = int(records[-1]["dynamodb"]["SequenceNumber"])
            self._forget_handed()
        return handed

    def _forget_handed(self) -> None:
        """Drop records every consumer has taken from moto's shard (in this process, where the runner serves
        moto): the domain-event feed and the inbox dispatch read the same stream, each at its own pace."""
        positions = [consumer.handed for consumer in self.consumers]
        if not positions or any(position is None for position in positions):
            return  # a consumer has not read them yet
        sequence_number = str(min(position for position in positions if position is not None))
        try:
            from moto.core import DEFAULT_ACCOUNT_ID
            from moto.dynamodb.models import dynamodb_backends

            from local import moto_patches

            # The lock every write of the embedded DynamoDB takes (atomic requests), and the readers' turn.
            with self._shard_lock, moto_patches._lock:
                self._trim(dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region].tables.values(), sequence_number)
        except Exception:  # only memory is at stake
            log.debug("stream records not trimmed", exc_info=True)

    @staticmethod
    def _trim(tables: Any, sequence_number: str) -> None:
        for table in tables:
            shard = getattr(table, "stream_shard", None)
            if shard is None:
                continue
            done = int(sequence_number) - int(shard.starting_sequence_number) + 1
            if 0 < done <= len(shard.items):  # the records up to this one (a number of another stream: none)
                del shard.items[:done]
                shard.starting_sequence_number += done

    def start(self) -> None:
        """Poll each consumer in its own daemon thread."""
        for consumer in self.consumers:
            thread = threading.Thread(target=self._run, args=(consumer,), name=f"stream-{consumer.name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, consumer: StreamConsumer) -> None:
        while not self._stop.is_set():
            try:
                handed = self.poll_once(consumer)
            except Exception:  # the embedded AWS may be stopping; retry after a pause
                log.exception("reading the stream for %s failed", consumer.name)
                handed = 0
            if not handed:
                self._stop.wait(POLL_SECONDS)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling, letting a batch in progress finish."""
        import time

        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
