"""Who a rule hands work to: a task's assignee, a record's new owner (a fixed colleague or a round-robin's).

Work goes only to an active colleague whose role reads it (``identity.access``: a task handed to an accountant's
role that reads no tasks would sit where nobody opens it). So a rule naming someone else is refused when it is saved
(422 ``assignee_cannot_read`` or ``assignee_not_active``, each place in ``details``); one that became so later (her
role changed, she left) is flagged on the rules screen (``problems``, in the rule's API view), and at run time the
work goes to someone who can take it (``actions``: a round-robin skips her, a task goes to the record's owner, else
the company's owner; a record stays with its owner) while whoever keeps the rule is told once per rule version and
colleague (``tell``), not once per run.
"""

from __future__ import annotations

from typing import Any

from chalicelib.automations.models import Automation
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import access
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import User
from chalicelib.notifications import service as notifications
from chalicelib.records import types

NOTICE = "automation.invalid"  # the notification whoever keeps a rule gets when it meets a colleague it cannot hand to
SUBJECT = {"deal.stage_entered": "deal", "deal.stage_left": "deal", "deal.won": "deal", "deal.lost": "deal",
           "deal.idle": "deal", "lead.received": "contact", "call.missed": "contact", "message.received": "contact",
           "task.due_soon": "contact", "task.overdue": "task", "ticket.sla_breached": "ticket",
           "order.status_changed": "order", "order.paid": "order"}  # record.* and date.reached name their entity
Shape = tuple[str, dict[str, Any], list[dict[str, Any]]]  # a rule's id, trigger and actions


def plural(entity: str | None) -> str | None:
    """What a user's role reads a subject as: its record type's plural (tasks, which are no record type, ``tasks``)."""
    if entity == "task":
        return "tasks"
    found = types.find(entity or "")
    return found.plural if found is not None else None


def handed(trigger: dict[str, Any], action: dict[str, Any]) -> str | None:
    """What an action hands over (``tasks``, ``deals``, ``contacts`` ...), None when it hands nothing."""
    if action.get("type") == "create_task":
        return "tasks"
    if action.get("type") != "assign":
        return None
    kind = str(trigger.get("type") or "")
    return plural(str(trigger.get("entity") or "") if kind.startswith("record.") or kind == "date.reached"
                  else SUBJECT.get(kind, ""))


