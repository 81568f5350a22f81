"""The local runner's stream poller (local/streams.py) hands the table's stream to a stream handler as Lambda does."""

from __future__ import annotations

from typing import Any

import boto3
from chalice import Chalice

from chalicelib.core.config import settings
from local.streams import StreamPoller
from tests.events.conftest import Feed, _moto_table


def _app(answers: list[dict[str, Any]], seen: list[list[str]]) -> Chalice:
    app = Chalice(app_name="feed-probe")

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:eu-west-1:1:table/t/stream/x", name="probe")
    def probe(event: Any) -> Any:
        seen.append([record["dynamodb"]["Keys"]["pk"]["S"] for record in event.to_dict()["Records"]])
        return answers.pop(0) if answers else {"batchItemFailures": []}

    return app


def _put(pk: str) -> None:
    boto3.client("dynamodb", region_name=settings.region).put_item(
        TableName=settings.table_name, Item={"pk": {"S": pk}, "sk": {"S": "PROBE"}, "kind": {"S": "probe"}})


def test_records_are_handed_over_in_order_and_a_failure_is_read_again(feed: Feed) -> None:
    answers: list[dict[str, Any]] = []
    seen: list[list[str]] = []
    poller = StreamPoller(_app(answers, seen), None, region=settings.region, dynamodb=boto3.client(
        "dynamodb", region_name=settings.region), streams=feed.streams)
    poller.prepare(settings.table_name)
    poller._stop.set()  # no pauses between attempts in a test
    for pk in ("G#probe#1", "G#probe#2", "G#probe#3"):
        _put(pk)
    second = next(record for record in feed.read()
                  if record["dynamodb"]["Keys"]["pk"]["S"] == "G#probe#2")["dynamodb"]["SequenceNumber"]
    answers.append({"batchItemFailures": [{"itemIdentifier": second}]})
    assert poller.poll_once(poller.consumers[0]) == 0  # failed from the second on: not handed over
    poller.poll_once(poller.consumers[0])  # read again from the failed record
    # Only the probe's records count: a background writer of another test in this process (the demo month of
    # make run's seed) may add records of its own to the shared table's stream meanwhile.
    probes = [[pk for pk in batch if pk.startswith("G#probe#")] for batch in seen]
    assert probes[:2] == [["G#probe#1", "G#probe#2", "G#probe#3"], ["G#probe#2", "G#probe#3"]]
    poller.poll_once(poller.consumers[0])
    assert not [pk for batch in seen[2:] for pk in batch if pk.startswith("G#probe#")]  # nothing of the probe again


def test_two_readers_each_get_every_record_and_records_are_dropped_once_both_took_them(feed: Feed) -> None:
    # make run's domain-event feed and inbox dispatch read the one stream, each at its own pace (#22).
    seen: dict[str, list[str]] = {"feed": [], "dispatch": []}
    app = Chalice(app_name="two-readers")
    for name in seen:
        def reader(event: Any, _name: str = name) -> Any:
            seen[_name] += [r["dynamodb"]["Keys"]["pk"]["S"] for r in event.to_dict()["Records"]]
            return {"batchItemFailures": []}
        app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:eu-west-1:1:table/t/stream/x", name=name)(reader)
    poller = StreamPoller(app, None, region=settings.region, dynamodb=boto3.client(
        "dynamodb", region_name=settings.region), streams=feed.streams)
    poller.prepare(settings.table_name)
    first, second = poller.consumers
    shard = _moto_table().stream_shard
    _put("G#probe#1")
    _put("G#probe#2")
    poller.poll_once(first)
    kept = len(shard.items)
    assert kept >= 2  # the second reader has not taken them: nothing is dropped
    _put("G#probe#3")
    poller.poll_once(second)  # the second reader takes 1 to 3; the first has 1 and 2: those two are dropped
    assert len(shard.items) < kept + 1
    poller.poll_once(first)
    poller.poll_once(second)
    for name, keys in seen.items():
        assert [k for k in keys if k.startswith("G#probe#")] == ["G#probe#1", "G#probe#2", "G#probe#3"], name
