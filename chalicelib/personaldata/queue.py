"""The personal-data queue (``crm-<stage>-personal-data``, read by ``app.personal_data_jobs``): the slices of an
erasure and the exports of a person's data that outgrow one request.

A message names a tenant and a job by ids only (nothing personal leaves the table): ``{"kind": "erasure",
"tenant_id", "erasure_id", "slice"}`` or ``{"kind": "export", "tenant_id", "contact_id", "export_id"}``. SQS delivers
at least once: a slice runs only if the record is at that slice and free, an export only if it is still open and
free, so a message that comes again repeats nothing. A message whose work failed is named in batchItemFailures and
comes again (then, after ten receives, its dead-letter queue); the timers (``slices.STALL``) pick up what is lost.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chalicelib.core import aws, errors, tenancy
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.personaldata.models import Erasure, PersonalDataExport

SAFETY_SECONDS = 60.0  # left of the function's time for the slice's last checkpoint
DEFAULT_SECONDS = 240.0  # a slice's time when Lambda's context is not at hand (the local runner, tests)
_queue_url: dict[str, str] = {}


def queue_name() -> str:
    """The stage's personal-data queue (infra/resources.json PersonalDataQueue; made locally by the runner)."""
    return f"crm-{settings.stage}-personal-data"


def queue_url() -> str:
    """The queue's URL, asked of SQS once per warm Lambda."""
    if "url" not in _queue_url:
        _queue_url["url"] = str(aws.client("sqs").get_queue_url(QueueName=queue_name())["QueueUrl"])
    return _queue_url["url"]


def send(message: dict[str, Any]) -> None:
    """Queue one message; 503 when SQS fails (what is written stays: asking again, or a timer, queues it again)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("sqs").send_message(QueueUrl=queue_url(), MessageBody=json.dumps(message, separators=(",", ":")))
    except (BotoCoreError, ClientError) as exc:
        logger.warning("personal data job not queued", extra={"error": type(exc).__name__})
        raise errors.ServiceUnavailableError("The personal-data queue is unavailable; try again shortly.") from exc


def erasure_message(ctx: TenantContext, record: Erasure) -> dict[str, Any]:
    """The message of an erasure's next slice."""
    return {"kind": "erasure", "tenant_id": ctx.tenant_id, "erasure_id": record.erasure_id,
            "slice": int(record.slices or 0)}


def export_message(ctx: TenantContext, job: PersonalDataExport) -> dict[str, Any]:
    """The message of an export's job."""
    return {"kind": "export", "tenant_id": ctx.tenant_id, "contact_id": job.contact_id, "export_id": job.export_id}


def read(body: str) -> dict[str, Any] | None:
    """A message of ours, checked (None: not one, dropped)."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    if not isinstance(found, dict) or not is_valid_id(str(found.get("tenant_id"))):
        return None
    if found.get("kind") == "erasure" and is_valid_id(str(found.get("erasure_id"))) \
            and isinstance(found.get("slice"), int):
        return found
    if found.get("kind") == "export" and is_valid_id(str(found.get("contact_id"))) \
            and is_valid_id(str(found.get("export_id"))):
        return found
    return None


def job_context(tenant_id: str, actor_id: str) -> TenantContext:
    """Whose name a job acts in: the administrator who asked (the audit says so), with a job's rights. An erasure
    once started finishes even if that administrator has left the company since: half a person erased helps nobody."""
    return TenantContext(tenant_id=tenant_id, actor_id=actor_id, actor_kind="system", role="system", source="job")


def run_message(found: dict[str, Any], *, deadline: float, slice_items: int | None = None) -> str:
    """One message's work in its tenant: what became of it."""
    from chalicelib.personaldata import exports, slices

    system = job_context(found["tenant_id"], "system")
    with tenancy.bind(system):
        if found["kind"] == "export":
            job = exports.get(system, found["contact_id"], found["export_id"])
            if job is None:
                return "skipped"
            ctx = job_context(found["tenant_id"], job.requested_by)
            with tenancy.bind(ctx):
                return exports.run(ctx, found["contact_id"], found["export_id"])
        record = slices.get(system, found["erasure_id"])
        if record is None or record.status == "done" or int(record.slices or 0) != found["slice"]:
            return "skipped"  # done, or this slice ran already: a message that came again
    ctx = job_context(found["tenant_id"], record.actor_id)
    with tenancy.bind(ctx):
        budget = slices.Budget(slice_items or slices.SLICE_ITEMS, deadline=deadline)
        outcome = slices.run(ctx, record, budget=budget)
        if outcome == "more":
            slices.hand_over(ctx, record)
        return outcome


def handle(event: Any, *, slice_items: int | None = None) -> dict[str, list[dict[str, str]]]:
    """The queue's handler (an ``SQSEvent`` as Chalice hands it over, or its raw dict): each message in its tenant;
    those to come again named in batchItemFailures."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = remaining() / 1000 - SAFETY_SECONDS if callable(remaining) else DEFAULT_SECONDS
    deadline = time.monotonic() + max(seconds, 1.0)
    failures = []
    for record in raw.get("Records") or []:
        found = read(str(record.get("body", "")))
        if found is None:
            logger.warning("personal data queue message not ours; dropped")
            continue
        try:
            outcome = run_message(found, deadline=deadline, slice_items=slice_items)
            logger.info("personal data job", extra={"kind": found["kind"], "outcome": outcome})
        except Exception:  # noqa: BLE001 - the message comes again (then its dead-letter queue)
            logger.warning("personal data job comes again", extra={"kind": found["kind"]}, exc_info=True)
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return {"batchItemFailures": failures}


def fire(ctx: TenantContext, timer: Any) -> str:
    """A due timer of ours: an erasure's (queued again if its hand-over was lost) or a file's (deleted)."""
    from chalicelib.personaldata import exports, slices

    if timer.timer_kind == slices.TIMER_KIND:
        record = slices.get(ctx, str(timer.ref))
        if record is None:
            return "done"
        acting = job_context(ctx.tenant_id, record.actor_id)
        with tenancy.bind(acting):
            return slices.continue_stalled(acting, record.erasure_id)
    return exports.sweep(ctx, str((timer.payload or {}).get("contact_id", "")), str(timer.ref))
