"""What each action of a rule does, as the rule (its own actor in the audit trail), on the run's subject.

Each action is safe to run again after a failure or a crash: a task's id derives from the run and the action,
an assignment, a move, a tag or a field that already holds is not written again, a notification derives from
the run, and a webhook call carries the same ``webhook-id`` each attempt (receivers dedupe on it, as the
Standard Webhooks specification asks). A message or an e-mail to a customer goes out at most once: the engine
records that its step began before it sends (``engine.AT_MOST_ONCE``). An action raises ``Failed`` (kept in the
run log, not retried) or lets a ``CRMError`` of 5xx through (retried with a doubling pause).

An action answers an ``Outcome``: the English sentence the run log has always shown (``detail``: the API's
compatibility and the audit) and a stable ``code`` with its ``params`` (ids, a status code; never a personal
value: the run is stored in clear), which the web app words in the reader's language and links to the record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from chalicelib.automations import assignees
from chalicelib.automations.models import Automation, AutomationRun, RoundRobin
from chalicelib.channels import transport
from chalicelib.contacts import service as contacts_service
from chalicelib.contacts.schemas import ContactUpdate
from chalicelib.core import db, errors, mail
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.deals import service as deals_service
from chalicelib.deals.schemas import DealMove, DealUpdate
from chalicelib.notifications import service as notifications
from chalicelib.tasks import schemas as task_schemas
from chalicelib.tasks import service as tasks_service

WEBHOOK_PROVIDER = "automation_webhook"


@dataclass(frozen=True)
class Outcome:
    """What an action did: its English sentence (``detail``), and a stable ``code`` with ``params`` for the web app."""

    detail: str
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


class Failed(Exception):
    """An action that cannot succeed as it stands (a 4xx): recorded, not retried; its ``code`` and ``params`` go
    to the run log beside the sentence."""

    def __init__(self, detail: str, code: str = "failed", **params: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.params = params


class ReceiverError(transport.ProviderError):
    """A webhook's receiver answered 5xx, 408 or 429: retried (a 502 of ours, as any provider's failure)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"The receiver answered {status}.")
        self.answer_status = status


def error_outcome(exc: errors.CRMError) -> tuple[str, dict[str, Any]]:
    """The code and params of an error that reached the engine (an outage, a receiver's failure, a 4xx deeper)."""
    if isinstance(exc, ReceiverError):
        return "webhook_failed", {"status": exc.answer_status}
    return ("unavailable" if exc.status >= 500 else "refused"), {"error": exc.code}


@dataclass
class Subject:
    """What the run acts on: a record's type, id and state (its fields as they are now)."""

    type: str | None
    id: str | None
    state: dict[str, Any]

    @property
    def title(self) -> str:
        """The record's title or name, for a task's title (an order's: what its first line sold, else its number)."""
        state = self.state
        if self.type == "order":
            lines = state.get("lines") or []
            first = str(lines[0].get("description") or "") if lines and isinstance(lines[0], dict) else ""
            return first or (f"#{state['number']}" if state.get("number") else "")
        name = " ".join(str(state[k]) for k in ("first_name", "last_name") if state.get(k))
        return str(state.get("title") or state.get("name") or state.get("subject") or name or "")


def derived_id(run: AutomationRun, *parts: str) -> str:
    """An id of the run's time made from what it is for: the same run and action, the same id."""
    return notifications.derived_id(run.created_at, run.run_id, *parts)


def _turn(ctx: TenantContext, rule: Automation) -> int:
    """The round-robin's next turn (an atomic counter per rule)."""
    counter = RoundRobin(tenant_key(ctx, "AUTORR"), rule.rule_id)
    with db.translate_errors():
        counter.update(actions=[RoundRobin.made.add(1)])
    return int(counter.made) - 1


@dataclass(frozen=True)
class Handed:
    """Whom a step hands its work to (None: nobody the rule names can take it), and whom it passed over and why."""

    user_id: str | None
    passed: list[tuple[str, str]] = field(default_factory=list)


