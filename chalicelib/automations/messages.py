"""Automations and conversations (#17): the ``message.received`` trigger and the ``send_message`` action.

A customer's message is written with its conversation's audit record, which names ``last_inbound_at`` (the
message's own time): a conversation event that moves it is a message received. The message itself is found in
the conversation's collection by that time (its id is a ULID of it: one Query) and its text opened for the
trigger's ``text_contains``; nothing of it is kept. The run's subject is the conversation's contact (so
conditions read the contact's fields), else the conversation.

``send_message`` writes to the record's contact (a deal's first contact, an order's contact, else its company's only
contact; a conversation itself) through its latest conversation, or the latest on a channel, or on a given line
(starting one there when there is none).
Free text goes out only inside the channel's reply window (WhatsApp's 24 hours); outside it the action's
template does (the text and the template's parameters with their merge fields filled: ``merge_fields``), and
without one the step fails, recorded in the run log. The message is written as the rule
(author and audit actor), so the conversation's event carries the run's depth: rules answering each other stop
at the loop bound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.automations import merge_fields
from chalicelib.automations.actions import Failed, Outcome, Subject, customer_of
from chalicelib.automations.engine import Happening
from chalicelib.automations.models import Automation, AutomationRun
from chalicelib.campaigns import consent
from chalicelib.contacts import service as contacts_service
from chalicelib.conversations.models import Conversation, Message
from chalicelib.conversations.schemas import ConversationListQuery, ConversationStart, MessageCreate, TemplateIn
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext
from chalicelib.events.feed import DomainEvent
from chalicelib.integrations import service as integrations_service
from chalicelib.messaging import processor, threads, views
from chalicelib.messaging import service as messaging

TRIGGER = "message.received"
ULID_TIME = 10  # the leading characters of a ULID that hold its millisecond


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _inbound(ctx: TenantContext, conversation: Conversation, at: datetime) -> Message | None:
    """The customer's message of that moment in the conversation (one Query of its millisecond)."""
    prefix = threads.message_sk(threads.message_id_at(at)[:ULID_TIME])
    with db.translate_errors():
        found = [item for item in Message.query(conversation.pk, Message.sk.startswith(prefix))
                 if isinstance(item, Message) and item.direction == "in"]
    return found[-1] if found else None


def received(ctx: TenantContext, event: DomainEvent) -> list[Happening]:
    """A customer's message written on a conversation, as a trigger sees it (channel, text, first)."""
    at = _moment(event.after("last_inbound_at"))
    if event.entity != "conversation" or at is None or not (event.item_pk and event.item_sk):
        return []
    conversation = db.get(ctx, Conversation, event.item_pk, event.item_sk)
    if conversation is None:
        return []
    message = _inbound(ctx, conversation, at)
    text = threads.text_of(ctx, message) if message is not None else None
    facts = {"channel": conversation.channel, "text": text or "", "first": event.created,
             "conversation_id": conversation.conversation_id}
    subject = ("contact", conversation.contact_id) if conversation.contact_id \
        else ("conversation", conversation.conversation_id)
    return [Happening(TRIGGER, facts, *subject)]


def matches(trigger: dict[str, Any], facts: dict[str, Any]) -> bool:
    """The trigger's channel, words and first-message choice against a received message."""
    if trigger.get("channel", "any") not in ("any", facts["channel"]):
        return False
    if trigger.get("first_only") and not facts["first"]:
        return False
    words = str(trigger.get("text_contains") or "").strip().casefold()
    return not words or words in str(facts["text"]).casefold()


# -- the action ---------------------------------------------------------------------------------


def _contact_id(ctx: TenantContext, subject: Subject) -> str | None:
    if subject.type == "conversation":
        return subject.state.get("contact_id")
    return customer_of(ctx, subject)


def _latest(ctx: TenantContext, contact_id: str, action: dict[str, Any]) -> dict[str, Any] | None:
    """The contact's conversation the message goes to: the newest (on the channel or line asked for)."""
    query = ConversationListQuery(contact_id=contact_id, channel=action.get("channel"), limit=20)
    line = action.get("integration_id")
    page = messaging.list_conversations(ctx, query)
    return next((found for found in page.items if line in (None, found["integration_id"])), None)


