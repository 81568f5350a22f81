"""CPU our code burns per call, against what boto3 alone spends on the same AWS requests (``python -m bench.cpu``).

In AWS a call costs its requests, the capacity they consume and the CPU our code burns in the Lambda;
the first two are counted by bench.per_call, this measures the third. The embedded AWS runs in another
process (bench.aws_process: what ``make run`` starts), so this process's CPU time is the app's own:
``time.process_time`` around the Lambda handler (``app(event, context)``, the API Gateway event built
beforehand, as API Gateway would), for each of many calls. Every AWS request the call made is recorded
with the answer it got; the floor is the CPU a bare boto3 client spends making exactly those requests
and parsing exactly those answers (replayed by bench.aws_process's replay server, so a create is
replayed without creating anything twice). The figure is the median of each, and their ratio.

``form_event`` is a website-form submission as deployed: the hook's answer (verify, count, store), the
inbox dispatch reading the stored event from the table's stream and queueing it (``app.inbox_dispatch``),
and its processing from the jobs queue (the ``inbox_events`` handler on a batch of one), together.

``python -m bench.cpu [runs]`` prints the table and writes ``build/bench/cpu.json`` as
``{"<call>": {"app_cpu_ms", "sdk_cpu_ms", "ratio"}}``.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import harness

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "bench" / "cpu.json"
TARGET_RATIO = 2.0  # app CPU per call against the SDK's floor
FORM_EVENT_TARGET_MS = 10.0  # answer and processing together: 100 events per second per vCPU
CALLS = ("contact_card", "contact_list", "search_name", "search_phone", "search_email", "contact_create",
         "form_event")
CONTACTS = 60  # a list page of 50 is full


# -- the AWS requests a call makes, and their floor --------------------------------------------------------


@dataclass
class Request:
    """One AWS request as the app made it, and the answer it received."""

    service: str
    operation: str
    params: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """Records the app's AWS requests and answers through botocore's events (references only: cheap)."""

    recording: bool = False
    requests: list[Request] = field(default_factory=list)
    _params: dict[int, Any] = field(default_factory=dict)

    def install(self) -> None:
        """Hook into every botocore session created from now on (call before any exists)."""
        import botocore.handlers

        for handler in (("before-parameter-build", self._before), ("after-call", self._after)):
            if handler not in botocore.handlers.BUILTIN_HANDLERS:
                botocore.handlers.BUILTIN_HANDLERS.append(handler)

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.recording:
            context["bench_params"] = params

    def _after(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.recording and "bench_params" in context:
            self.requests.append(Request(model.service_model.service_name, model.name, context.pop("bench_params"),
                                         http_response.status_code, http_response.headers, http_response.content))

    @contextmanager
    def record(self) -> Iterator[list[Request]]:
        """Within the block, the requests made are collected into the list yielded."""
        self.requests, self.recording = [], True
        try:
            yield self.requests
        finally:
            self.recording = False


RECORDER = Recorder()


class Floor:
    """Bare boto3 clients making recorded requests against the replay server."""

    def __init__(self, replay_endpoint: str) -> None:
        self.endpoint = replay_endpoint
        self.clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        if service not in self.clients:
            import boto3
            from botocore.config import Config

            from chalicelib.core.config import settings

            # The app's own client configuration (chalicelib/core/aws.py), so both sides do the same work.
            config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
            self.clients[service] = boto3.session.Session().client(service, region_name=settings.region,
                                                                   endpoint_url=self.endpoint, config=config)
        return self.clients[service]

    def _load(self, requests: list[Request]) -> None:
        answers = [{"status": r.status, "headers": dict(r.headers), "body": base64.b64encode(r.body).decode()}
                   for r in requests]
        load = urllib.request.Request(self.endpoint + "/load", data=json.dumps(answers).encode(), method="POST",
                                      headers={"X-Bench-Control": "load", "Content-Type": "application/json"})
        with urllib.request.urlopen(load, timeout=10) as answer:
            answer.read()

    def cpu(self, requests: list[Request]) -> float:
        """Seconds of CPU boto3 spends making these requests and parsing their recorded answers."""
        from botocore import xform_name
        from botocore.exceptions import ClientError

        calls = [(getattr(self._client(r.service), xform_name(r.operation)), r.params) for r in requests]
        self._load(requests)
        started = time.process_time()
        for call, params in calls:
            with suppress(ClientError):  # the app met the same answer (a taken key, a stale version) and handled it
                call(**params)
        return time.process_time() - started


# -- the app as Lambda runs it ---------------------------------------------------------------------------


class Handler:
    """API Gateway events for the app, built beforehand; the handler called alone is what is timed."""

    def __init__(self, app: Any) -> None:
        from chalice.test import Client

        self.app = app
        self.gateway = Client(app).http._local_gateway
        self.token: str | None = None

    def event(self, method: str, path: str, payload: Any = None, *, signed: bool = True) -> tuple[dict[str, Any], Any]:
        """The Lambda event and context of one API request."""
        headers = {"content-type": "application/json"}
        if signed and self.token:
            headers["authorization"] = f"Bearer {self.token}"
        body = json.dumps(payload) if payload is not None else None
        event = self.gateway._generate_lambda_event(method, path, headers, body)
        return event, self.gateway._generate_lambda_context()


@dataclass
class Sample:
    """One call: the app's CPU, the floor's, and how many AWS requests it made."""

    app_s: float
    sdk_s: float
    requests: int


def _timed(action: Callable[[], Any], floor: Floor) -> tuple[Sample, Any]:
    with RECORDER.record() as requests:
        started = time.process_time()
        result = action()
        app_s = time.process_time() - started
    return Sample(app_s, floor.cpu(list(requests)), len(requests)), result


def _api_call(handler: Handler, method: str, path: str, payload: Any = None) -> Callable[[], Any]:
    event, context = handler.event(method, path, payload)

    def call() -> Any:
        answer = handler.app(event, context)
        if int(answer["statusCode"]) >= 300:
            raise RuntimeError(f"{method} {path} answered {answer['statusCode']}: {answer.get('body')}")
        return answer

    return call


def _summary(samples: list[Sample]) -> dict[str, Any]:
    app_ms = statistics.median(s.app_s for s in samples) * 1000
    sdk_ms = statistics.median(s.sdk_s for s in samples) * 1000
    return {"app_cpu_ms": round(app_ms, 3), "sdk_cpu_ms": round(sdk_ms, 3), "ratio": round(app_ms / sdk_ms, 2),
            "requests": statistics.median(s.requests for s in samples), "runs": len(samples)}


# -- the calls ------------------------------------------------------------------------------------------


def _contact(number: int) -> dict[str, Any]:
    return {"first_name": f"Anna{number}", "last_name": "Karenina", "tags": ["vip"],
            "phones": [{"number": f"+4420794{number:05d}"}], "emails": [{"address": f"anna{number}@example.com"}]}


def _reads(handler: Handler, api: harness.Api, floor: Floor, runs: int) -> dict[str, list[Sample]]:
    ids = [api.ok("POST", "/api/v1/contacts", _contact(number))["id"] for number in range(CONTACTS)]
    paths = {"contact_card": f"/api/v1/contacts/{ids[3]}", "contact_list": "/api/v1/contacts?limit=50",
             "search_name": "/api/v1/contacts?q=anna3", "search_phone": "/api/v1/contacts?q=%2B442079400003",
             "search_email": "/api/v1/contacts?q=anna3%40example.com"}
    found: dict[str, list[Sample]] = {}
    for name, path in paths.items():
        call = _api_call(handler, "GET", path)
        for _ in range(5):  # warm: the route's module, its validators, the principal cached
            call()
        found[name] = [_timed(call, floor)[0] for _ in range(runs)]
    return found


def _creates(handler: Handler, floor: Floor, runs: int) -> list[Sample]:
    samples = []
    for number in range(runs + 5):
        data = {"first_name": f"Lev{number}", "last_name": "Tolstoy", "phones": [{"number": f"+4420795{number:05d}"}],
                "emails": [{"address": f"lev{number}@example.com"}]}
        sample, _ = _timed(_api_call(handler, "POST", "/api/v1/contacts", data), floor)
        if number >= 5:  # the first few warm the route
            samples.append(sample)
    return samples


def _form_events(app: Any, api: harness.Api, handler: Handler, floor: Floor, runs: int) -> list[Sample]:
    """The hook's answer, then the queue handler on a batch of one: one sample per event."""
    import app as app_module
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    integration = api.ok("POST", "/api/v1/integrations", {"type": "form", "name": "Bench form",
                                                          "settings": {"rate_limit_per_minute": 1000,
                                                                       "sender_limit_per_minute": 1000}})
    path = "/hooks/forms/" + integration["webhook_url"].rstrip("/").rsplit("/", 1)[1]
    from local.streams import StreamPoller

    sqs, url = aws.client("sqs"), str(settings.jobs_queue_url)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    feed = StreamPoller(app_module.app, None, region=settings.region, dynamodb=aws.client("dynamodb"),
                        streams=aws.client("dynamodbstreams"))
    feed.prepare(settings.table_name)
    feed._stop.set()  # no pauses between attempts
    samples = []
    for number in range(runs + 5):
        event, context = handler.event("POST", path, {"name": f"Lead {number}", "message": "Bench submission",
                                                      "email": f"lead.{number}@example.com",
                                                      "phone": f"+4420796{number:05d}"}, signed=False)
        answer, posted = _timed(lambda event=event, context=context: app(event, context), floor)
        if int(posted["statusCode"]) != 200 or json.loads(posted["body"]).get("duplicate"):
            raise RuntimeError(f"the hook answered {posted['statusCode']}: {posted['body']}")
        # The inbox dispatch reads what the hook wrote from the table's stream and queues the event (the
        # domain-event feed's consumers read it too, apart: not part of this event's way to its lead).
        fed, _ = _timed(lambda: _deliver(feed, "inbox_dispatch"), floor)
        message = _received(sqs, url)
        batch = {"Records": [{"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                              "body": message["Body"], "attributes": {}, "messageAttributes": {},
                              "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": settings.region}]}
        processed, outcome = _timed(lambda batch=batch, context=context: app_module.inbox_events(batch, context), floor)
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # what Lambda does
        if outcome.get("processed") != 1:
            raise RuntimeError(f"the queue handler answered {outcome}")
        _deliver(feed)  # what processing wrote, to the feed's consumers (not part of the event's answer)
        if number >= 5:
            samples.append(Sample(answer.app_s + fed.app_s + processed.app_s,
                                  answer.sdk_s + fed.sdk_s + processed.sdk_s,
                                  answer.requests + fed.requests + processed.requests))
    return samples