def _assignee(ctx: TenantContext, rule: Automation, action: dict[str, Any], subject: Subject,
              entity: str | None) -> Handed:
    """The record's owner, the colleague named, or the next of the round who can take the work (an active colleague
    whose role reads ``entity``); whom the rule names and cannot take it is passed over and its keeper told once."""
    who = str(action.get("assignee", "owner"))
    if who == "owner":
        owner = subject.state.get("owner_id") or subject.state.get("assignee_id")
        if not owner:
            raise Failed("the record has no owner", "no_owner")
        why = assignees.unusable(ctx, str(owner), entity)
        return Handed(None, [(str(owner), why)]) if why else Handed(str(owner))
    users = [str(user) for user in action.get("users") or []] if who == "round_robin" else [who]
    if not users:
        raise Failed("round_robin needs users to take turns", "no_users")
    start = _turn(ctx, rule) if who == "round_robin" else 0
    passed: list[tuple[str, str]] = []
    for offset in range(len(users)):
        user = users[(start + offset) % len(users)]
        why = assignees.unusable(ctx, user, entity)
        if why is None:
            return Handed(user, passed)
        passed.append((user, why))
        assignees.tell(ctx, rule, user, why)  # the rule names her: whoever keeps it fixes it (once, not per run)
    return Handed(None, passed)


def _refused(exc: errors.CRMError) -> Failed:
    return Failed(f"{exc.code}: {exc.message}"[:300], "refused", error=exc.code)


def create_task(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
                subject: Subject) -> Outcome:
    """A task for the owner, a user or the next of a round-robin, about the record, due after some minutes."""
    title = str(action["title"]).replace("{title}", subject.title).strip()[:200] or rule.name
    related = _about(subject)
    handed = _assignee(ctx, rule, action, subject, "tasks")
    assignee = handed.user_id or _stand_in(ctx, subject, handed)
    data = task_schemas.TaskCreate(title=title, due_at=db.utcnow() + timedelta(minutes=int(action["due_in_minutes"])),
                                   assignee_id=assignee, related=related)
    task_id = derived_id(run, str(index), "task")
    try:
        tasks_service.create(ctx, data=data, task_id=task_id)
    except errors.VersionConflictError:
        return Outcome(f"task {task_id} (made before)", "task_existed", {"task_id": task_id})
    except errors.CRMError as exc:
        if exc.status >= 500:
            raise
        raise _refused(exc) from exc
    if handed.passed:
        skipped, why = handed.passed[0]
        return Outcome(f"task {task_id} for {assignee}: {skipped} cannot take it ({why})", "task_created_instead",
                       {"task_id": task_id, "user_id": assignee, "skipped_user_id": skipped, "reason": why})
    return Outcome(f"task {task_id}", "task_created", {"task_id": task_id})


def _about(subject: Subject) -> task_schemas.Related | None:
    """What a rule's task is about: the record, or an order's customer (the contact, else the company: whom to call;
    the order is named by the task's ``{title}``)."""
    if subject.type == "order" and subject.id:
        for name, entity in (("contact_id", "contact"), ("company_id", "company")):
            if subject.state.get(name):
                return task_schemas.Related(type=entity, id=str(subject.state[name]))
        return task_schemas.Related(type="order", id=subject.id)
    if subject.type in ("contact", "company", "deal", "ticket") and subject.id:
        return task_schemas.Related(type=subject.type, id=subject.id)
    return None


def _stand_in(ctx: TenantContext, subject: Subject, handed: Handed) -> str:
    """Who takes a task nobody the rule names can: the record's owner when they can, else the company's owner (a
    follow-up never made is a customer nobody calls back; one made for someone who reads no tasks is the same)."""
    passed = {user for user, _ in handed.passed}
    owner = str(subject.state.get("owner_id") or "")
    if owner and owner not in passed and assignees.unusable(ctx, owner, "tasks") is None:
        return owner
    return assignees.company_owner(ctx)


def _update(ctx: TenantContext, subject: Subject, changes: dict[str, Any]) -> None:
    version = int(subject.state.get("version") or 0)
    try:
        if subject.type == "deal":
            deals_service.update(ctx, str(subject.id), data=DealUpdate(version=version, **changes))
        elif subject.type == "contact":
            contacts_service.update(ctx, str(subject.id), data=ContactUpdate(version=version, **changes))
        else:
            raise Failed(f"a {subject.type or 'subject'} cannot be changed by an automation yet", "not_changeable",
                         entity=subject.type)
    except ValidationError as exc:
        raise Failed(f"invalid value: {exc.errors()[0].get('msg', '')}"[:300], "invalid_value") from exc
    except errors.CRMError as exc:
        if exc.status >= 500:
            raise
        raise _refused(exc) from exc


