"""Request and response schemas of automations: a trigger, conditions on the record's fields, and actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AnyHttpUrl, BaseModel, Field

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Entity = Literal["contact", "company", "deal", "task", "order"]
FieldName = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
Scalar = str | int | float | bool | None


# -- triggers ---------------------------------------------------------------------------------


class RecordCreated(Schema):
    type: Literal["record.created"]
    entity: Entity


class RecordUpdated(Schema):
    type: Literal["record.updated"]
    entity: Entity
    fields: list[FieldName] = Field(default_factory=list, max_length=20,
                                    description="Only when one of these changed (any change when empty)")


class StageEntered(Schema):
    type: Literal["deal.stage_entered"]
    pipeline_id: Id
    stage_id: Id


class StageLeft(Schema):
    type: Literal["deal.stage_left"]
    pipeline_id: Id
    stage_id: Id


class DealWon(Schema):
    type: Literal["deal.won"]
    pipeline_id: Id | None = None


class DealLost(Schema):
    type: Literal["deal.lost"]
    pipeline_id: Id | None = None


class LeadReceived(Schema):
    type: Literal["lead.received"]
    channel: Literal["any", "form", "call"] = "any"


class CallMissed(Schema):
    type: Literal["call.missed"]


class TaskOverdue(Schema):
    type: Literal["task.overdue"]
    minutes: int = Field(default=0, ge=0, le=525_600, description="Overdue by this many minutes (0: when due)")


class TaskDueSoon(Schema):
    type: Literal["task.due_soon"]
    minutes_before: int = Field(ge=1, le=43_200, description=(
        "This many minutes before the task's due time (1440: a day, 120: two hours), once per due time; a task "
        "made or moved later than that runs it at once if it is not yet due. The run's record is the contact the "
        "task is about (a deal's first contact), so send_message writes to the client"))
    task_kinds: list[Literal["call", "meeting", "email", "todo"]] | None = Field(
        default=None, min_length=1, description="Only tasks of these kinds (an appointment, not the call-back a lead "
        "makes for the manager); every kind when left out")


class DealIdle(Schema):
    type: Literal["deal.idle"]
    days: int = Field(ge=1, le=365, description="An open deal nobody changed for this many days")
    pipeline_id: Id | None = None


class OrderStatusChanged(Schema):
    type: Literal["order.status_changed"]
    status: Literal["confirmed", "partially_paid", "paid", "shipped", "delivered", "cancelled", "returned"] | None = \
        Field(default=None, description="Only when the order enters this status (any when left out) (#23)")


class OrderPaid(Schema):
    type: Literal["order.paid"]


class DateReached(Schema):
    type: Literal["date.reached"]
    entity: Literal["contact", "deal"] = "contact"
    field: FieldName = Field(description="birthday, expected_close_on or custom.<key> (an ISO date)")
    offset_days: int = Field(default=0, ge=-365, le=365, description="Days after the date (before, if negative)")
    at: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = Field(
        default="10:00", description="Time of day in the company's time zone")
    yearly: bool = Field(default=False, description="Every year on the date's day and month (a birthday)")


class MessageReceived(Schema):
    type: Literal["message.received"]
    channel: Literal["any", "whatsapp", "telegram", "email", "sms"] = "any"
    text_contains: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="Only a message holding these words (any case)")
    first_only: bool = Field(default=False, description="Only the message that starts a conversation")


class TicketSlaBreached(Schema):
    type: Literal["ticket.sla_breached"]
    target: Literal["any", "first_response", "resolution"] = Field(
        default="any", description="Which SLA target was missed (#24)")


Trigger = Annotated[RecordCreated | RecordUpdated | StageEntered | StageLeft | DealWon | DealLost | LeadReceived
                    | CallMissed | MessageReceived | TaskOverdue | TaskDueSoon | DealIdle | DateReached
                    | TicketSlaBreached | OrderStatusChanged
                    | OrderPaid,
                    Field(discriminator="type")]


class Condition(Schema):
    field: FieldName = Field(description="A field of the record: title, amount_minor, source, tags, owner_id, "
                                         "stage_id, custom.<key> ...")
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "contains", "in", "empty", "not_empty"]
    value: Scalar | list[Scalar] = None


# -- actions ----------------------------------------------------------------------------------


class CreateTask(Schema):
    type: Literal["create_task"]
    title: Text = Field(description="{title} is replaced by the record's title or name")
    due_in_minutes: int = Field(default=60, ge=0, le=525_600)
    assignee: Literal["owner", "round_robin"] | Id = "owner"
    users: list[Id] = Field(default_factory=list, max_length=50, description="round_robin takes turns among them")


class Assign(Schema):
    type: Literal["assign"]
    assignee: Literal["round_robin"] | Id
    users: list[Id] = Field(default_factory=list, max_length=50, description="round_robin takes turns among them")


class MoveDeal(Schema):
    type: Literal["move_deal"]
    stage_id: Id
    pipeline_id: Id | None = None


class TagRecord(Schema):
    type: Literal["tag"]
    add: list[Tag] = Field(default_factory=list, max_length=10)
    remove: list[Tag] = Field(default_factory=list, max_length=10)


class SetField(Schema):
    type: Literal["set_field"]
    field: FieldName
    value: Scalar


class Notify(Schema):
    type: Literal["notify"]
    users: list[Literal["owner"] | Id] = Field(min_length=1, max_length=20)
    text: Annotated[str, Field(max_length=200)] | None = None


class SendEmail(Schema):
    type: Literal["send_email"]
    subject: Text = Field(description="{title}: the record's name")
    text: Annotated[str, Field(min_length=1, max_length=5000)] = Field(description="{title}: the record's name")


class TemplateRef(Schema):
    name: Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")]
    language: Annotated[str, Field(min_length=2, max_length=15, pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")]
    parameters: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=list, max_length=20, description="The body's parameters in order, with the text's merge fields")


class SendMessage(Schema):
    type: Literal["send_message"]
    text: Annotated[str, Field(min_length=1, max_length=4096)] | None = Field(
        default=None, description="Free text, inside the channel's reply window. Merge fields: {first_name}, "
        "{last_name}, {name} (the contact), {title} (the record's name); on a task's trigger also {task}, {date}, "
        "{time}, {when} (its due time on the company's clock and in its language) and {assignee}; any other {...} "
        "is refused (422 unknown_merge_field)")
    template: TemplateRef | None = Field(
        default=None, description="An approved WhatsApp template: what goes out outside the 24-hour window")
    channel: Literal["whatsapp", "telegram", "email", "sms"] | None = Field(
        default=None, description="The contact's latest conversation on this channel (any when left out)")
    integration_id: Id | None = Field(default=None, description="This line (a conversation is started if none)")


class Webhook(Schema):
    type: Literal["webhook"]
    url: AnyHttpUrl = Field(description="https; signed per the Standard Webhooks specification")


Action = Annotated[CreateTask | Assign | MoveDeal | TagRecord | SetField | Notify | SendEmail | SendMessage | Webhook,
                   Field(discriminator="type")]


class AutomationCreate(Schema):
    name: Text
    enabled: bool = True
    trigger: Trigger
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    actions: list[Action] = Field(min_length=1, max_length=10)


class AutomationUpdate(Schema):
    version: int
    name: Text | None = None
    enabled: bool | None = None
    trigger: Trigger | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=10)
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=10)

    not_null: ClassVar[frozenset[str]] = frozenset({"name", "enabled", "trigger", "conditions", "actions"})


class RuleProblem(BaseModel):
    action: int = Field(description="The action's index in the rule")
    place: list[str | int] = Field(description="Where in the action: [\"assignee\"] or [\"users\", <index>]")
    user_id: str
    user_name: str | None = Field(default=None, description="Their name or e-mail (none when they are gone)")
    code: str = Field(description="cannot_read_<tasks|deals|contacts|...> (their role reads not what the action "
                                  "hands over), user_not_active (deactivated, or invited and not joined), "
                                  "unknown_user")


class AutomationRead(BaseModel):
    id: str
    name: str
    enabled: bool
    trigger: dict[str, Any]
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    webhook_secret: str | None = Field(default=None, description="Shown once, when a rule with a webhook is made")
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
    problems: list[RuleProblem] = Field(default_factory=list, description=(
        "Colleagues the rule hands work to who cannot take it now (their role changed, they left): at run time a "
        "round-robin skips them, a task goes to the record's owner (else the company's owner) and a record keeps "
        "its owner; fix the rule by picking someone else"))


class AutomationPage(BaseModel):
    items: list[AutomationRead]
    next_cursor: str | None = None


class ListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class RunStep(BaseModel):
    type: str
    status: str
    attempts: int
    detail: str | None = Field(default=None, description="What happened, in English (the audit's words)")
    code: str | None = Field(default=None, description="What happened, as a stable code (task_created, "
                             "message_sent, template_sent, emailed, webhook_delivered, no_contact, no_consent, "
                             "outside_window, interrupted, ...): none on runs stored before it, and while pending")
    params: dict[str, Any] | None = Field(default=None, description="The code's ids and numbers (task_id, "
                                          "conversation_id, stage_id, user_id, status ...)")


class RunRead(BaseModel):
    id: str
    event_id: str
    trigger_type: str
    subject: dict[str, str] | None
    task_id: str | None = Field(default=None, description="The task a task.due_soon run reminds of (its subject "
                                "is the task's contact, or the task when it is about none)")
    depth: int
    status: str
    steps: list[RunStep]
    created_at: datetime
    updated_at: datetime


class RunPage(BaseModel):
    items: list[RunRead]
    next_cursor: str | None = None
