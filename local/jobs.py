"""What ``chalice local`` does not run: ``@app.schedule`` handlers on schedule, SQS handlers on their queues.

Schedules follow EventBridge: a ``rate`` fires every interval counted from start (no run at start),
a ``cron`` fires on the UTC minutes it names. A missed fire (the machine slept) is not caught up, and a
job still running when it is due again is skipped, not run twice. SQS handlers receive Lambda-shaped
events; a batch is deleted when the handler returns, and left to reappear after the visibility timeout
when it raises, as the Lambda event source mapping does (``batchItemFailures`` is honoured too).
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

log = logging.getLogger("local.jobs")

ACCOUNT_ID = "123456789012"  # moto's default account
SQS_POLL_SECONDS = 1.0


class Schedule(Protocol):
    """When a scheduled job runs next."""

    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire strictly after moment (UTC), None when there is none."""
        ...


# -- rate -------------------------------------------------------------------------------------------

RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


@dataclass(frozen=True)
class RateSchedule:
    """``rate(n unit)``: every n units, counted from an anchor (the runner's start)."""

    seconds: int
    anchor: datetime

    def next_after(self, moment: datetime) -> datetime | None:
        """The first anchor + k * interval (k >= 1) after moment."""
        elapsed = (moment - self.anchor).total_seconds()
        periods = max(int(elapsed // self.seconds) + 1, 1)
        return self.anchor + timedelta(seconds=periods * self.seconds)


# -- cron -------------------------------------------------------------------------------------------

# Spelled out rather than taken from calendar.month_abbr, which follows the locale.
MONTHS = {name: index for index, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}  # EventBridge: 1 = Sunday
MAX_YEAR = 2199


class CronError(ValueError):
    """A cron expression this runner cannot evaluate."""


def _parse_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """The values a cron field allows: ``*``, ``?``, ``a``, ``a-b``, ``*/n``, ``a/n``, ``a-b/n``, lists."""
    values: set[int] = set()

    def number(token: str) -> int:
        token = token.upper()
        if names and token in names:
            return names[token]
        if not token.isdigit():
            raise CronError(f"{token!r} is not a value this runner understands")
        return int(token)

    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = number(step_text)
            if step < 1:
                raise CronError("a step must be at least 1")
        if part in {"*", "?"}:
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(part)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise CronError(f"{text!r} is outside {low}-{high}")
        if start <= end:
            values.update(range(start, end + 1, step))
        else:  # a range that wraps, such as FRI-MON
            values.update(value for index, value in enumerate(
                [*range(start, high + 1), *range(low, end + 1)]) if index % step == 0)
    return frozenset(values)


@dataclass(frozen=True)
class CronSchedule:
    """An EventBridge ``cron(minutes hours day-of-month month day-of-week year)``, evaluated in UTC.

    ``L`` (last day of the month) is understood in day-of-month; ``W`` and ``#`` are not.
    """

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None: "?" (the day-of-week decides)
    last_day_of_month: bool
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # None: "?" (the day-of-month decides)
    years: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        """Parse the six fields of an EventBridge cron expression."""
        fields = expression.split()
        if len(fields) != 6:
            raise CronError(f"cron({expression}) needs 6 fields, has {len(fields)}")
        minute, hour, dom, month, dow, year = fields
        if any(mark in dom + dow for mark in ("W", "#")) or dow.upper().endswith("L"):
            raise CronError(f"cron({expression}): W, # and nL are not supported by the local runner")
        last = dom.upper() == "L"
        return cls(
            minutes=_parse_field(minute, 0, 59),
            hours=_parse_field(hour, 0, 23),
            days_of_month=None if dom == "?" or last else _parse_field(dom, 1, 31),
            last_day_of_month=last,
            months=_parse_field(month, 1, 12, MONTHS),
            days_of_week=None if dow == "?" else _parse_field(dow, 1, 7, DAYS),
            years=_parse_field(year, 1970, MAX_YEAR),
        )

    def _day_matches(self, day: datetime) -> bool:
        if self.last_day_of_month:
            dom_ok = day.day == calendar.monthrange(day.year, day.month)[1]
        else:
            dom_ok = self.days_of_month is None or day.day in self.days_of_month
        dow_ok = self.days_of_week is None or (day.weekday() + 1) % 7 + 1 in self.days_of_week
        return dom_ok and dow_ok

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute after moment, skipping whole years, months, days and hours."""
        current = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        while current.year <= MAX_YEAR:
            if current.year not in self.years:
                current = current.replace(year=current.year + 1, month=1, day=1, hour=0, minute=0)
            elif current.month not in self.months:
                month_start = current.replace(day=1, hour=0, minute=0)
                current = (month_start + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(current):
                current = current.replace(hour=0, minute=0) + timedelta(days=1)
            elif current.hour not in self.hours:
                current = current.replace(minute=0) + timedelta(hours=1)
            elif current.minute not in self.minutes:
                current += timedelta(minutes=1)
            else:
                return current
        return None


def parse_schedule(expression: Any, *, anchor: datetime) -> Schedule:
    """A Schedule from chalice's Rate/Cron objects or an EventBridge expression string."""
    from chalice.app import Cron, Rate

    if isinstance(expression, Rate):
        unit = str(expression.unit).lower()
        if unit not in RATE_UNITS or int(expression.value) < 1:
            raise CronError(f"unsupported rate {expression.to_string()}")
        return RateSchedule(int(expression.value) * RATE_UNITS[unit], anchor)
    if isinstance(expression, Cron):
        return CronSchedule.parse(expression.to_string()[len("cron("):-1])
    text = str(expression).strip()
    rate = re.fullmatch(r"rate\(\s*(\d+)\s+(\w+)\s*\)", text, re.IGNORECASE)
    if rate and rate.group(2).lower() in RATE_UNITS and int(rate.group(1)) >= 1:
        return RateSchedule(int(rate.group(1)) * RATE_UNITS[rate.group(2).lower()], anchor)
    cron = re.fullmatch(r"cron\((.*)\)", text, re.IGNORECASE)
    if cron:
        return CronSchedule.parse(cron.group(1))
    raise CronError(f"unsupported schedule expression {text!r}")


# -- running ----------------------------------------------------------------------------------------


def unsupported_sources(app: Any) -> list[str]:
    """A warning per event handler the runner does not drive (S3, SNS, Kinesis ...)."""
    from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

    return [  # DynamoDB stream handlers are run by local/streams.py
        f"{type(source).__name__.removesuffix('Config')} handler {source.name} is not run locally"
        for source in app.event_sources
        if not isinstance(source, ScheduledEventConfig | SQSEventConfig | DynamoDBEventConfig)
    ]


def lambda_context(function_name: str, config: Any) -> Any:
    """A Lambda context like the one chalice local passes to a view."""
    from chalice.local import LambdaContext

    timeout = getattr(config, "lambda_timeout", None) or 900
    memory = getattr(config, "lambda_memory_size", None) or 128
    return LambdaContext(function_name=function_name, memory_size=memory, max_runtime_ms=timeout * 1000)


@dataclass
class ScheduledJob:
    """One ``@app.schedule`` handler and when it runs next."""

    name: str
    handler: Callable[[dict[str, Any], Any], Any]
    schedule: Schedule
    expression: str
    next_run: datetime | None = None
    running: threading.Event = field(default_factory=threading.Event)


class Scheduler:
    """Runs the app's scheduled handlers in background threads."""

    def __init__(self, app: Any, config: Any, *, region: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.config = config
        self.region = region
        self.clock = clock or (lambda: datetime.now(UTC))
        self.jobs: list[ScheduledJob] = []
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers: list[threading.Thread] = []
        self._load()

    def _load(self) -> None:
        from chalice.app import ScheduledEventConfig

        now = self.clock()
        for source in self.app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            expression = source.schedule_expression
            text = expression if isinstance(expression, str) else expression.to_string()
            try:
                schedule = parse_schedule(expression, anchor=now)
            except CronError as exc:
                self.problems.append(f"scheduled job {source.name} will not run locally: {exc}")
                continue
            job = ScheduledJob(source.name, self.app.handler_map[source.name], schedule, text)
            job.next_run = schedule.next_after(now)
            self.jobs.append(job)

    def function_name(self, handler: str) -> str:
        """The Lambda function name chalice would deploy the handler as."""
        return f"{self.app.app_name}-local-{handler}"

    def event(self, job: ScheduledJob, when: datetime) -> dict[str, Any]:
        """The EventBridge scheduled event a Lambda receives."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [f"arn:aws:events:{self.region}:{ACCOUNT_ID}:rule/{self.function_name(job.name)}"],
            "detail": {},
        }

    def run_job(self, job: ScheduledJob, when: datetime) -> None:
        """Invoke one job now, in the calling thread, logging (not raising) its failure."""
        started = time.monotonic()
        try:
            job.handler(self.event(job, when), lambda_context(self.function_name(job.name), self.config))
            log.info("scheduled job %s done in %.2fs", job.name, time.monotonic() - started)
        except Exception:  # a failing job is reported and retried at its next fire
            log.exception("scheduled job %s failed", job.name)
        finally:
            job.running.clear()

    def tick(self, now: datetime) -> list[ScheduledJob]:
        """Start every job due at now in its own thread; returns the jobs started."""
        started: list[ScheduledJob] = []
        for job in self.jobs:
            if job.next_run is None or job.next_run > now:
                continue
            due = job.next_run
            job.next_run = job.schedule.next_after(now)
            if job.running.is_set():
                log.warning("scheduled job %s is still running; skipping the run due at %s", job.name, due)
                continue
            job.running.set()
            worker = threading.Thread(target=self.run_job, args=(job, due), name=f"job-{job.name}",
                                      daemon=True)
            self._workers = [thread for thread in self._workers if thread.is_alive()] + [worker]
            worker.start()
            started.append(job)
        return started

    def start(self) -> None:
        """Tick every second in a daemon thread (no thread when there are no jobs)."""
        if not self.jobs:
            return
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.tick(self.clock())

    def stop(self, timeout: float = 5.0) -> None:
        """Stop scheduling and give running jobs a moment to finish."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in [self._thread, *self._workers]:
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))


@dataclass
class QueueConsumer:
    """One ``@app.on_sqs_message`` handler and its queue."""

    name: str
    handler: Callable[[dict[str, Any], Any], Any]
    queue_name: str
    batch_size: int
    url: str = ""
    arn: str = ""


def queue_name_of(source: Any) -> str:
    """The queue name of an SQSEventConfig (given by name, or as the last part of an ARN)."""
    if source.queue:
        return str(source.queue)
    return str(source.queue_arn).rsplit(":", 1)[-1]


def _message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """SQS API message attributes in the camel-cased shape of a Lambda SQS record."""
    converted: dict[str, Any] = {}
    for name, value in attributes.items():
        converted[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
    return converted


class QueuePoller:
    """Feeds each SQS handler the messages of its queue in the embedded AWS."""

    def __init__(self, app: Any, config: Any, *, region: str, sqs: Any | None = None) -> None:
        from chalice.app import SQSEventConfig

        self.app = app
        self.config = config
        self.region = region
        self._sqs = sqs
        self.consumers = [
            QueueConsumer(source.name, app.handler_map[source.name], queue_name_of(source),
                          max(1, min(int(source.batch_size or 1), 10)))
            for source in app.event_sources if isinstance(source, SQSEventConfig)
        ]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def sqs(self) -> Any:
        """The SQS client (built on first use, once the endpoint is known)."""
        if self._sqs is None:
            from local.aws import client

            self._sqs = client("sqs")
        return self._sqs

    def prepare(self) -> None:
        """Create the handlers' queues if missing (in AWS they come from infra/) and learn their ARNs."""
        from local.aws import ensure_queue

        for consumer in self.consumers:
            consumer.url, consumer.arn = ensure_queue(consumer.queue_name)

    def record(self, consumer: QueueConsumer, message: dict[str, Any]) -> dict[str, Any]:
        """A Lambda SQS record for one received message."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": message.get("Attributes", {}),
            "messageAttributes": _message_attributes(message.get("MessageAttributes", {})),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": consumer.arn,
            "awsRegion": self.region,
        }

    def poll_once(self, consumer: QueueConsumer) -> int:
        """Receive one batch and hand it to the handler; returns the number of messages received."""
        response = self.sqs.receive_message(
            QueueUrl=consumer.url, MaxNumberOfMessages=consumer.batch_size, WaitTimeSeconds=0,
            AttributeNames=["All"], MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self.record(consumer, message) for message in messages]}
        try:
            context = lambda_context(f"{self.app.app_name}-local-{consumer.name}", self.config)
            result = consumer.handler(event, context)
        except Exception:  # the batch stays in the queue and is delivered again
            log.exception("SQS handler %s failed; %d message(s) return after the visibility timeout",
                          consumer.name, len(messages))
            return len(messages)
        failed = set()
        if isinstance(result, dict):
            failed = {item.get("itemIdentifier") for item in result.get("batchItemFailures", [])}
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                       for index, message in enumerate(done)]
            self.sqs.delete_message_batch(QueueUrl=consumer.url, Entries=entries)
        return len(messages)

    def start(self) -> None:
        """Poll each queue in its own daemon thread."""
        for consumer in self.consumers:
            thread = threading.Thread(target=self._run, args=(consumer,), name=f"sqs-{consumer.name}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, consumer: QueueConsumer) -> None:
        while not self._stop.is_set():
            try:
                received = self.poll_once(consumer)
            except Exception:  # the embedded AWS may be stopping; retry after a pause
                log.exception("polling %s failed", consumer.queue_name)
                received = 0
            if not received:
                self._stop.wait(SQS_POLL_SECONDS)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling, letting a batch in progress finish."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
