"""Conversation items.

- A conversation: ``T#<tid>#CV#<conversation id>`` / ``#PROFILE`` (a record of the engine: list rows under
  ``T#<tid>#CVX#...``: ALL, OWNER#<assignee>, TEAM#<team>, CF#channel|status|unread|contact#<value>; the rows'
  gsi2 sorts by the last message, so the inbox is one Query, newest conversation first).
- Its messages in its own collection: ``MSG#<message id>`` (ULIDs minted from the message's own time, so a
  forward Query of ``MSG#`` reads the thread in order and a backward one its newest page).
- :class:`ConversationRef`: ``T#<tid>#CVREF#<integration id>`` / ``<blind index of the chat id>`` -> the conversation,
  claimed with it, so two messages of one new chat processed at once make one conversation.
- :class:`MessageRef`: ``T#<tid>#MSGREF#<integration id>`` / ``<blind index of the provider's message id>`` -> the
  message, claimed
  with it: a repeated, reordered or replayed delivery never makes a second message.
- :class:`EarlyStatus`: ``T#<tid>#MSGEARLY#<integration id>`` / ``<its blind index>#<status>``: a delivery
  status that came before its message was recorded, applied when the message is.
- :class:`ConversationStats`: ``T#<tid>#CONVSTATS`` / ``<yyyy-mm-dd>#<user or ->#<channel>``: counters added in
  the transaction of each message (inbound, outbound, new conversations, first responses and their time).
- :class:`BindCode`: ``T#<tid>#TGBIND`` / ``<code>``: a Telegram deep-link code that binds a chat to a contact.
- :class:`NewcomerClaim`: ``T#<tid>#CVCLAIM#<integration id>`` / ``<blind index of the chat id>``: the contact a new
  chat made, claimed in the transaction that makes it, so two first messages of one chat processed at once make
  one contact (the loser's transaction fails and it takes the winner's contact).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem
from chalicelib.records.models import ListRow, Record


class Conversation(Record, discriminator="conversation"):
    """A customer's thread on one channel of one integration; owner_id is its assignee."""

    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()  # whatsapp | telegram | sms | email
    integration_id = UnicodeAttribute()
    provider_chat_id = UnicodeAttribute()  # sealed: WhatsApp's wa_id (a phone number), Telegram's chat id
    chat_key = UnicodeAttribute(null=True)  # the chat id's blind index: the sort key of its ConversationRef
    contact_id = UnicodeAttribute(null=True)
    contact_skipped = UnicodeAttribute(null=True)  # plan_limit: a new sender was not saved as a contact
    sender_unverified = BooleanAttribute(null=True)  # e-mail whose sender SES could not verify (DMARC, SPF, DKIM)
    deal_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")  # open | closed
    customer_name = UnicodeAttribute(null=True)  # sealed (field "customer_name"): how the channel names them
    last_message_at = UTCDateTimeAttribute(null=True)
    last_inbound_at = UTCDateTimeAttribute(null=True)  # the customer's last message, by its own timestamp
    last_preview = UnicodeAttribute(null=True)  # sealed (field "last_preview")
    last_direction = UnicodeAttribute(null=True)
    unread_count = NumberAttribute(default=0)
    awaiting_since = UTCDateTimeAttribute(null=True)  # the first customer message not answered yet
    referral = JSONAttribute(null=True)  # a click-to-WhatsApp ad the conversation started from
    # An e-mail thread (sealed, field "mail_thread"): JSON {address, subject, last_id, references} of where a
    # reply goes, what it is about and which messages it answers.
    mail_thread = UnicodeAttribute(null=True)


class ConversationRow(ListRow, discriminator="conversation_row"):
    """What the inbox shows of a conversation."""

    channel = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    contact_skipped = UnicodeAttribute(null=True)
    sender_unverified = BooleanAttribute(null=True)  # set only on a marked e-mail's rows: the inbox row says so
    status = UnicodeAttribute()
    last_message_at = UTCDateTimeAttribute(null=True)
    last_preview = UnicodeAttribute(null=True)  # sealed under the conversation (field "last_preview")
    last_direction = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)  # sealed under the conversation (field "customer_name")
    unread_count = NumberAttribute(default=0)


class Message(VersionedItem, discriminator="conversation_message"):
    """One message of a conversation, in or out; its text sealed (entity "message", field "text")."""

    message_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    integration_id = UnicodeAttribute(null=True)  # the line it came or went through (names its MessageRef)
    direction = UnicodeAttribute()  # in | out
    text = UnicodeAttribute(null=True)  # sealed
    message_kind = UnicodeAttribute(default="text")  # text | image | document | audio | video | location | contacts ...
    attachments = JSONAttribute(default=list)  # [{id, kind, mime, name, size, key, provider_media_id}]
    status = UnicodeAttribute(default="received")  # received | queued | sent | delivered | read | failed
    error = JSONAttribute(null=True)  # {code, title} of a failed delivery
    author_id = UnicodeAttribute(null=True)  # the employee who wrote an outbound message
    provider_message_id = UnicodeAttribute(null=True)  # sealed: a Telegram id names the chat, a wamid the number
    ref_key = UnicodeAttribute(null=True)  # the provider id's blind index: the sort key of its MessageRef
    sent_at = UTCDateTimeAttribute()  # the message's own time (the provider's timestamp for inbound)
    template = JSONAttribute(null=True)  # {name, language} of a template message
    edited_at = UTCDateTimeAttribute(null=True)
    subject = UnicodeAttribute(null=True)  # sealed (field "subject"): an e-mail's subject
    quoted = UnicodeAttribute(null=True)  # sealed (field "quoted"): the earlier messages an e-mail quotes
    sender = UnicodeAttribute(null=True)  # sealed (field "sender"): an e-mail's From, as "Name <address>"
    files_removed = UnicodeAttribute(null=True)  # virus: SES found one, and the message's files were not kept


class ConversationRef(MainTable, discriminator="conversation_ref"):
    """A provider's chat -> our conversation."""

    conversation_id = UnicodeAttribute()


class MessageRef(MainTable, discriminator="message_ref"):
    """A provider's message id -> our message."""

    conversation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()


class EarlyStatus(MainTable, discriminator="message_early_status"):
    """A delivery status reported before its message was recorded."""

    status = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    error = JSONAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)


class ConversationStats(MainTable, discriminator="conversation_stats"):
    """Message counters of one day, one employee (``-``: nobody) and one channel."""

    day = UnicodeAttribute()
    user_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    inbound = NumberAttribute(default=0)
    outbound = NumberAttribute(default=0)
    conversations = NumberAttribute(default=0)  # new conversations
    first_responses = NumberAttribute(default=0)  # customer turns answered
    first_response_seconds = NumberAttribute(default=0)  # their total wait


class BindCode(MainTable, discriminator="telegram_bind"):
    """A deep-link code (``t.me/<bot>?start=<code>``) that binds the chat that sends it to a contact."""

    contact_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)


class NewcomerClaim(MainTable, discriminator="conversation_newcomer"):
    """The contact (and lead deal) a new chat made: claimed with the contact, read by a racer that lost."""

    contact_id = UnicodeAttribute()
    deal_id = UnicodeAttribute(null=True)


class MailboxLookup(MainTable, discriminator="mailbox_lookup"):
    """Global lookup of an e-mail line's forwarding address: pk ``G#mailbox#<HMAC of its local part>``, sk
    ``MAILBOX`` -> the digest of the integration's webhook key (whose own lookup names the tenant and the
    integration; a rotated or deleted key's address thus leads nowhere, and this item names no tenant)."""

    key_digest = UnicodeAttribute()
