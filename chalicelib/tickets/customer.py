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


def _hidden(ctx: TenantContext) -> set[str]:
    """The contact fields the caller may not read ("name" when the name is made of one)."""
    contact = types.find("contact")
    if contact is None:
        return set()
    hidden = set(fieldaccess.hidden(ctx, contact))
    if fieldaccess.name_hidden(ctx, contact):
        hidden.add("name")
    return hidden


def _first(values: Any, key: str) -> str | None:
    """The first value of a contact's list field (phones' numbers, e-mails' addresses)."""
    for value in values or ():
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key]:
            return str(value[key])
    return None


def _contact(ctx: TenantContext, contact: Any, contact_id: str, hidden: set[str]) -> dict[str, Any]:
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


def _reach(ctx: TenantContext, conversation: Any, hidden: set[str]) -> dict[str, Any]:
    from chalicelib.messaging import threads

    rtype = types.find("conversation")
    shown = HANDLE_FIELD.get(conversation.channel, "name") not in hidden
    name = threads.preview_of(ctx, conversation, conversation.conversation_id)[1] if "name" not in hidden else None
    return {"channel": conversation.channel, "handle": _handle(ctx, conversation) if shown else None, "name": name,
            "readable": rtype is not None and access.may_read(ctx, rtype, conversation),
            "answerable": rtype is not None and access.may_act(ctx, rtype, conversation, "update")}


def _call(ctx: TenantContext, call: Any, hidden: set[str]) -> dict[str, Any]:
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


def names(ctx: TenantContext, contact_ids: Iterable[str | None]) -> dict[str, str]:
    """What the customers of a page of the queue are called, by contact id: one BatchGetItem of the page's distinct
    contacts per 100 (a page of 50, the web app's, is one), read now rather than copied onto the tickets' rows, so a
    renamed contact shows its new name and a purged one none (a name kept on a row would be a sealed copy to rewrite
    on every rename and to reach on every erasure). Named for whoever may read the tickets, as the card names them,
    the contacts scope aside; a contact in the trash, gone, or whose name is made of a field the caller may not read
    goes unnamed."""
    rtype = types.find("contact")
    wanted = {contact_id for contact_id in contact_ids if contact_id and is_valid_id(contact_id)}
    if rtype is None or not wanted or "name" in _hidden(ctx):
        return {}
    keys = {(access.collection_pk(ctx, rtype, contact_id), PROFILE_SK): contact_id for contact_id in sorted(wanted)}
    batches = [list(keys)[start:start + naming.MAX_NAMED] for start in range(0, len(keys), naming.MAX_NAMED)]
    named: dict[str, str] = {}
    for batch in batches:
        for key, contact in db.get_many(ctx, batch).items():
            live = isinstance(contact, rtype.model) and contact.deleted_at is None
            name = naming.record_name(contact) if live else None
            if key in keys and name:
                named[keys[key]] = name
    return named
