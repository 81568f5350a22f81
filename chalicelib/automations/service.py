"""Automation rules: create, list, read, change (enable, disable), delete; their run log.

Rules are the company's settings: reading them needs ``settings:read``, changing them ``settings:update``
(owners and administrators), and a plan with the ``automations`` feature. A rule with a webhook action gets
a signing secret (``whsec_`` and 32 random bytes, base64, as the Standard Webhooks specification has it),
sealed under the tenant's data key and shown once, when the rule is made or its first webhook added.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any

from chalicelib.automations import assignees, merge_fields
from chalicelib.automations import schemas as s
from chalicelib.automations.models import Automation, AutomationRun
from chalicelib.core import audit, crypto, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id, tenant_key
from chalicelib.due import service as due
from chalicelib.identity import plans

FIELDS = ("name", "enabled", "trigger", "conditions", "actions")
RULES_LIMIT = "automation_rules"  # the plan's number of enabled rules, counted on the tenant's usage item
SECRET_FIELD = "webhook_secret"
WAITING = frozenset({"deal.idle", "date.reached", "task.overdue", "task.due_soon"})  # a due timer per record
SWEEP = "automation.sweep"  # the due timer of a rule's walk over the records already there (automations.sweep)


def rules_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's rules."""
    return tenant_key(ctx, "AUTOMATION")


def runs_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's runs (each rule's under its own sort-key prefix, newest last)."""
    return tenant_key(ctx, "AUTORUN")


def run_sk(rule_id: str, run_id: str) -> str:
    """Sort key of one run of one rule."""
    return f"{rule_id}#{run_id}"


def audit_view(rule: Automation) -> dict[str, Any]:
    """What the audit trail records of a rule (never its secret)."""
    return {name: getattr(rule, name) for name in FIELDS}


def rule_read(rule: Automation, *, secret: str | None = None,
              problems: list[dict[str, Any]] | None = None) -> s.AutomationRead:
    """The API view of a rule; ``problems``: the colleagues it names who cannot take its work
    (``assignees.problems_of``)."""
    return s.AutomationRead(id=rule.rule_id, name=rule.name, enabled=bool(rule.enabled), trigger=rule.trigger,
                            conditions=rule.conditions or [], actions=rule.actions or [], webhook_secret=secret,
                            created_by=rule.created_by, created_at=rule.created_at, updated_at=rule.updated_at,
                            version=int(rule.version or 0),
                            problems=[s.RuleProblem(**problem) for problem in problems or []])


def _dumped(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _seal_secret(ctx: TenantContext, rule: Automation, secret: str) -> None:
    rule.webhook_secret = crypto.encrypt_field(ctx, entity="automation", record_id=rule.rule_id,
                                               field=SECRET_FIELD, plaintext=secret)


def webhook_secret(ctx: TenantContext, rule: Automation) -> str | None:
    """The rule's signing secret in clear (to sign a webhook call), or None."""
    if not rule.webhook_secret:
        return None
    return crypto.decrypt_field(ctx, entity="automation", record_id=rule.rule_id, field=SECRET_FIELD,
                                token=rule.webhook_secret)


def _has_webhook(actions: list[dict[str, Any]]) -> bool:
    return any(action.get("type") == "webhook" for action in actions)


def trigger_mark(trigger: dict[str, Any]) -> str:
    """A short fingerprint of a trigger: a timer armed for it, or a sweep begun for it, is stale once it differs."""
    text = json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def waits_per_record(trigger: dict[str, Any]) -> bool:
    """True for a trigger that waits on a timer of its own per record (overdue when due rides the task's own)."""
    kind = trigger.get("type")
    return kind in WAITING and not (kind == "task.overdue" and not trigger.get("minutes"))


def _sweep(ctx: TenantContext, change: db.Change, rule: Automation, seq: int) -> None:
    """Reach the records already there: a sweep (``automations.sweep``) starts now, in the rule's own transaction,
    and arms each record's timer as the feed does for a change; ``seq`` (the rule's new version) outranks any
    earlier sweep of the rule, whose next page is then never set."""
    change.save(due.timer(ctx, kind=SWEEP, ref=rule.rule_id, due_at=db.utcnow(), seq=seq,
                          payload={"rule_id": rule.rule_id, "mark": trigger_mark(rule.trigger or {})}))


