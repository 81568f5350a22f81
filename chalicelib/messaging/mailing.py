"""Replies by e-mail: the thread's address, subject and references, sent through SES, then written as a message.

A reply answers the thread's last message (In-Reply-To) and carries its references, so the customer's mail
program threads it; its subject is the thread's as "Re: ..." unless the employee gives one. A new e-mail from a
contact's card needs a subject and starts a thread of its own. The message is written only once SES took it.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.conversations import schemas as s
from chalicelib.conversations.models import Conversation
from chalicelib.core import db, errors
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext
from chalicelib.integrations import service as integrations_service
from chalicelib.messaging import threads
from chalicelib.messaging.events import Sent

_REPLY = re.compile(r"^\s*(re|ответ|aw|sv)\s*:", re.IGNORECASE)


def _invalid(loc: str, kind: str, msg: str) -> errors.ValidationError:
    return errors.ValidationError(msg, code=kind, details=[{"loc": ["body", loc], "msg": msg, "type": kind}])


def reply_subject(subject: str | None) -> str | None:
    """A thread's subject as a reply's ("Re: ..." once)."""
    if not subject:
        return None
    return subject if _REPLY.match(subject) else f"Re: {subject}"


def _author(ctx: TenantContext) -> tuple[str | None, str | None]:
    """The employee's name and address (staff names and addresses are the tenant's own, kept in clear)."""
    from chalicelib.identity import service as identity_service

    user = identity_service.get_user(ctx, ctx.actor_id) if ctx.actor_id else None
    return (str(user.name), str(user.email)) if user is not None else (None, None)


def deliver(ctx: TenantContext, integration: Any, chat_id: str, data: s.MessageCreate,
            conversation: Conversation | None) -> tuple[Sent, threads.Draft]:
    """Send an e-mail in a thread (or a new one to ``chat_id``, an address); nothing is written yet."""
    from chalicelib.messaging.providers import email as provider

    if data.template is not None or data.text is None or not data.text.strip():
        raise _invalid("text", "text_or_template", "An e-mail needs a text (and has no templates)")
    thread = threads.mail_thread_of(ctx, conversation) if conversation is not None else {}
    address = str(thread.get("address") or (chat_id if conversation is None else "") or "")
    if not address:
        raise _invalid("text", "no_address", "This thread has no address to answer")
    subject = data.subject or reply_subject(thread.get("subject"))
    if not subject:
        raise _invalid("subject", "subject_required", "A new e-mail needs a subject")
    now = db.utcnow()
    message_id = threads.message_id_at(now)
    own_id = f"<{message_id}@{settings.inbound_mail_domain}>"
    references = tuple(thread.get("references") or ())
    name, email = _author(ctx)
    credentials = integrations_service.adapter_credentials(ctx, integration)
    outgoing = provider.Outgoing(to=address, to_name=thread.get("name"), subject=subject, text=str(data.text),
                                 message_id=own_id, in_reply_to=thread.get("last_id"), references=references,
                                 author_name=name, author_email=email)
    sent = provider.send(credentials, outgoing, line_name=integration.name)
    chain = list(dict.fromkeys([*references, sent.provider_message_id]))[-20:]
    draft = threads.Draft(direction="out", at=now, text=data.text, kind="email", status=sent.status,
                          author_id=ctx.actor_id, provider_message_id=sent.provider_message_id, subject=subject,
                          sender=name, message_id=message_id, also_known_as=(own_id,),
                          mail_thread={**thread, "address": address, "subject": thread.get("subject") or subject,
                                       "last_id": sent.provider_message_id, "references": chain})
    return sent, draft