def _deliver(feed: Any, name: str | None = None) -> int:
    """Hand the app's stream handlers (or the one named) everything written since they last read, as Lambda
    does; how many records."""
    total = 0
    consumers = [consumer for consumer in feed.consumers if name in (None, consumer.name)]
    while handed := sum(feed.poll_once(consumer) for consumer in consumers):
        total += handed
    return total


def _received(sqs: Any, url: str) -> dict[str, Any]:
    """The one message the feed queued for the event (Lambda's poller does this; not timed)."""
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if len(messages) > 1:
            raise RuntimeError(f"the feed queued {len(messages)} messages for one event")
        if messages:
            return dict(messages[0])
    raise RuntimeError("the feed queued no message")


@contextmanager
def _aws_process() -> Iterator[tuple[str, str]]:
    """bench.aws_process started and stopped: (embedded AWS endpoint, replay endpoint)."""
    child = subprocess.Popen([sys.executable, "-m", "bench.aws_process"], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, **harness.BENCH_ENV})
    try:
        assert child.stdout is not None
        endpoints = child.stdout.readline().split()
        if len(endpoints) != 2:
            raise RuntimeError("bench.aws_process did not start (its errors are above)")
        yield endpoints[0], endpoints[1]
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def measure(runs: int = 100) -> dict[str, dict[str, Any]]:
    """Every call's medians (app CPU, SDK floor, their ratio), runs calls each."""
    harness.prepare_environment()
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"  # each request emits its metrics, as in Lambda
    RECORDER.install()
    with _aws_process() as (endpoint, replay), open(os.devnull, "w") as sink, redirect_stdout(sink):
        from local import aws

        aws.point_sdks_at(endpoint)
        aws.export_jobs_queue(endpoint)
        aws.provision()
        from app import app

        harness.quiet_logs()
        floor = Floor(replay)
        api, _ = harness.sign_up(app)
        handler = Handler(app)
        handler.token = api.token
        found = _reads(handler, api, floor, runs)
        found["contact_create"] = _creates(handler, floor, runs)
        found["form_event"] = _form_events(app, api, handler, floor, runs)
    return {name: _summary(found[name]) for name in CALLS}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    rows = []
    for name in CALLS:
        found = result[name]
        if name == "form_event":
            met = found["app_cpu_ms"] <= FORM_EVENT_TARGET_MS
            target = f"target <= {FORM_EVENT_TARGET_MS:.0f} ms"
        else:
            met = found["ratio"] <= TARGET_RATIO
            target = f"target <= {TARGET_RATIO:.0f}x"
        rows.append((f"cpu: {name}", f"{found['app_cpu_ms']:.2f} ms app / {found['sdk_cpu_ms']:.2f} ms SDK",
                     f"{found['ratio']:.2f}x, {found['requests']:g} req; {target}: {'ok' if met else 'MISSED'}"))
    return rows


def write(result: dict[str, Any]) -> None:
    """build/bench/cpu.json in the issue's shape."""
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    shape = {name: {key: result[name][key] for key in ("app_cpu_ms", "sdk_cpu_ms", "ratio")} for name in CALLS}
    OUTPUT.write_text(json.dumps(shape, indent=2) + "\n")


def main() -> None:
    """Measure, print the table, write cpu.json, and print the result line ``python -m bench`` reads."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    result = measure(runs)
    write(result)
    for name, value, note in table(result):
        print(f"{name:<20} {value:>28}  {note}", file=sys.stderr)
    harness.emit(result)


if __name__ == "__main__":
    main()
