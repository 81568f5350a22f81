"""The Chalice app: configuration, middleware, the route table and the entry points of jobs."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate

from chalicelib.core import http
from chalicelib.core.config import settings

app = Chalice(app_name="crm")
app.experimental_feature_flags.update(["WEBSOCKETS"])  # the live-updates socket (chalicelib/live)
app.debug = False  # never a stack trace in a response; errors are logged with the request id
app.log.setLevel("WARNING" if settings.stage == "prod" else "INFO")


def authenticate(request: Any) -> Any:
    """The request's principal (or 401), past its tenant's plan (rate limit 429, read-only 402): identity loads
    with the first signed-in request."""
    from chalicelib.identity import plans, sessions

    return plans.admit(request, sessions.authenticate(request))


http.set_authenticator(authenticate)
http.install_middleware(app)
# Form posts arrive as multipart too: API Gateway must hand their bytes over untouched (base64), not as text.
app.api.binary_types.append("multipart/form-data")
# Every route of chalicelib/core/routes.json; a route's module is imported by its first request.
http.serve(app)

# Scheduled and queued work. Lambda calls each function by its name in this module ("app.<name>",
# Chalice's handler string), so each is defined here under its own name; the job modules are imported
# on the first call, keeping them off the API function's cold start.


@app.schedule(Rate(1, unit=Rate.MINUTES), name="dataio_jobs")
def dataio_jobs(event: Any) -> Any:
    """Imports and exports run as resumable jobs, a chunk per minute (chalice local runs it through local/)."""
    from chalicelib.dataio import jobs

    return jobs.scheduled_import_tick(event)


@app.schedule(Rate(5, unit=Rate.MINUTES), name="tenant_data_jobs")
def tenant_data_jobs(event: Any) -> Any:
    """Tenant exports and due deletions (the purge destroys the tenant's data key first)."""
    from chalicelib.tenantdata import jobs

    return jobs.scheduled_tick(event)


@app.on_sqs_message(queue=settings.jobs_queue_name, batch_size=10, name="inbox_events")
def inbox_events(event: Any) -> Any:
    """Webhook events are processed from the jobs queue: the hook answers as soon as the event is stored."""
    from chalicelib.inbox import jobs

    return jobs.queued_events(event)


@app.on_sqs_message(queue=f"crm-{settings.stage}-campaigns", batch_size=1, name="campaign_sends")
def campaign_sends(event: Any) -> Any:
    """A campaign's fan-out pages and send batches (#24), one message at a time: the function's one consumer (its
    reserved concurrency) paces each channel within its provider's rate; a batch with recipients to send again is
    answered in batchItemFailures."""
    from chalicelib.campaigns import sending

    return sending.handle(event)


@app.on_sqs_message(queue=f"crm-{settings.stage}-personal-data", batch_size=1, name="personal_data_jobs")
def personal_data_jobs(event: Any) -> Any:
    """A person's data past one request: an erasure's next slice, or the file of her data (one message at a time:
    each has the function's time); a message to come again is answered in batchItemFailures."""
    from chalicelib.personaldata import queue

    return queue.handle(event)


@app.on_sqs_message(queue=settings.campaign_mail_events_queue_name, batch_size=10, name="campaign_mail_events")
def campaign_mail_events(event: Any) -> Any:
    """SES's delivery events of campaign e-mails (delivered, bounced, complained, rejected), published through the
    campaigns' configuration set to SNS, which delivers them to this queue (#24): each stored in its company's
    inbox, then applied to its campaign message. A queue, not @app.on_sns_message: it retries and keeps failures
    in a dead-letter queue, and the local runner drives it like every queue."""
    from chalicelib.campaigns import mail_events

    return mail_events.queued_events(event)


@app.on_sqs_message(queue=settings.mail_queue_name, batch_size=10, name="mail_in")
def mail_in(event: Any) -> Any:
    """Mail SES stored in the mail bucket (S3 tells the mail queue): each message to its line's inbox (#17).
    Chalice cannot package @app.on_s3_event (CloudFormation cannot add notifications to a bucket it does not own),
    so S3 notifies a queue, which also retries and keeps failures in its dead-letter queue."""
    from chalicelib.messaging.email import receiving

    return receiving.queued_notifications(event)


@app.schedule(Rate(1, unit=Rate.HOURS), name="housekeeping")
def housekeeping(event: Any) -> Any:
    """The day's audit retention, and carrying work scheduled before the due timers over to them."""
    from chalicelib.housekeeping import jobs

    return jobs.scheduled_tick(event)


# The domain-event feed: the main table's stream (its audit records) to the consumers (chalicelib/events), and
# the one due-time run of scheduled work (chalicelib/due). The stream's ARN is known only once the table exists:
# infra/resources.json sets the event source's Stream to MainTable's StreamArn; the name here is a placeholder.
MAIN_TABLE_STREAM = f"arn:aws:dynamodb:{settings.region}:000000000000:table/{settings.table_name}/stream/from-infra"


@app.on_dynamodb_record(stream_arn=MAIN_TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON",
                        name="domain_events")
def domain_events(event: Any) -> Any:
    """Audit records from the table's stream, in order, to reports, notifications and automations."""
    from chalicelib.events import jobs

    return jobs.stream_batch(event)


@app.on_dynamodb_record(stream_arn=MAIN_TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON",
                        name="inbox_dispatch")
def inbox_dispatch(event: Any) -> Any:
    """Webhook events their hooks stored, from the same stream, to the jobs queue (its own reader: a lead never
    waits behind the domain-event feed's consumers; infra/ filters the stream to these audit records)."""
    from chalicelib.inbox import dispatch

    return dispatch.stream_batch(event)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="due_timers")
def due_timers(event: Any) -> Any:
    """Timers due by now: task reminders and overdue checks, notification e-mails and digests, automations' waits,
    webhook events to process again (failed, or never brought by the queue), trashed records to purge."""
    from chalicelib.events import jobs

    return jobs.due_tick(event)


# Live updates: API Gateway's WebSocket API calls these (each its own function, "app.<name>"); the local
# runner serves the same protocol (local/live.py). The live module is imported on the first event.


@app.on_ws_connect(name="live_connect")
def live_connect(event: Any) -> Any:
    """A browser opens the socket with a single-use ticket (?ticket=), which binds it to its tenant and user."""
    from chalicelib.live import sockets

    return sockets.on_connect(event)


@app.on_ws_message(name="live_message")
def live_message(event: Any) -> Any:
    """A message from a browser: a ping is answered with a pong, anything else is ignored."""
    from chalicelib.live import sockets

    return sockets.on_message(event)


@app.on_ws_disconnect(name="live_disconnect")
def live_disconnect(event: Any) -> Any:
    """The socket closed: its connection is forgotten."""
    from chalicelib.live import sockets

    return sockets.on_disconnect(event)