def assign(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
           subject: Subject) -> Outcome:
    """Give the record to a user, or to the next of a round-robin who can read it; a record nobody named can take
    stays with its owner (the run log says why, and whoever keeps the rule is told once)."""
    handed = _assignee(ctx, rule, action, subject, assignees.plural(str(subject.type)))
    user = handed.user_id
    if user is None:
        skipped, why = handed.passed[0]
        raise Failed(f"kept by its owner: {skipped} cannot take it ({why})", "owner_kept", user_id=skipped,
                     reason=why)
    if subject.state.get("owner_id") == user:
        return Outcome(f"owner {user} already", "owner_already", {"user_id": user})
    _update(ctx, subject, {"owner_id": user})
    if handed.passed:
        skipped, why = handed.passed[0]
        return Outcome(f"owner {user}: {skipped} cannot take it ({why})", "assigned_instead",
                       {"user_id": user, "skipped_user_id": skipped, "reason": why})
    return Outcome(f"owner {user}", "assigned", {"user_id": user})


def move_deal(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
              subject: Subject) -> Outcome:
    """Move the deal (an order's: the deal it belongs to) to a stage (of its pipeline, or of another)."""
    deal = _deal_of(ctx, subject)
    params = {"stage_id": str(action["stage_id"])} | ({"deal_id": str(deal.id)} if deal is not subject else {})
    if deal.state.get("stage_id") == action["stage_id"]:
        return Outcome("in the stage already", "stage_already", params)
    body = DealMove(version=int(deal.state.get("version") or 0), stage_id=action["stage_id"],
                    pipeline_id=action.get("pipeline_id"))
    try:
        deals_service.move(ctx, str(deal.id), body=body)
    except errors.CRMError as exc:
        if exc.status >= 500:
            raise
        raise _refused(exc) from exc
    return Outcome(f"stage {action['stage_id']}", "moved", params)


def _deal_of(ctx: TenantContext, subject: Subject) -> Subject:
    """The deal a move acts on: the subject, or the deal an order belongs to (a paid order wins it, as Kommo's and
    Bitrix24's robots change a deal's stage from its order's event), read as it is now."""
    if subject.type == "deal":
        return subject
    if subject.type != "order":
        raise Failed("only a deal can be moved", "not_a_deal")
    deal_id = subject.state.get("deal_id") or subject.state.get("from_deal_id")
    deal = deals_service.get(ctx, str(deal_id)) if deal_id else None
    if deal is None or deal.deleted_at is not None:
        raise Failed("the order belongs to no deal", "no_deal")
    state = {name: value for name, value in deal.attribute_values.items() if name not in ("pk", "sk")}
    return Subject("deal", str(deal_id), state)


def tag(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
        subject: Subject) -> Outcome:
    """Add and remove tags (contacts)."""
    if subject.type != "contact":
        raise Failed("only contacts carry tags", "not_a_contact")
    tags = list(subject.state.get("tags") or [])
    wanted = [t for t in tags if t not in set(action.get("remove") or [])]
    wanted += [t for t in action.get("add") or [] if t not in wanted]
    if wanted == tags:
        return Outcome("tags as they were", "tags_unchanged")
    _update(ctx, subject, {"tags": wanted})
    return Outcome("tags " + ", ".join(wanted), "tagged", {"tags": wanted})


def set_field(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
              subject: Subject) -> Outcome:
    """Set a field of the record (``custom.<key>`` for a custom field)."""
    name, value = str(action["field"]), action.get("value")
    if name.startswith("custom."):
        key = name.split(".", 1)[1]
        if (subject.state.get("custom") or {}).get(key) == value:
            return Outcome(f"{name} as it was", "field_unchanged", {"field": name})
        _update(ctx, subject, {"custom": {**(subject.state.get("custom") or {}), key: value}})
    else:
        if subject.state.get(name) == value:
            return Outcome(f"{name} as it was", "field_unchanged", {"field": name})
        _update(ctx, subject, {name: value})
    return Outcome(f"{name} set", "field_set", {"field": name})


def notify(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
           subject: Subject) -> Outcome:
    """Notify users (``owner``: the record's owner) with the rule's name or the action's text."""
    told = []
    for user in action.get("users") or []:
        user_id = str(subject.state.get("owner_id") or "") if user == "owner" else str(user)
        made = notifications.notify(ctx, user_id=user_id, type="automation", cause=f"{run.run_id}:{index}:{user_id}",
                                    at=run.created_at, subject_type=subject.type, subject_id=subject.id,
                                    title=action.get("text") or rule.name, actor_id=rule.rule_id)
        if made is not None:
            told.append(user_id)
    if not told:
        return Outcome("nobody new to tell", "nobody_new")
    return Outcome("told " + ", ".join(told), "notified", {"user_ids": told})


def customer_id(subject: Subject) -> str | None:
    """The contact a rule writes to about its record: the contact itself, a deal's first contact, an order's
    contact (a conversation's is the messages' own)."""
    if subject.type == "contact":
        return subject.id
    if subject.type == "deal" and subject.state.get("contact_ids"):
        return str(subject.state["contact_ids"][0])
    if subject.type == "order" and subject.state.get("contact_id"):
        return str(subject.state["contact_id"])
    return None


