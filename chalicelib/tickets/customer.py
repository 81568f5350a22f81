"""Who a ticket's customer is, for whoever may read the ticket: the contact's name, first phone and first e-mail, and
the conversation's channel and handle the ticket came through, or the number of the call it was made of (as Zendesk
and Freshdesk show the requester to whoever handles a ticket), even when the contact itself is outside the caller's
contacts scope. Its card stays theirs to open or not (``readable``); field rules still apply: a role that may not
read contacts' names, phones or e-mails does not get them here either, nor a handle that is one. The queue names each
row's customer the same way (``names``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access, naming, types
from chalicelib.records.fieldaccess import service as fieldaccess
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.tickets.models import Ticket

# The contact field a conversation's handle is, by channel (hidden from a role with that field hidden); a
# Telegram chat is named by what the customer called themselves there, so it goes with the name.
HANDLE_FIELD = {"whatsapp": "phones", "sms": "phones", "email": "emails", "telegram": "name"}


def _hidden(ctx: TenantContext) -> frozenset[str]:
    """The contact fields the caller may not read ("name" when the name is made of one)."""
    from chalicelib.messaging import views

    return views.hidden_contact_fields(ctx)


def _first(values: Any, key: str) -> str | None:
    """The first value of a contact's list field (phones' numbers, e-mails' addresses)."""
    for value in values or ():
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key]:
            return str(value[key])
    return None


def _contact(ctx: TenantContext, contact: Any, contact_id: str, hidden: frozenset[str]) -> dict[str, Any]:
    live = contact is not None and contact.deleted_at is None
    rtype = types.find("contact")
    return {"id": contact_id,
            "name": naming.record_name(contact) if live and "name" not in hidden else None,
            "phone": _first(contact.phones, "number") if live and "phones" not in hidden else None,
            "email": _first(contact.emails, "address") if live and "emails" not in hidden else None,
            "readable": bool(live and rtype is not None and access.may_read(ctx, rtype, contact))}


def _handle(ctx: TenantContext, conversation: Any) -> str | None:
    """How the channel reaches the customer: a WhatsApp or SMS number, an e-mail address, a Telegram name."""
    from chalicelib.messaging import threads

    if conversation.channel in ("whatsapp", "sms"):
        chat = threads.chat_of(ctx, conversation)
        return f"+{chat}" if chat.isdigit() else chat  # a WhatsApp chat id is the number without its "+"
    if conversation.channel == "email":
        address = threads.mail_thread_of(ctx, conversation).get("address")
        return str(address) if address else None
    return threads.preview_of(ctx, conversation, conversation.conversation_id)[1]


def _channel_name(ctx: TenantContext, conversation: Any, hidden: frozenset[str]) -> str | None:
    """How the channel names the customer (the inbox's name of the conversation), unless field rules hide it."""
    from chalicelib.messaging import threads, views

    return views.shown_name(threads.preview_of(ctx, conversation, conversation.conversation_id)[1], hidden)


def _reach(ctx: TenantContext, conversation: Any, hidden: frozenset[str]) -> dict[str, Any]:
    rtype = types.find("conversation")
    shown = HANDLE_FIELD.get(conversation.channel, "name") not in hidden
    name = _channel_name(ctx, conversation, hidden)
    return {"channel": conversation.channel, "handle": _handle(ctx, conversation) if shown else None, "name": name,
            "readable": rtype is not None and access.may_read(ctx, rtype, conversation),
            "answerable": rtype is not None and access.may_act(ctx, rtype, conversation, "update")}


def _call(ctx: TenantContext, call: Any, hidden: frozenset[str]) -> dict[str, Any]:
    """A ticket made of a call reaches the customer at the number they called from or were called on (hidden with
    the contacts' phones, or the calls' numbers)."""
    rtype = types.find("call")
    numbers_hidden = rtype is not None and bool(fieldaccess.hidden(ctx, rtype) & {"from_number", "to_number"})
    shown = "phones" not in hidden and not numbers_hidden
    return {"channel": "phone", "handle": call.customer_number if shown else None, "name": None,
            "readable": rtype is not None and access.may_read(ctx, rtype, call), "answerable": False}


def of(ctx: TenantContext, ticket: Ticket) -> dict[str, Any]:
    """The ticket's ``contact`` and ``reached_via`` (each None without one) and ``contact_name``: one BatchGetItem of
    its contact and its conversation or call, read without their scope (the caller may read the ticket)."""
    wanted: dict[str, tuple[str, str]] = {}
    for type_name, record_id in (("contact", ticket.contact_id), ("conversation", ticket.conversation_id),
                                 ("call", ticket.call_id)):
        rtype = types.find(type_name)
        if rtype is not None and record_id and is_valid_id(record_id):
            wanted[type_name] = (access.collection_pk(ctx, rtype, record_id), PROFILE_SK)
    found = db.get_many(ctx, list(wanted.values())) if wanted else {}
    items: dict[str, Any] = {}
    for type_name, key in wanted.items():
        rtype = types.find(type_name)
        item = found.get(key)
        items[type_name] = item if rtype is not None and isinstance(item, rtype.model) else None
    hidden = _hidden(ctx)
    contact = _contact(ctx, items.get("contact"), str(ticket.contact_id), hidden) if ticket.contact_id else None
    conversation = items.get("conversation")
    call = items.get("call")
    reach = _reach(ctx, conversation, hidden) if conversation is not None and conversation.deleted_at is None \
        else _call(ctx, call, hidden) if call is not None and call.deleted_at is None else None
    return {"contact": contact, "reached_via": reach,
            "contact_name": (contact or {}).get("name") or (reach or {}).get("name")}


def names(ctx: TenantContext, contact_ids: Iterable[str | None],
          conversation_ids: Iterable[str | None] = ()) -> dict[str, str]:
    """What the customers of a page of the queue are called, by contact id, and by conversation id for a ticket made
    of a conversation with no contact (a Telegram or WhatsApp customer not saved as a contact: the conversation's
    name for them, as the inbox shows it): one BatchGetItem of the page's distinct contacts and conversations per
    100 (a page of 50, the web app's, is one), read now rather than copied onto the tickets' rows, so a renamed
    contact shows its new name and a purged one none (a name kept on a row would be a sealed copy to rewrite on every
    rename and to reach on every erasure). Named for whoever may read the tickets, as the card names them, the
    contacts' and conversations' scopes aside; a contact in the trash, gone, or whose name is made of a field the
    caller may not read goes unnamed, and so does a conversation's name then, or one that is a number or an address
    the caller's role may not read."""
    keys: dict[tuple[str, str], tuple[Any, str]] = {}
    for type_name, record_ids in (("contact", contact_ids), ("conversation", conversation_ids)):
        rtype = types.find(type_name)
        if rtype is None:
            continue
        for record_id in sorted({r for r in record_ids if r and is_valid_id(r)}):
            keys[(access.collection_pk(ctx, rtype, record_id), PROFILE_SK)] = (rtype, record_id)
    hidden = _hidden(ctx) if keys else frozenset()
    if not keys or "name" in hidden:
        return {}
    batches = [list(keys)[start:start + naming.MAX_NAMED] for start in range(0, len(keys), naming.MAX_NAMED)]
    named: dict[str, str] = {}
    for batch in batches:
        for key, item in db.get_many(ctx, batch).items():
            rtype, record_id = keys.get(key, (None, ""))
            if rtype is None or not isinstance(item, rtype.model) or item.deleted_at is not None:
                continue
            name = naming.record_name(item) if rtype.name == "contact" else _channel_name(ctx, item, hidden)
            if name:
                named[record_id] = name
    return named
