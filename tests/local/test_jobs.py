"""Schedules and queue handlers of the local runner, in process (no subprocess, the suite's moto)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice import Chalice, Cron, Rate

from local.jobs import CronError, CronSchedule, QueuePoller, Scheduler, parse_schedule

ANCHOR = datetime(2026, 11, 23, 10, 7, 30, tzinfo=UTC)  # a Monday


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2026-01-01T12:00", "2026-01-02T12:00"),
        ("cron(0/15 * * * ? *)", "2026-01-01T10:07", "2026-01-01T10:15"),
        ("cron(*/5 * * * ? *)", "2026-01-01T10:59", "2026-01-01T11:00"),
        ("cron(0 9 ? * MON-FRI *)", "2026-11-27T10:00", "2026-11-30T09:00"),  # Friday -> Monday
        ("cron(0 0 ? * 1 *)", "2026-11-23T00:00", "2026-11-29T00:00"),  # 1 is Sunday in EventBridge
        ("cron(0 0 L * ? *)", "2028-02-10T00:00", "2028-02-29T00:00"),
        ("cron(30 8 1 JAN,JUL ? 2027)", "2026-06-15T00:00", "2027-01-01T08:30"),
        ("cron(15 3 * * ? 2020)", "2026-01-01T00:00", None),
    ],
)
def test_cron_next_fire(expression: str, after: str, expected: str | None) -> None:
    schedule = parse_schedule(expression, anchor=ANCHOR)
    assert schedule.next_after(at(after)) == (at(expected) if expected else None)


def test_chalice_cron_objects_are_understood() -> None:
    schedule = parse_schedule(Cron(0, 3, "*", "*", "?", "*"), anchor=ANCHOR)
    assert schedule.next_after(ANCHOR) == at("2026-11-24T03:00")


@pytest.mark.parametrize("expression", ["cron(0 9 ? * 2#1 *)", "cron(0 9 * *)", "cron(61 * * * ? *)",
                                        "rate(0 minutes)", "every day"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(CronError):
        parse_schedule(expression, anchor=ANCHOR)


def test_rates_count_from_the_anchor_and_do_not_fire_at_start() -> None:
    schedule = parse_schedule(Rate(5, unit=Rate.MINUTES), anchor=ANCHOR)
    assert schedule.next_after(ANCHOR) == ANCHOR + timedelta(minutes=5)
    assert schedule.next_after(ANCHOR + timedelta(minutes=5)) == ANCHOR + timedelta(minutes=10)
    assert schedule.next_after(ANCHOR + timedelta(minutes=12)) == ANCHOR + timedelta(minutes=15)
    assert parse_schedule("rate(1 hour)", anchor=ANCHOR).next_after(ANCHOR) == ANCHOR + timedelta(hours=1)
    assert isinstance(CronSchedule.parse("0 12 * * ? *"), CronSchedule)


def jobs_app() -> tuple[Chalice, list[dict[str, Any]], list[str]]:
    app = Chalice(app_name="jobs-test")
    events: list[dict[str, Any]] = []
    bodies: list[str] = []

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event: Any) -> None:
        events.append(event.to_dict())

    @app.schedule("cron(0 9 ? * 2#1 *)")  # first Monday: not evaluated locally, reported instead
    def monthly(event: Any) -> None:
        raise AssertionError("must not run")

    @app.on_sqs_message(queue="local-jobs-test", batch_size=5)
    def consume(event: Any) -> dict[str, Any] | None:
        failures = []
        for record in event:
            bodies.append(record.body)
            if record.body == "fail":
                failures.append({"itemIdentifier": record.to_dict()["messageId"]})
        return {"batchItemFailures": failures} if failures else None

    return app, events, bodies


def test_the_scheduler_runs_due_jobs_with_a_scheduled_event() -> None:
    app, events, _ = jobs_app()
    now = [ANCHOR]
    scheduler = Scheduler(app, None, region="eu-west-1", clock=lambda: now[0])
    assert [job.name for job in scheduler.jobs] == ["every_five"]
    assert "monthly" in scheduler.problems[0]

    assert scheduler.tick(ANCHOR + timedelta(minutes=4)) == []
    now[0] = ANCHOR + timedelta(minutes=5)
    assert [job.name for job in scheduler.tick(now[0])] == ["every_five"]
    scheduler.stop()
    assert len(events) == 1
    assert events[0]["detail-type"] == "Scheduled Event"
    assert events[0]["source"] == "aws.events"
    assert scheduler.jobs[0].next_run == ANCHOR + timedelta(minutes=10)


def test_a_failing_job_is_logged_and_scheduled_again() -> None:
    app = Chalice(app_name="jobs-test")

    @app.schedule(Rate(1, unit=Rate.MINUTES))
    def broken(event: Any) -> None:
        raise RuntimeError("boom")

    scheduler = Scheduler(app, None, region="eu-west-1", clock=lambda: ANCHOR)
    scheduler.tick(ANCHOR + timedelta(minutes=1))
    scheduler.stop()
    assert scheduler.jobs[0].next_run == ANCHOR + timedelta(minutes=2)
    assert not scheduler.jobs[0].running.is_set()


def test_the_queue_poller_delivers_lambda_shaped_batches_and_deletes_what_succeeded() -> None:
    app, _, bodies = jobs_app()
    sqs = boto3.client("sqs", region_name="eu-west-1")
    poller = QueuePoller(app, None, region="eu-west-1", sqs=sqs)
    poller.prepare()  # creates the queue, as infra/ would in AWS
    consumer = poller.consumers[0]
    assert consumer.queue_name == "local-jobs-test" and consumer.arn.endswith(":local-jobs-test")

    for body in ("one", "fail", "two"):
        sqs.send_message(QueueUrl=consumer.url, MessageBody=body,
                         MessageAttributes={"kind": {"DataType": "String", "StringValue": body}})
    received = 0
    while received < 3:
        count = poller.poll_once(consumer)
        assert count, "messages were not delivered"
        received += count
    assert sorted(bodies) == ["fail", "one", "two"]

    attributes = sqs.get_queue_attributes(QueueUrl=consumer.url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # only the failed one stays


def test_sqs_records_have_the_lambda_shape() -> None:
    app, _, _ = jobs_app()
    poller = QueuePoller(app, None, region="eu-west-1", sqs=object())
    consumer = poller.consumers[0]
    consumer.arn = "arn:aws:sqs:eu-west-1:123456789012:local-jobs-test"
    record = poller.record(consumer, {
        "MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps({"a": 1}), "MD5OfBody": "x",
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "k"}},
    })
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == consumer.arn
    assert record["messageAttributes"]["kind"]["stringValue"] == "k"
    assert record["receiptHandle"] == "r-1" and record["awsRegion"] == "eu-west-1"


def test_handlers_the_runner_cannot_drive_are_reported() -> None:
    from local.jobs import unsupported_sources

    app, _, _ = jobs_app()

    @app.on_s3_event(bucket="crm-local-exports")
    def exported(event: Any) -> None:
        pass

    assert unsupported_sources(app) == ["S3Event handler exported is not run locally"]
