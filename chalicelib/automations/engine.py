"""Automations from the domain-event feed: which rules an event triggers, their conditions, and their runs.

For each event of a tenant the enabled rules are read (one Query), matched against what the event says
happened (``happenings``), their conditions checked against the record as it is now, and each matching rule
runs once per event (``AutomationRun``, created only if absent). A run acts as the rule: its changes are
audited with the rule's id as actor, and carry ``auto:<run id>:<depth>`` as their request id, so the events
they cause trigger rules again only up to ``MAX_DEPTH`` (no loops). A failed action that may succeed later
(an outage, a receiver's 5xx) is retried by a due timer with a doubling pause, up to ``MAX_ATTEMPTS``; one
that cannot (a 4xx) is recorded and the run goes on with the next action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.automations import actions as run_actions
from chalicelib.automations import service
from chalicelib.automations.actions import Failed, Outcome, Subject
from chalicelib.automations.models import Automation, AutomationRun
from chalicelib.calls.models import Call
from chalicelib.contacts import service as contacts_service
from chalicelib.core import db, errors, permissions
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext
from chalicelib.deals import service as deals_service
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.events.feed import DomainEvent
from chalicelib.notifications.service import derived_id
from chalicelib.tasks import service as tasks_service

MAX_DEPTH = 3
MAX_ATTEMPTS = 5
RUN_KEPT = timedelta(days=90)
RETRY = "automation.retry"
ENTITIES = ("contact", "company", "deal", "task", "order")


@dataclass(frozen=True)
class Happening:
    """What an event means to a trigger: its type and what it names (entity, pipeline, stage, channel ...)."""

    type: str
    facts: dict[str, Any]
    subject_type: str | None
    subject_id: str | None


def depth_of(event: DomainEvent) -> int:
    """How many rules in a row led to this event (0: a person, an integration or a job made it)."""
    if event.actor_kind != "automation" or not (event.request_id or "").startswith("auto:"):
        return 0
    try:
        return int(str(event.request_id).rsplit(":", 1)[1])
    except ValueError:
        return MAX_DEPTH


def _deal_happenings(ctx: TenantContext, event: DomainEvent) -> list[Happening]:
    found: list[Happening] = []
    stage_after, stage_before = event.after("stage_id"), event.before("stage_id")
    pipeline_after = event.after("pipeline_id") or event.before("pipeline_id")
    if event.changed("stage_id") and stage_after:
        pipeline = pipeline_after
        if pipeline is None:
            deal = deals_service.get(ctx, event.entity_id)
            pipeline = deal.pipeline_id if deal is not None else None
        found.append(Happening("deal.stage_entered", {"pipeline_id": pipeline, "stage_id": stage_after},
                               "deal", event.entity_id))
        if stage_before:
            found.append(Happening("deal.stage_left", {"pipeline_id": event.before("pipeline_id") or pipeline,
                                                       "stage_id": stage_before}, "deal", event.entity_id))
    status = event.after("status") if event.changed("status") else None
    if status in ("won", "lost"):
        if pipeline_after is None:  # a move within its pipeline names none: the deal does
            deal = deals_service.get(ctx, event.entity_id)
            pipeline_after = deal.pipeline_id if deal is not None else None
        found.append(Happening(f"deal.{status}", {"pipeline_id": pipeline_after}, "deal", event.entity_id))
    return found


def _order_happenings(event: DomainEvent) -> list[Happening]:
    """An order entering a status (its creation aside: record.created says that), or paid in full (#23)."""
    found: list[Happening] = []
    if event.changed("status") and not event.created and event.after("status"):
        found.append(Happening("order.status_changed", {"status": event.after("status")}, "order", event.entity_id))
    if event.changed("paid_at") and event.after("paid_at"):
        found.append(Happening("order.paid", {}, "order", event.entity_id))
    return found


def happenings(ctx: TenantContext, event: DomainEvent) -> list[Happening]:
    """What an event means to triggers (none for most entities and actions)."""
    found: list[Happening] = []
    if event.entity in ENTITIES and event.changes and event.action not in {"delete", "purge", "trash"}:
        kind = "record.created" if event.created else "record.updated"
        # A user's team move restamps every record they own (records.teams): a rule on any change of a record does
        # not fire thousands of times for it, one that names team_id among its fields does.
        found.append(Happening(kind, {"entity": event.entity, "changed": set(event.changes),
                                      "team_move": event.action == "team_move"}, event.entity, event.entity_id))
    if event.entity == "deal":
        found += _deal_happenings(ctx, event)
    if event.entity == "order":
        found += _order_happenings(event)
    if event.entity == "contact" and event.created and event.actor_kind == "webhook":
        source = str(event.after("source") or "")
        channel = "form" if source.startswith("form:") else ("call" if source.startswith("call:") else "other")
        found.append(Happening("lead.received", {"channel": channel}, "contact", event.entity_id))
    if event.entity == "call" and event.after("status") == "missed" and event.before("status") != "missed":
        call = db.get(ctx, Call, event.item_pk, event.item_sk) if event.item_pk and event.item_sk else None
        if call is not None and call.direction == "inbound":
            subject = ("contact", call.contact_id) if call.contact_id else ("call", call.call_id)
            found.append(Happening("call.missed", {}, *subject))
    return found


def matches(trigger: dict[str, Any], happening: Happening) -> bool:
    """True when a rule's trigger names what happened."""
    if trigger.get("type") != happening.type:
        return False
    facts = happening.facts
    if happening.type in ("record.created", "record.updated"):
        wanted = set(trigger.get("fields") or [])
        if not wanted and facts.get("team_move"):
            return False
        return trigger.get("entity") == facts["entity"] and (not wanted or bool(wanted & facts["changed"]))
    if happening.type in ("deal.stage_entered", "deal.stage_left"):
        return trigger.get("pipeline_id") == facts["pipeline_id"] and trigger.get("stage_id") == facts["stage_id"]
    if happening.type in ("deal.won", "deal.lost"):
        return trigger.get("pipeline_id") in (None, facts["pipeline_id"])
    if happening.type == "lead.received":
        return trigger.get("channel", "any") in ("any", facts["channel"])
    if happening.type == "order.status_changed":
        return trigger.get("status") in (None, facts["status"])
    if happening.type == "message.received":
        from chalicelib.automations import messages  # it imports this module

        return messages.matches(trigger, facts)
    return True


# -- the record and the conditions -------------------------------------------------------------


def subject_of(ctx: TenantContext, subject_type: str | None, subject_id: str | None) -> Subject | None:
    """The record a run acts on, as it is now (None when it is gone)."""
    record: Any = None
    if subject_type == "deal" and subject_id:
        record = deals_service.get(ctx, subject_id)
    elif subject_type == "contact" and subject_id:
        record = contacts_service.get(ctx, subject_id)
    elif subject_type == "task" and subject_id:
        record = tasks_service.get(ctx, subject_id)
    elif subject_type in ("company", "call", "ticket", "order", "conversation") and subject_id:
        from chalicelib.records import access, types

        rtype = types.find(subject_type)
        record = access.get(ctx, rtype, subject_id) if rtype is not None else None
    return subject_from(subject_type, subject_id, record)


def subject_from(subject_type: str | None, subject_id: str | None, record: Any) -> Subject | None:
    """A record read as a run's subject (None when it is missing or in the trash)."""
    if record is None or getattr(record, "deleted_at", None) is not None:
        return None
    state = {name: value for name, value in record.attribute_values.items() if name not in ("pk", "sk")}
    return Subject(subject_type, subject_id, state)


def _value(state: dict[str, Any], field: str) -> Any:
    if field.startswith("custom."):
        return (state.get("custom") or {}).get(field.split(".", 1)[1])
    value = state.get(field)
    return value.isoformat() if isinstance(value, datetime) else value


def _compare(op: str, have: Any, want: Any) -> bool:
    if op in ("empty", "not_empty"):
        empty = have in (None, "", [], {})
        return empty if op == "empty" else not empty
    if op == "contains":
        return want in have if isinstance(have, list | tuple | set) else str(want).lower() in str(have or "").lower()
    if op == "in":
        return have in (want or [])
    if op in ("eq", "ne"):
        return (have == want) == (op == "eq")
    try:
        return {"gt": have > want, "gte": have >= want, "lt": have < want, "lte": have <= want}[op]
    except TypeError:
        return False


def holds(conditions: list[dict[str, Any]], subject: Subject) -> bool:
    """True when every condition holds on the record (no conditions: always)."""
    return all(_compare(c["op"], _value(subject.state, c["field"]), c.get("value")) for c in conditions)


# -- runs ---------------------------------------------------------------------------------------


def rule_context(ctx: TenantContext, rule: Automation, run: AutomationRun) -> TenantContext:
    """The rule as actor: an administrator's rights, its run and depth in the request id of what it writes."""
    return TenantContext(tenant_id=ctx.tenant_id, actor_id=rule.rule_id, actor_kind="automation", role="admin",
                         source="automation", request_id=f"auto:{run.run_id}:{int(run.depth) + 1}",
                         permissions=permissions.BUILTIN_ROLES["admin"].permissions)


def _claim(ctx: TenantContext, rule: Automation, event_id: str, happening: Happening, at: datetime,
           depth: int) -> AutomationRun | None:
    run_id = derived_id(at, rule.rule_id, event_id)
    now = db.utcnow()
    run = AutomationRun(service.runs_pk(ctx), service.run_sk(rule.rule_id, run_id), run_id=run_id, rule_id=rule.rule_id,
                        event_id=event_id, trigger_type=happening.type, subject_type=happening.subject_type,
                        subject_id=happening.subject_id, task_id=happening.facts.get("task_id"), depth=depth,
                        status="running",
                        steps=[{"type": a.get("type"), "status": "pending", "attempts": 0, "detail": None}
                               for a in rule.actions or []], created_at=at, updated_at=now, expires_at=now + RUN_KEPT)
    try:
        with db.translate_errors():
            run.save(condition=AutomationRun.pk.does_not_exist())
    except errors.VersionConflictError:
        found = db.get(ctx, AutomationRun, run.pk, run.sk)
        return found if found is not None and found.status == "running" else None  # ran (or runs on its timer)
    return run


# Actions that reach a customer go out at most once: a run records that one has begun (one conditional write)
# before it sends, so an attempt after a crash between the send and the run's record never sends it again. A
# webhook is retried instead, under the same webhook-id (its receivers dedupe).
AT_MOST_ONCE = frozenset({"send_email", "send_message"})
INTERRUPTED = "an earlier attempt began sending this and was interrupted: it may have gone out, so it is not sent again"


def _begin(run: AutomationRun, index: int) -> bool:
    """Record that the step's message begins to go out (True), unless an earlier attempt began it."""
    mark = str(index)
    try:
        with db.translate_errors():  # on a copy: the update reads the item back, and this attempt's steps are newer
            AutomationRun(run.pk, run.sk).update(
                actions=[AutomationRun.begun.add({mark})],
                condition=AutomationRun.begun.does_not_exist() | ~AutomationRun.begun.contains(mark))
    except errors.VersionConflictError:
        return False
    run.begun = set(run.begun or ()) | {mark}  # the run's own save keeps it
    return True


def _not_begun(run: AutomationRun, index: int) -> None:
    """The message did not go out (its channel failed): its retry may send it."""
    mark = str(index)
    with db.translate_errors():
        AutomationRun(run.pk, run.sk).update(actions=[AutomationRun.begun.delete({mark})])
    run.begun = (set(run.begun or ()) - {mark}) or None


def _record(step: dict[str, Any], status: str, detail: str, code: str | None, params: dict[str, Any]) -> None:
    """A step's outcome: its English sentence (the API's ``detail``), and its code and params the web app words."""
    step["status"], step["detail"], step["code"], step["params"] = status, detail[:300], code, params


def _step(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, subject: Subject) -> bool:
    """Run one action; False when it waits for a retry."""
    action = (rule.actions or [])[index]
    step = run.steps[index]
    step["attempts"] = int(step.get("attempts") or 0) + 1
    once = str(action["type"]) in AT_MOST_ONCE
    if once and not _begin(run, index):
        _record(step, "failed", INTERRUPTED, "interrupted", {})
        return True
    try:
        done = run_actions.ACTIONS[str(action["type"])](rule_context(ctx, rule, run), rule, run, index, action,
                                                        subject)
        outcome = done if isinstance(done, Outcome) else Outcome(str(done))
        _record(step, "done", outcome.detail, outcome.code, outcome.params)
    except Failed as exc:
        _record(step, "failed", str(exc), exc.code, exc.params)
    except errors.CRMError as exc:  # 5xx: an outage, a receiver that failed; 4xx from deeper down: final
        final = exc.status < 500 or step["attempts"] >= MAX_ATTEMPTS
        _record(step, "failed" if final else "retrying", f"{exc.code}: {exc.message}",
                *run_actions.error_outcome(exc))
        if once and not final:
            _not_begun(run, index)
        return final
    return True


def execute(ctx: TenantContext, rule: Automation, run: AutomationRun) -> AutomationRun:
    """Run the run's actions not done yet, in order; record each outcome; a retry waits on a timer."""
    subject = subject_of(ctx, run.subject_type, run.subject_id) or Subject(run.subject_type, run.subject_id, {})
    waiting = False
    for index, step in enumerate(run.steps):
        if step.get("status") in ("done", "failed"):
            continue
        if not _step(ctx, rule, run, index, subject):
            waiting = True
            break
        if step["status"] == "done" and step["type"] in ("assign", "move_deal", "tag", "set_field"):
            subject = subject_of(ctx, run.subject_type, run.subject_id) or subject  # the next action sees it
    run.status = "retrying" if waiting else ("failed" if any(s["status"] == "failed" for s in run.steps) else "done")
    run.updated_at = db.utcnow()
    with db.translate_errors():
        run.save()
    if waiting:
        attempts = max(int(s.get("attempts") or 0) for s in run.steps)
        due.set_timer(ctx, kind=RETRY, ref=run.run_id, due_at=db.utcnow() + timedelta(minutes=2 ** (attempts - 1)),
                      payload={"rule_id": rule.rule_id})
    return run


WAITING = service.WAITING


def consume(ctx: TenantContext, event: DomainEvent) -> None:
    """Run the tenant's rules that this event triggers (once per rule and event), within the loop bound; arm the
    timers of rules that wait (an idle deal, a date)."""
    found = happenings(ctx, event)
    watched = event.entity in ("deal", "contact", "task")  # what waiting rules watch, deletions included
    spoken = event.entity == "conversation" and event.changed("last_inbound_at")  # a customer's message
    if not found and not watched and not spoken:
        return
    rules = service.enabled_rules(ctx)
    if spoken and any((rule.trigger or {}).get("type") == "message.received" for rule in rules):
        from chalicelib.automations import messages  # it imports this module

        found += messages.received(ctx, event)
    waiting = [rule for rule in rules if (rule.trigger or {}).get("type") in WAITING]
    if waiting and watched:
        from chalicelib.automations import waits  # it imports this module

        waits.arm(ctx, event, waiting)
    depth = depth_of(event)
    if depth >= MAX_DEPTH:
        return
    for rule in rules:
        for happening in found:
            if matches(rule.trigger or {}, happening):
                start(ctx, rule, event_id=event.event_id, happening=happening, at=event.at, depth=depth)


def start(ctx: TenantContext, rule: Automation, *, event_id: str, happening: Happening, at: datetime,
          depth: int = 0) -> AutomationRun | None:
    """Run a rule for what happened if its conditions hold on the record (None: they do not, or it ran)."""
    subject = subject_of(ctx, happening.subject_type, happening.subject_id)
    if rule.conditions and (subject is None or not holds(rule.conditions, subject)):
        return None
    run = _claim(ctx, rule, event_id, happening, at, depth)
    if run is None:
        return None
    return execute(ctx, rule, run)


def task_overdue(ctx: TenantContext, *, task_id: str, due: str) -> None:
    """A task became overdue (its overdue timer fired): rules on ``task.overdue`` run for it, once per due time."""
    rules = [rule for rule in service.enabled_rules(ctx) if (rule.trigger or {}).get("type") == "task.overdue"
             and not (rule.trigger or {}).get("minutes")]  # overdue by N minutes waits on its own timer (waits)
    if not rules:
        return
    happening = Happening("task.overdue", {}, "task", task_id)
    at = datetime.fromisoformat(due)
    for rule in rules:
        start(ctx, rule, event_id=f"overdue-{task_id}-{due}", happening=happening, at=at)


def ticket_sla_breached(ctx: TenantContext, *, ticket_id: str, target: str, due: str) -> None:
    """A ticket missed an SLA target (its timer fired, #24): rules on ``ticket.sla_breached`` run for it, once per
    target and due time."""
    rules = [rule for rule in service.enabled_rules(ctx) if (rule.trigger or {}).get("type") == "ticket.sla_breached"
             and (rule.trigger or {}).get("target", "any") in ("any", target)]
    happening = Happening("ticket.sla_breached", {"target": target}, "ticket", ticket_id)
    for rule in rules:
        start(ctx, rule, event_id=f"sla-{ticket_id}-{target}-{due}", happening=happening,
              at=datetime.fromisoformat(due))


def fire(ctx: TenantContext, timer: DueTimer) -> None:
    """A run's retry is due: its actions not done yet run again."""
    rule = service.get(ctx, str((timer.payload or {}).get("rule_id") or ""))
    if rule is None:
        return
    run = db.get(ctx, AutomationRun, service.runs_pk(ctx), service.run_sk(rule.rule_id, timer.ref))
    if run is not None and run.status == "retrying":
        execute(ctx, rule, run)
    elif run is None:
        logger.warning("automation run to retry not found")