def customer_of(ctx: TenantContext, subject: Subject) -> str | None:
    """The contact a rule writes to (``customer_id``); for an order of a company alone, the company's contact when
    it has only one (of several, whom to write to would be a guess: the step fails as ``no_contact``)."""
    found = customer_id(subject)
    if found is None and subject.type == "order" and subject.state.get("company_id"):
        from chalicelib.records import links

        people = links.linked_ids(ctx, "company", subject_id=str(subject.state["company_id"]), kind="contact")
        found = people[0] if len(people) == 1 else None
    return found


def _customer(ctx: TenantContext, subject: Subject) -> Any:
    """The contact an e-mail goes to (``customer_of``)."""
    found = customer_of(ctx, subject)
    return contacts_service.get(ctx, found) if found else None


def send_email(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
               subject: Subject) -> Outcome:
    """E-mail the customer (the contact, a deal's first contact, an order's contact) who agreed to hear from the
    company."""
    contact = _customer(ctx, subject)
    if contact is None or not contact.emails:
        raise Failed("no contact with an e-mail address", "no_email")
    if not (contact.consent or {}).get("marketing"):
        raise Failed("the contact has not agreed to e-mails (consent)", "no_consent")  # consent and opt-out respected
    from chalicelib.automations import merge_fields  # it imports this module

    found = merge_fields.values(ctx, run, subject, contact)
    found["name"] = found["name"] or subject.title
    mail.send(to=str(contact.emails[0]["address"]), subject=merge_fields.fill(str(action["subject"]), found)[:200],
              text=merge_fields.fill(str(action["text"]), found))
    return Outcome("e-mailed", "emailed", {"contact_id": str(contact.contact_id)})


def _public_https(url: str) -> bool:
    # Any spelling of an inside address (2130706433, 0x7f.1 are loopback too) and local names are refused here; a
    # name that resolves inside is refused by the send (public_only), which connects only to the address it checked.
    if urlsplit(url).scheme != "https":
        return False
    try:
        transport.check_public_url(url)
    except transport.NotPublicError:
        return False
    return True


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` and the base64 HMAC-SHA256 of ``<id>.<timestamp>.<body>`` under the secret's
    bytes (the base64 after ``whsec_``)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
            subject: Subject) -> Outcome:
    """POST what happened (ids only: the receiver reads the record through the API) to the rule's URL, signed."""
    from chalicelib.automations import service

    url = str(action["url"])
    if not _public_https(url):
        raise Failed("the webhook URL must be https on a public host", "webhook_url")
    secret = service.webhook_secret(ctx, rule)
    if secret is None:
        raise Failed("the rule has no signing secret", "no_secret")
    message_id = f"msg_{run.run_id}_{index}"
    timestamp = int(db.utcnow().timestamp())
    body = json.dumps({"type": run.trigger_type, "timestamp": run.created_at.isoformat(), "data": {
        "automation_id": rule.rule_id, "run_id": run.run_id, "event_id": run.event_id,
        "subject": {"type": subject.type, "id": subject.id} if subject.id else None}}, separators=(",", ":")).encode()
    answer = transport.send(transport.Outbound(
        provider=WEBHOOK_PROVIDER, method="POST", url=url, body=body, secret_headers=("webhook-signature",),
        public_only=True,
        headers={"Content-Type": "application/json", "webhook-id": message_id, "webhook-timestamp": str(timestamp),
                 "webhook-signature": signature(secret, message_id, timestamp, body)}))
    if 200 <= answer.status < 300:
        return Outcome(f"delivered ({answer.status})", "webhook_delivered", {"status": answer.status})
    if answer.status in (408, 429) or answer.status >= 500:
        raise ReceiverError(answer.status)
    raise Failed(f"the receiver answered {answer.status}", "webhook_refused", status=answer.status)


def _sandbox_answer(request: transport.Outbound) -> transport.Answer:
    return transport.Answer(200, b"")


transport.register_sandbox(WEBHOOK_PROVIDER, _sandbox_answer)


def send_message(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
                 subject: Subject) -> Outcome:
    """Write to the customer in a conversation, within its reply window or as a template (``messages``)."""
    from chalicelib.automations import messages  # it imports this module

    return messages.send_message(ctx, rule, run, index, action, subject)

ACTIONS = {"create_task": create_task, "assign": assign, "move_deal": move_deal, "tag": tag, "set_field": set_field,
           "notify": notify, "send_email": send_email, "webhook": webhook, "send_message": send_message}