# -- reads ------------------------------------------------------------------------------------


def get(ctx: TenantContext, rule_id: str) -> Automation | None:
    """A rule of the tenant, without any permission check."""
    return db.get(ctx, Automation, rules_pk(ctx), rule_id) if is_valid_id(rule_id) else None


def get_or_raise(ctx: TenantContext, rule_id: str) -> Automation:
    """A rule the caller may read, or 404."""
    permissions.require(ctx, "settings", "read")
    rule = get(ctx, rule_id)
    if rule is None:
        raise errors.NotFoundError("No such automation.")
    return rule


def list_rules(ctx: TenantContext, *, limit: int = 50, cursor: str | None = None) -> db.Page[Automation]:
    """The tenant's rules, oldest first."""
    permissions.require(ctx, "settings", "read")
    return db.query_page(ctx, Automation, rules_pk(ctx), scope="automations", limit=limit, cursor=cursor,
                         newest_first=False)


RULES_KEPT_SECONDS = 5.0  # a batch of the feed reads a tenant's rules once; a change reaches it within 5 s
_rules_read: dict[str, tuple[float, list[Automation]]] = {}


def enabled_rules(ctx: TenantContext) -> list[Automation]:
    """Every enabled rule of the tenant (the feed's read, without a permission check): one Query, remembered for
    a few seconds per warm Lambda, since a batch of the feed holds many events of one tenant."""
    now = time.monotonic()
    kept = _rules_read.get(ctx.tenant_id)
    if kept is not None and kept[0] > now:
        return kept[1]
    with db.translate_errors():
        rules = [rule for rule in Automation.query(rules_pk(ctx)) if isinstance(rule, Automation) and rule.enabled]
    if len(_rules_read) > 1000:
        _rules_read.clear()
    _rules_read[ctx.tenant_id] = (now + RULES_KEPT_SECONDS, rules)
    return rules


def _forget_rules(ctx: TenantContext, items: list[db.MainTable]) -> None:
    if any(isinstance(item, Automation) for item in items):
        _rules_read.pop(ctx.tenant_id, None)  # a rule changed in this process counts at once


db.on_commit(_forget_rules)


def list_runs(ctx: TenantContext, rule_id: str, *, limit: int = 50, cursor: str | None = None
              ) -> db.Page[AutomationRun]:
    """A rule's runs, newest first: what each action did, its attempts and why one failed."""
    get_or_raise(ctx, rule_id)
    return db.query_page(ctx, AutomationRun, runs_pk(ctx), scope=f"automation-runs:{rule_id}", limit=limit,
                         cursor=cursor, range_key_condition=AutomationRun.sk.startswith(f"{rule_id}#"))


def run_read(run: AutomationRun) -> s.RunRead:
    """The API view of a run."""
    subject = {"type": run.subject_type, "id": run.subject_id} if run.subject_type and run.subject_id else None
    return s.RunRead(id=run.run_id, event_id=run.event_id, trigger_type=run.trigger_type, subject=subject,
                     task_id=run.task_id,
                     depth=int(run.depth or 0), status=run.status,
                     steps=[s.RunStep(**step) for step in run.steps or []], created_at=run.created_at,
                     updated_at=run.updated_at)


# -- writes -----------------------------------------------------------------------------------

BIRTHDAY = {"en": ("Birthday greeting", "Congratulate {title} on their birthday"),
            "ru": ("Поздравление с днём рождения", "Поздравить {title} с днём рождения")}  # noqa: RUF001


def starter_items(ctx: TenantContext, *, locale: str = "en") -> list[db.MainTable]:
    """The birthday greeting every new company gets, switched off, and its audit record (committed by sign-up,
    ``identity.service.STARTER_ITEMS``): a task for the contact's owner at 10:00 on the day, every year."""
    name, title = BIRTHDAY.get(locale[:2], BIRTHDAY["en"])
    rule_id = new_id()
    rule = Automation(rules_pk(ctx), rule_id, rule_id=rule_id, name=name, enabled=False, created_by=ctx.actor_id,
                      trigger={"type": "date.reached", "entity": "contact", "field": "birthday", "offset_days": 0,
                               "at": "10:00", "yearly": True}, conditions=[],
                      actions=[{"type": "create_task", "title": title, "due_in_minutes": 480, "assignee": "owner",
                                "users": []}])
    change = db.Change()
    audit.attach(ctx, change, rule, entity="automation", entity_id=rule_id, action="create", before=None,
                 after=audit_view(rule))
    return [rule, *change.creates]