def named(action: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """The colleagues an action names (its place in the action, the user's id): a fixed one or a round's."""
    who = str(action.get("assignee") or "owner")
    if who == "round_robin":
        return [(["users", index], str(user)) for index, user in enumerate(action.get("users") or [])]
    return [] if who == "owner" else [(["assignee"], who)]


def reason(user: User | None, granted: frozenset[str], entity: str | None) -> str | None:
    """Why work cannot go to a user (``unknown_user``, ``user_not_active``, ``cannot_read_<entity>``), else None."""
    if user is None:
        return "unknown_user"
    if user.status != "active":
        return "user_not_active"
    if entity is not None and not any(permission.startswith(f"{entity}:read:") for permission in granted):
        return f"cannot_read_{entity}"
    return None


def _granted(ctx: TenantContext, roles: set[str]) -> dict[str, frozenset[str]]:
    """Each role's permissions (a built-in role's are in code; a custom one costs a GetItem)."""
    return {role: access.role_permissions(ctx, role) or frozenset() for role in roles}


def problems_of(ctx: TenantContext, rules: list[Automation]) -> dict[str, list[dict[str, Any]]]:
    """Each rule's colleagues it cannot hand work to (``action``, ``place`` in it, ``user_id``, ``user_name``,
    ``code``), read together: one BatchGetItem of the users the rules name (none when they name nobody; PynamoDB
    pages it 100 keys a request) and one GetItem per custom role among them."""
    return _problems(ctx, [(rule.rule_id, rule.trigger or {}, rule.actions or []) for rule in rules])


def _problems(ctx: TenantContext, rules: list[Shape]) -> dict[str, list[dict[str, Any]]]:
    wanted = [user for _, trigger, actions in rules for action in actions if handed(trigger, action)
              for _, user in named(action)]
    keys = identity_service.user_keys(ctx, wanted)
    users = {sk: item for (_, sk), item in db.get_many(ctx, keys).items() if isinstance(item, User)} if keys else {}
    granted = _granted(ctx, {user.role for user in users.values()})
    found: dict[str, list[dict[str, Any]]] = {}
    for rule_id, trigger, actions in rules:
        for index, action in enumerate(actions):
            entity = handed(trigger, action)
            for place, user_id in named(action) if entity else []:
                user = users.get(user_id)
                why = reason(user, granted.get(user.role, frozenset()) if user else frozenset(), entity)
                if why is not None:
                    found.setdefault(rule_id, []).append({
                        "action": index, "place": place, "user_id": user_id,
                        "user_name": (user.name or user.email) if user is not None else None, "code": why})
    return found


def check(ctx: TenantContext, trigger: dict[str, Any], actions: list[dict[str, Any]]) -> None:
    """Refuse a rule that hands work to someone who cannot take it (422, each place named in ``details``), before
    anything is written: ``assignee_cannot_read`` (the role reads not what is handed), ``assignee_not_active``."""
    found = _problems(ctx, [("", trigger, actions)]).get("", [])
    if not found:
        return
    details: list[dict[str, Any]] = []
    for problem in found:
        entity = problem["code"].removeprefix("cannot_read_")
        unreadable = entity != problem["code"]
        said = (f"this colleague's role cannot read {entity}" if unreadable
                else "not an active user of this company")
        details.append({"loc": ["body", "actions", problem["action"], *problem["place"]],
                        "type": problem["code"] if unreadable else "unknown_user",
                        "msg": f"Action {problem['action'] + 1}: {said}: pick someone else",
                        "ctx": {"action": problem["action"] + 1, "user_id": problem["user_id"]}})
    code = "assignee_cannot_read" if found[0]["code"].startswith("cannot_read_") else "assignee_not_active"
    raise errors.ValidationError(str(details[0]["msg"]), code=code, details=details)


# -- at run time --------------------------------------------------------------------------------


def unusable(ctx: TenantContext, user_id: str, entity: str | None) -> str | None:
    """Why work cannot go to this colleague now (a GetItem, and one of a custom role), else None."""
    user = identity_service.get_user(ctx, user_id)
    return reason(user, _granted(ctx, {user.role})[user.role] if user is not None else frozenset(), entity)


def company_owner(ctx: TenantContext) -> str:
    """The company's owner: whom work goes to when nobody the rule names can take it."""
    return str(identity_service.tenant_settings_or_raise(ctx).owner_id)


def _keeper(ctx: TenantContext, rule: Automation) -> str:
    """Who is told of a rule's problem: who made it while they may still change rules, else the company's owner."""
    maker = identity_service.get_user(ctx, rule.created_by) if rule.created_by else None
    if maker is not None and maker.status == "active":
        granted = access.role_permissions(ctx, maker.role) or frozenset()
        if any(permission.startswith("settings:update:") for permission in granted):
            return str(maker.user_id)
    return company_owner(ctx)


_told: set[str] = set()  # notices this warm Lambda has given: a run that meets her again writes nothing


def tell(ctx: TenantContext, rule: Automation, user_id: str, why: str) -> None:
    """Tell whoever keeps the rule that it met a colleague it cannot hand work to: once per rule version, colleague
    and reason (the notice's id derives from them and the rule's last change), never once per run. A warm Lambda
    remembers what it told, so a round passing her a hundred times tries the notice's conditional write once."""
    cause = f"{rule.rule_id}:{int(rule.version or 0)}:{user_id}:{why}"
    if f"{ctx.tenant_id}:{cause}" in _told:
        return
    notifications.notify(ctx, user_id=_keeper(ctx, rule), type=NOTICE, cause=cause, at=db.utcnow(),
                         cause_at=rule.updated_at, subject_type="automation", subject_id=rule.rule_id,
                         title=rule.name, actor_id=rule.rule_id)
    if len(_told) > 10_000:
        _told.clear()
    _told.add(f"{ctx.tenant_id}:{cause}")
