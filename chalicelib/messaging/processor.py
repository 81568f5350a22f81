"""A messenger's delivery becomes a message in its conversation, on the customer's card, in the assignee's inbox.

One processor serves every messenger: its adapter reads the stored raw fields into incoming messages and
delivery statuses. A message finds its conversation by the chat (``ConversationRef``); a new chat finds its
customer by the Telegram deep link's code, else the phone lookup, else becomes a contact named as the channel
names them (and a lead deal when the integration says so), checkpointed on the event like a call's customer.
A new conversation goes to the contact's owner, else round-robin over the integration's responsible users.
A status whose message is not recorded yet is kept (``EarlyStatus``) and applied when the message is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from chalicelib.channels import adapters, parties
from chalicelib.contacts import service as contacts_service
from chalicelib.conversations.models import BindCode, Conversation, NewcomerClaim
from chalicelib.conversations.record import CONVERSATION, SEALED_ENTITY
from chalicelib.core import db, errors, phones
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.inbox import Outcome, Run, register_processor
from chalicelib.integrations import service as integrations_service
from chalicelib.messaging import media, sealing, threads, views
from chalicelib.messaging.events import IncomingMessage, MessagingAdapter, MessengerSettings, StatusUpdate
from chalicelib.records import access, editing, naming
from chalicelib.records import timeline as timeline_service

PROVIDERS = tuple(name for name, module in adapters.PROVIDERS.items() if module.startswith("chalicelib.messaging."))
SMS_LINES = ("twilio",)  # telephony lines whose number also takes SMS (their adapter verifies and parses)
LINE_TYPES = PROVIDERS + SMS_LINES
CLAIM_KEPT = timedelta(days=1)  # a new chat's claim outlives any race; then its lookups or its conversation find it


def bind_pk(ctx: TenantContext) -> str:
    """Partition of the Telegram deep-link codes waiting for their chat."""
    return tenant_key(ctx, "TGBIND")


def adapter_of(integration: Any) -> MessagingAdapter:
    """The messaging adapter of an integration (a Twilio line's messages: its SMS adapter)."""
    if integration.integration_type in SMS_LINES:
        from chalicelib.messaging.providers import twilio_sms

        return twilio_sms.ADAPTER
    found = adapters.find(integration.integration_type)
    if not isinstance(found, MessagingAdapter):
        raise errors.CRMError("No messaging adapter for this integration.", code="no_processor")
    return found


def settings_of(integration: Any) -> MessengerSettings:
    """The messenger settings of an integration (its provider's own fields left aside)."""
    stored = dict(integration.settings or {})
    if "unknown_sender" not in stored and stored.get("unknown_caller"):  # a phone line's choice holds for its SMS
        stored["unknown_sender"] = stored["unknown_caller"]
    return MessengerSettings.model_validate({k: v for k, v in stored.items() if k in MessengerSettings.model_fields})


# -- the customer ---------------------------------------------------------------------------


def _bound_contact(run: Run, code: str | None) -> Any:
    if not code:
        return None
    bound = db.get(run.ctx, BindCode, bind_pk(run.ctx), code)
    if bound is None or bound.integration_id != run.integration.integration_id:
        return None
    if bound.expires_at is not None and bound.expires_at <= db.utcnow():
        return None  # moto never expires TTL items: the expiry is compared
    return contacts_service.get(run.ctx, bound.contact_id)


def claim_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of the contacts new chats made (``NewcomerClaim``), by the chat's blind index."""
    return tenant_key(ctx, "CVCLAIM", integration_id)


def _shown_sender(name: str | None, address: str | None) -> str | None:
    """An e-mail's sender as the inbox shows it, 'Мария <maria@example.com>': its name as written, never the
    RFC 2047 encoded-word formataddr makes of a name outside ASCII (that form is for headers, not people)."""
    if not address:
        return None
    shown = " ".join((name or "").replace("<", "").replace(">", "").split())
    return f"{shown} <{address}>" if shown else address


def _claimed(run: Run, sender_key: str) -> parties.Party | None:
    """The contact another delivery of the same new chat made meanwhile (its claim), or None."""
    claim = db.get(run.ctx, NewcomerClaim, claim_pk(run.ctx, run.integration.integration_id), sender_key)
    contact = contacts_service.get(run.ctx, claim.contact_id) if claim is not None else None
    return parties.of_contact(run.ctx, contact) if contact is not None else None


def _newcomer(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage,
              settings: MessengerSettings) -> parties.Newcomer:
    sender = incoming.sender
    owner_id = integrations_service.responsible_user(run.ctx, run.integration, settings.responsible,
                                                     reads=("conversations", "contacts"))
    # A number the phone library does not know yet (a new range, a reserved one) cannot be a contact's phone; the
    # chat still comes in, with the number in the conversation, rather than failing for good in the inbox.
    phone = sender.phone if sender.phone and phones.e164(sender.phone, None) else None
    if sender.name or not sender.phone:
        name = (sender.name or (f"@{sender.username}" if sender.username else None)
                or (sender.email.split("@", 1)[0] if sender.email else None) or f"{adapter.label} {sender.chat_id}")
        # the parts the channel gives apart (Telegram's first and last names), else as a website form's name box is
        first, last = ((sender.first_name, sender.last_name) if sender.name and sender.first_name
                       else naming.split_name(name))
    else:  # an SMS, or WhatsApp without a profile name: the number as people read it, whole, as a call's caller
        name = first = phones.readable(sender.phone)
        last = None
    messengers = ({"whatsapp": phone} if adapter.channel == "whatsapp" and phone else
                  {"telegram_id": sender.chat_id, **({"telegram_username": sender.username} if sender.username
                                                     else {})} if adapter.channel == "telegram" else {})
    return parties.Newcomer(
        first_name=first, last_name=last or None, phone=phone, email=sender.email, messengers=messengers,
        owner_id=owner_id, source=f"{adapter.channel}:{run.integration.name}",
        deal_title=f"{adapter.label}: {name}" if settings.unknown_sender == "contact_and_deal" else None,
        pipeline_id=settings.pipeline_id, stage_id=settings.stage_id)


def _by_username(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage) -> parties.Party | None:
    """The contact holding a new Telegram chat's username (typed on the website's form, say), or None."""
    if adapter.channel != "telegram" or not incoming.sender.username:
        return None
    contact = contacts_service.find_by_telegram(run.ctx, incoming.sender.username)
    return parties.of_contact(run.ctx, contact) if contact is not None else None


def _customer(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage,
              settings: MessengerSettings) -> parties.Party | None:
    """The contact (or company) a new chat is with: bound by a deep link, found by phone or e-mail, or made.

    A newcomer's contact claims the chat (``NewcomerClaim``) in the transaction that makes it: two first
    messages of one chat processed at once make one contact, the later one taking the contact the first made.
    An automated e-mail (a bounce, an auto-reply, bulk mail) finds a contact but makes none."""
    if incoming.sender_unverified:
        return None  # whoever may claim an address: the contact holding it is not told it wrote, nor one made
    bound = _bound_contact(run, incoming.start_code)
    if bound is not None:
        return parties.of_contact(run.ctx, bound)
    party = parties.find(run, e164=incoming.sender.phone, email=incoming.sender.email) \
        or _by_username(run, adapter, incoming)
    if party is not None or settings.unknown_sender == "ignore" or incoming.automated:
        return party
    ctx, integration_id = run.ctx, run.integration.integration_id
    sender_key = threads.chat_key(ctx, incoming.sender.chat_id)
    party = _claimed(run, sender_key)  # made by a delivery processed meanwhile (found by no lookup: Telegram)
    if party is not None:
        return party
    try:
        return parties.make(run, _newcomer(run, adapter, incoming, settings), claim=lambda contact_id: NewcomerClaim(
            claim_pk(ctx, integration_id), sender_key, contact_id=contact_id, expires_at=db.utcnow() + CLAIM_KEPT))
    except errors.ConflictError:
        party = _claimed(run, sender_key)  # the other delivery won: its contact is this chat's
        if party is None:
            raise
        return party


def _new_conversation(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage,
                      settings: MessengerSettings) -> Conversation:
    ctx, integration = run.ctx, run.integration
    skipped = None
    try:
        party = _customer(run, adapter, incoming, settings)
    except errors.PlanLimitError:
        # The company holds as many contacts as its plan allows: the chat still comes in, named as the channel
        # names its sender, and says why it has no contact (a retry would meet the same limit until an upgrade,
        # and the customer's messages would be missing from the inbox meanwhile). A person adding a contact by hand
        # still meets the 402.
        logger.warning("sender not saved as a contact: plan limit", extra={"channel": adapter.channel})
        party, skipped = None, "plan_limit"
    assignee = party.owner_id if party is not None and party.owner_id else None
    team_id = party.team_id if party is not None and party.owner_id else None
    if assignee is None:
        assignee = integrations_service.responsible_user(ctx, integration, settings.responsible,
                                                         reads=("conversations",))
    conversation_id = new_id()
    conversation = Conversation(
        access.collection_pk(ctx, CONVERSATION, conversation_id), timeline_service.PROFILE_SK,
        conversation_id=conversation_id, channel=adapter.channel, integration_id=integration.integration_id,
        provider_chat_id="", contact_id=party.contact_id if party else None, contact_skipped=skipped,
        deal_id=party.deal_id if party else None, status="open", owner_id=assignee, team_id=team_id,
        sender_unverified=True if incoming.sender_unverified else None,
        referral=dict(incoming.referral) if incoming.referral else None)
    threads.seal_chat(ctx, conversation, incoming.chat)
    conversation.customer_name = sealing.seal(ctx, entity=SEALED_ENTITY, record_id=conversation_id,
                                              field="customer_name", text=_customer_name(run, incoming, party))
    return conversation


def _customer_name(run: Run, incoming: IncomingMessage, party: parties.Party | None) -> str | None:
    """How the inbox names a new conversation's customer: as the channel names them, else (an SMS names nobody) as
    the card names the contact the text joined, else by the number as people read it; the inbox said "Customer"."""
    sender = incoming.sender
    if sender.name or sender.email:
        return sender.name or sender.email
    contact = contacts_service.get(run.ctx, party.contact_id) if party and party.contact_id and not party.made \
        else None
    if contact is not None:
        return naming.record_name(contact) or None
    return phones.readable(sender.phone) if sender.phone else None


def _conversation_of(ctx: TenantContext, integration_id: str,
                     incoming: IncomingMessage) -> tuple[Conversation | None, IncomingMessage]:
    """The conversation a message belongs to: an e-mail's by the messages it answers (ours or the customer's),
    then by its thread's first message; a messenger's by its chat. A reply is placed after what it answers,
    whatever its sender's clock said (a Date header is the sender's, in whole seconds)."""
    for provider_id in incoming.references[:5]:
        known = threads.message_of(ctx, integration_id, provider_id)
        found = access.get_any(ctx, CONVERSATION, known.conversation_id) if known is not None else None
        if known is not None and isinstance(found, Conversation):
            after = known.sent_at + timedelta(milliseconds=1)
            return found, replace(incoming, at=max(incoming.at, after))
    return threads.conversation_of_chat(ctx, integration_id, incoming.chat), incoming


def _follow_mail(ctx: TenantContext, conversation: Conversation, incoming: IncomingMessage) -> None:
    """An e-mail conversation learns where a reply goes and which message it answers."""
    if incoming.sender.email is None and incoming.subject is None:
        return
    thread = threads.mail_thread_of(ctx, conversation)
    references = [*thread.get("references", []), incoming.provider_message_id][-20:]
    threads.set_mail_thread(ctx, conversation, {
        **thread, "address": incoming.sender.email or thread.get("address"),
        "name": incoming.sender.name or thread.get("name"), "subject": incoming.subject or thread.get("subject"),
        "last_id": incoming.provider_message_id, "references": list(dict.fromkeys(references))})


# -- messages -------------------------------------------------------------------------------


def _attachments(incoming: IncomingMessage) -> list[dict[str, Any]]:
    return [{"id": f"a{position}", "kind": found.kind, "provider_media_id": found.provider_media_id,
             "mime": found.mime, "name": (found.name or "")[:200] or None, "size": found.size}
            for position, found in enumerate(incoming.attachments, start=1)]


def _edit(run: Run, message: Any, incoming: IncomingMessage) -> None:
    """An edited message (Telegram): its text replaced, the edit's time noted."""
    if incoming.text is None or threads.text_of(run.ctx, message) == incoming.text:
        return
    after = editing.clone(message)
    after.text = sealing.seal(run.ctx, entity=threads.MESSAGE_ENTITY, record_id=message.message_id, field="text",
                              text=incoming.text)
    after.edited_at = incoming.at
    editing.touch(after)
    db.commit(run.ctx, db.Change().save(after))


def _receive_once(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage,
                  settings: MessengerSettings) -> tuple[Conversation, Any, bool]:
    """Write one incoming message (None when it was written before); answers (conversation, message, new)."""
    ctx, integration = run.ctx, run.integration
    known = threads.message_of(ctx, integration.integration_id, incoming.provider_message_id)
    if known is not None:  # a repeat, a replay, or an edit of a message we have (only an edit changes it)
        if incoming.edited:
            _edit(run, known, incoming)
        return access.get_any(ctx, CONVERSATION, known.conversation_id), known, False
    current, incoming = _conversation_of(ctx, integration.integration_id, incoming)
    change = db.Change()
    if current is None:
        before: Conversation | None = None
        after = _new_conversation(run, adapter, incoming, settings)
        threads.claim_chat(ctx, change, after)
    else:
        before, after = current, editing.clone(current)
        bound = _bound_contact(run, incoming.start_code)
        if bound is not None and bound.contact_id != after.contact_id:
            after.contact_id = str(bound.contact_id)
    draft = threads.Draft(direction="in", at=incoming.at, text=incoming.text, kind=incoming.kind,
                          attachments=_attachments(incoming), provider_message_id=incoming.provider_message_id,
                          subject=incoming.subject, quoted=incoming.quoted,
                          sender=_shown_sender(incoming.sender.name, incoming.sender.email),
                          files_removed=incoming.files_removed)
    if adapter.channel == "email":
        _follow_mail(ctx, after, incoming)
    message = threads.new_message(ctx, after, draft)
    threads.set_preview(ctx, after, draft)
    if after.last_inbound_at is None or incoming.at > after.last_inbound_at:
        after.last_inbound_at = incoming.at  # the reply window runs from the message's own time
    after.unread_count = int(after.unread_count or 0) + 1
    after.status = "open"
    after.awaiting_since = after.awaiting_since or incoming.at
    counters = {"inbound": 1, "conversations": 1 if before is None else 0}
    threads.write(ctx, before, after, message, counters=counters,
                  claim=(integration.integration_id, incoming.provider_message_id), change=change)
    return after, message, True


def receive(run: Run, adapter: MessagingAdapter, incoming: IncomingMessage, settings: MessengerSettings) -> str:
    """Write an incoming message, keep its files, tell its assignee; answers the conversation's id."""
    conversation, message, new = threads.retrying(lambda: _receive_once(run, adapter, incoming, settings))
    run.progress["conversation_id"] = conversation.conversation_id
    if message.attachments and any(not a.get("key") for a in message.attachments):
        credentials = integrations_service.adapter_credentials(run.ctx, run.integration)
        message = media.fetch_missing(run.ctx, adapter, credentials, message)  # a failure retries the event
    if new:
        views.notify_message(run.ctx, conversation.owner_id, conversation, views.message(run.ctx, message))
    if conversation.contact_id and incoming.text:  # "STOP", "ОТПИСАТЬСЯ": the channel's campaigns stop for them
        from chalicelib.campaigns import consent

        consent.by_keyword(run.ctx, str(conversation.contact_id), adapter.channel, incoming.text, at=incoming.at)
    return conversation.conversation_id


def status(run: Run, update: StatusUpdate) -> str | None:
    """Apply a delivery status to our message, or keep it until the message is recorded."""
    ctx, integration_id = run.ctx, run.integration.integration_id
    message = threads.message_of(ctx, integration_id, update.provider_message_id)
    if message is None:
        if _campaign_status(run, update):
            return None
        threads.keep_early(ctx, integration_id, update.provider_message_id, update.status, update.at,
                           dict(update.error) if update.error else None)
        message = threads.message_of(ctx, integration_id, update.provider_message_id)  # recorded meanwhile?
        if message is None:
            # A campaign's send recorded meanwhile has read the early statuses already, or reads this one; asking
            # again after keeping it closes the gap between the two (#24).
            _campaign_status(run, update)
            return None
        message = threads.apply_early(ctx, integration_id, message)
    else:
        message = threads.retrying(lambda: _status_once(ctx, integration_id, update))
    if message is None:
        return None
    conversation = access.get_any(ctx, CONVERSATION, message.conversation_id)
    if isinstance(conversation, Conversation):
        views.notify(ctx, [conversation.owner_id, message.author_id], {
            "type": "conversation.status", "conversation_id": conversation.conversation_id,
            "message_id": message.message_id, "status": message.status, "error": message.error})
    return message.message_id


def _campaign_status(run: Run, update: StatusUpdate) -> bool:
    """A status of a campaign's message (no conversation holds those) goes to its campaign (#24)."""
    from chalicelib.campaigns import statuses as campaign_statuses

    campaign_id = campaign_statuses.from_line(run.ctx, provider_message_id=update.provider_message_id,
                                              status=update.status, at=update.at, error=update.error)
    if campaign_id is not None:
        run.progress["campaign_id"] = campaign_id
    return campaign_id is not None


def _status_once(ctx: TenantContext, integration_id: str, update: StatusUpdate) -> Any:
    message = threads.message_of(ctx, integration_id, update.provider_message_id)
    if message is None:
        return None
    return threads.apply_status(ctx, message, update.status, dict(update.error) if update.error else None) or message


# -- the processor --------------------------------------------------------------------------


def process_message_event(run: Run) -> Outcome:
    """Turn the messages and statuses of one stored messenger delivery into conversation messages."""
    if run.integration is None or run.integration.status == "deleted":
        return Outcome("ignored", {"reason": "integration_gone"})
    adapter = adapter_of(run.integration)
    settings = settings_of(run.integration)
    try:
        events = adapter.message_events(run.fields)
    except (PydanticValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise errors.ValidationError("The stored event is not a message this provider sends.",
                                     code="invalid_event") from exc
    if not events:
        return Outcome("ignored", {"reason": "not_a_message"})
    details: dict[str, Any] = {}
    for event in events:
        if isinstance(event, IncomingMessage):
            details["conversation_id"] = receive(run, adapter, event, settings)
        else:
            found = status(run, event)
            details.update({"message_id": found} if found else {"campaign_id": run.progress["campaign_id"]}
                           if "campaign_id" in run.progress else {"deferred": event.status})
    if "contact_id" in run.progress:
        details["contact_id"] = run.progress["contact_id"]
    return Outcome("processed", details)


for _provider in PROVIDERS:
    register_processor(_provider, process_message_event)