def create(ctx: TenantContext, *, data: s.AutomationCreate) -> tuple[Automation, str | None]:
    """Make a rule (audited); answers it and, when it calls a webhook, its signing secret (shown once)."""
    permissions.require(ctx, "settings", "update")
    plans.require(ctx, feature="automations")
    rule_id = new_id()
    rule = Automation(rules_pk(ctx), rule_id, rule_id=rule_id, name=data.name, enabled=data.enabled,
                      trigger=data.trigger.model_dump(mode="json"), conditions=_dumped(data.conditions),
                      actions=_dumped(data.actions), created_by=ctx.actor_id)
    merge_fields.check(rule.trigger, rule.actions)  # 422 before anything is written
    assignees.check(ctx, rule.trigger, rule.actions)  # nobody is handed work they cannot open
    secret = _new_secret() if _has_webhook(rule.actions) else None
    if secret is not None:
        _seal_secret(ctx, rule, secret)
    change = db.Change().save(rule)
    plans.require(ctx, count=RULES_LIMIT, by=int(bool(rule.enabled)), change=change)  # 402 past the plan's number
    record = audit.attach(ctx, change, rule, entity="automation", entity_id=rule_id, action="create", before=None,
                          after=audit_view(rule))
    if rule.enabled and waits_per_record(rule.trigger):
        _sweep(ctx, change, rule, int(record.seq))
    db.commit(ctx, change)
    return rule, secret


def update(ctx: TenantContext, rule_id: str, *, data: s.AutomationUpdate) -> tuple[Automation, str | None]:
    """Change a rule (switch it on or off, rename it, change its trigger, conditions or actions)."""
    permissions.require(ctx, "settings", "update")
    rule = get_or_raise(ctx, rule_id)
    if int(rule.version or 0) != data.version:
        raise errors.VersionConflictError()
    if data.enabled or (data.enabled is None and rule.enabled):
        plans.require(ctx, feature="automations")
    before, was_enabled = audit_view(rule), bool(rule.enabled)
    if data.name is not None:
        rule.name = data.name
    if data.enabled is not None:
        rule.enabled = data.enabled
    if data.trigger is not None:
        rule.trigger = data.trigger.model_dump(mode="json")
    if data.conditions is not None:
        rule.conditions = _dumped(data.conditions)
    if data.actions is not None:
        rule.actions = _dumped(data.actions)
    merge_fields.check(rule.trigger or {}, rule.actions or [])
    if data.actions is not None or data.trigger is not None or (rule.enabled and not was_enabled):
        assignees.check(ctx, rule.trigger or {}, rule.actions or [])  # switched off or renamed, a flagged rule is kept
    secret = None
    if _has_webhook(rule.actions or []) and not rule.webhook_secret:
        secret = _new_secret()
        _seal_secret(ctx, rule, secret)
    rule.updated_at = db.utcnow()
    change = db.Change().save(rule)
    plans.require(ctx, count=RULES_LIMIT, by=int(bool(rule.enabled)) - int(was_enabled), change=change)
    record = audit.attach(ctx, change, rule, entity="automation", entity_id=rule_id, action="update", before=before,
                          after=audit_view(rule))
    trigger = rule.trigger or {}
    if rule.enabled and waits_per_record(trigger) and (not was_enabled or trigger != before["trigger"]):
        _sweep(ctx, change, rule, int(record.seq))
    db.commit(ctx, change)
    return rule, secret


def delete(ctx: TenantContext, rule_id: str) -> None:
    """Delete a rule (its runs stay until they expire; the audit trail keeps what it was)."""
    permissions.require(ctx, "settings", "update")
    rule = get_or_raise(ctx, rule_id)
    change = db.Change().delete(rule)
    plans.require(ctx, count=RULES_LIMIT, by=-1 if rule.enabled else 0, change=change)
    audit.attach(ctx, change, rule, entity="automation", entity_id=rule_id, action="delete",
                 before=audit_view(rule), after=None)
    db.commit(ctx, change)