def _message(action: dict[str, Any], window_open: bool, found: dict[str, str]) -> MessageCreate:
    template = action.get("template")
    if window_open and action.get("text"):
        return MessageCreate(text=merge_fields.fill(str(action["text"]), found)[:4096])
    if template:
        parameters = [merge_fields.fill(str(p), found)[:1024] or "-" for p in template.get("parameters") or []]
        return MessageCreate(template=TemplateIn(**{**template, "parameters": parameters}))
    raise Failed("outside the channel's reply window (24 hours on WhatsApp) and no template to send", "outside_window")


def _merged(ctx: TenantContext, run: AutomationRun, subject: Subject, action: dict[str, Any],
            contact_id: str | None) -> dict[str, str]:
    """The merge fields' values, read only when the action's texts have a field (a plain answer reads nothing)."""
    texts = [str(action.get("text") or ""), *(str(p) for p in (action.get("template") or {}).get("parameters") or [])]
    if not any("{" in text for text in texts):
        return {}
    contact = contacts_service.get(ctx, contact_id) if contact_id else None
    return merge_fields.values(ctx, run, subject, contact)


def _refuse_withdrawn(ctx: TenantContext, contact_id: str | None, channel: str) -> None:
    """A customer whose consent to the channel was withdrawn (on the card, by a STOP, through a campaign's link) gets
    no rule's message there, a reminder included: a colleague may still answer them, a rule does not write unasked."""
    found = consent.get(ctx, contact_id) if contact_id else None
    state = ((found.channels or {}) if found is not None else {}).get(channel)
    if isinstance(state, dict) and state.get("status") == "withdrawn":
        raise Failed("the contact withdrew their consent to messages on that channel", "consent_withdrawn")


def send_message(ctx: TenantContext, rule: Automation, run: AutomationRun, index: int, action: dict[str, Any],
                 subject: Subject) -> Outcome:
    """Write to the record's contact in its latest conversation (or on a channel or line), within the reply
    window or as the action's template."""
    contact_id = _contact_id(ctx, subject)
    conversation_id = subject.id if subject.type == "conversation" and not action.get("integration_id") else None
    if conversation_id is None:
        if contact_id is None:
            raise Failed("no contact to write to", "no_contact")
        found = _latest(ctx, contact_id, action)
        conversation_id = str(found["id"]) if found is not None else None
    if conversation_id is None:
        if not action.get("integration_id"):
            raise Failed("the contact has no conversation on that channel yet", "no_conversation")
        line = integrations_service.get(ctx, str(action["integration_id"]))
        if line is not None and line.integration_type in processor.LINE_TYPES:  # else start() says what is wrong
            _refuse_withdrawn(ctx, contact_id, processor.adapter_of(line).channel)
        data = _message(action, not action.get("template"),  # a template when there is one
                        _merged(ctx, run, subject, action, contact_id))
        started = messaging.start(ctx, ConversationStart(contact_id=str(contact_id),
                                                         integration_id=str(action["integration_id"]),
                                                         **data.model_dump(exclude_none=True)))
        return Outcome(f"sent in a new conversation {started['id']}",
                       "conversation_started", {"conversation_id": str(started["id"])})
    conversation = messaging.get_conversation(ctx, conversation_id, action="update")
    _refuse_withdrawn(ctx, contact_id or conversation.contact_id, conversation.channel)
    integration = integrations_service.get(ctx, conversation.integration_id)
    reply_window = processor.adapter_of(integration).reply_window if integration is not None else None
    data = _message(action, bool(views.window(conversation, reply_window)["open"]),
                    _merged(ctx, run, subject, action, contact_id or conversation.contact_id))
    messaging.reply(ctx, conversation_id, data)
    return Outcome(f"sent {'a template' if data.template else 'a message'} in conversation {conversation_id}",
                   "template_sent" if data.template else "message_sent", {"conversation_id": conversation_id})
