"""Campaigns, their sends and results, and the contacts' consent to be written to.

- Campaign: ``T#<tid>#CAMPAIGN`` / ``<campaign id>``: a message to a segment through one channel (its content,
  links, schedule and status). Audited as entity ``campaign``.
- CampaignStats: ``T#<tid>#CAMPSTATS`` / ``<campaign id>``: its counters (recipients, sent, skipped, failed,
  delivered, opened, clicked, replied, unsubscribed, conversions, revenue), each added in the transaction that
  records what it counts, so a counter never drifts from the sends.
- SendMarker: ``T#<tid>#CAMPSENT`` / ``<campaign id>#<contact id>``: one recipient of one campaign. Created
  (conditionally) before the provider is called, so a redelivered or repeated batch never sends twice; moved to
  sent (or failed) after; then carries the first open, click, reply and unsubscribe. gsi1
  ``T#<tid>#CAMPCONTACT#<contact id>`` / ``<sent at>#<campaign id>``: what a contact was sent, newest last, for
  replies and conversions.
- CampaignMessage: ``T#<tid>#CAMPMSG`` / ``<keyed digest of the provider's message id>``: where a delivery status
  (SES's event, Twilio's status callback, WhatsApp's ``statuses``) finds its recipient; written with the marker's
  ``sent``, kept 90 days.
- CampaignClaim: ``T#<tid>#CAMPCLAIM`` / ``<cause>``: a conversion (a deal won, an order paid) or a reply counted
  once.
- CampaignUsage: ``T#<tid>#CAMPUSAGE`` / ``<yyyymm>``: the month's campaign messages, capped by the plan.
- Consent: ``T#<tid>#CONSENT`` / ``<contact id>``: per channel (email, sms, whatsapp) granted or withdrawn, with
  its source and time. Audited as entity ``consent``.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem

STATS = ("recipients", "sent", "skipped_consent", "skipped_address", "skipped_limit", "failed", "delivered",
         "read", "bounced", "complained", "undelivered",
         "opened", "clicked", "replied", "unsubscribed", "conversions", "revenue_minor")
# What the provider last said of a sent message, by precedence: a late "delivered" after "read" (or a bounce)
# never moves it back. ``undelivered``: an SMS or WhatsApp message the provider reported failed after taking it.
DELIVERY_RANK = {"sent": 0, "delivered": 1, "read": 2, "undelivered": 3, "bounced": 3, "complained": 4}


class Campaign(VersionedItem, discriminator="campaign"):
    """A message to a segment through one channel."""

    personal = frozenset({"name", "subject", "body", "template", "links"})  # message bodies and titles (#21)

    campaign_id = UnicodeAttribute()
    name = UnicodeAttribute()
    channel = UnicodeAttribute()  # email | sms | whatsapp
    segment_id = UnicodeAttribute(null=True)
    integration_id = UnicodeAttribute(null=True)  # the SMS (twilio) or WhatsApp line
    subject = UnicodeAttribute(null=True)  # e-mail
    body = UnicodeAttribute(null=True)  # e-mail and SMS text with merge fields
    template = JSONAttribute(null=True)  # WhatsApp: {"name", "language", "parameters"}
    links = JSONAttribute(default=list)  # the links of the body, in order: a click token names one by index
    status = UnicodeAttribute(default="draft")  # draft | scheduled | sending | sent | canceled
    scheduled_at = UTCDateTimeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    fanout_step = NumberAttribute(default=0)  # the page of the segment the fan-out queues next
    fanout_cursor = UnicodeAttribute(null=True)  # where that page starts
    fanned_out_at = UTCDateTimeAttribute(null=True)
    test_sent_at = UTCDateTimeAttribute(null=True)
    currency = UnicodeAttribute(null=True)  # of the revenue attributed to it (the company's)
    created_by = UnicodeAttribute()


class CampaignStats(MainTable, discriminator="campaign_stats"):
    """A campaign's counters."""

    recipients = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    skipped_consent = NumberAttribute(null=True)
    skipped_address = NumberAttribute(null=True)
    skipped_limit = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    delivered = NumberAttribute(null=True)
    read = NumberAttribute(null=True)
    bounced = NumberAttribute(null=True)
    complained = NumberAttribute(null=True)
    undelivered = NumberAttribute(null=True)
    opened = NumberAttribute(null=True)
    clicked = NumberAttribute(null=True)
    replied = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)
    conversions = NumberAttribute(null=True)
    revenue_minor = NumberAttribute(null=True)


class SendMarker(VersionedItem, discriminator="campaign_send"):
    """One recipient of one campaign: claimed before the provider call, then what happened to the message."""

    campaign_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()  # sending | sent | failed | skipped_consent | skipped_address | skipped_limit
    provider_ref = UnicodeAttribute(null=True)  # the provider's message id, as a keyed digest (a wamid holds a number)
    reason = UnicodeAttribute(null=True)  # why it failed or bounced (the provider's codes, no personal data)
    delivery = UnicodeAttribute(null=True)  # what the provider last said (DELIVERY_RANK): delivered, read, bounced ...
    sent_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    read_at = UTCDateTimeAttribute(null=True)
    bounced_at = UTCDateTimeAttribute(null=True)
    complained_at = UTCDateTimeAttribute(null=True)
    undelivered_at = UTCDateTimeAttribute(null=True)
    opened_at = UTCDateTimeAttribute(null=True)
    clicked_at = UTCDateTimeAttribute(null=True)
    replied_at = UTCDateTimeAttribute(null=True)
    unsubscribed_at = UTCDateTimeAttribute(null=True)
    converted_at = UTCDateTimeAttribute(null=True)


class CampaignMessage(MainTable, discriminator="campaign_message"):
    """A sent message's provider id (a keyed digest: a wamid holds a number) to its campaign and recipient."""

    campaign_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    channel = UnicodeAttribute()


class CampaignClaim(MainTable, discriminator="campaign_claim"):
    """A cause (a conversion, a reply) counted once."""

    campaign_id = UnicodeAttribute(null=True)


class CampaignUsage(MainTable, discriminator="campaign_usage"):
    """The month's campaign messages (the plan's ceiling applies)."""

    messages = NumberAttribute(null=True)


class Consent(VersionedItem, discriminator="consent"):
    """A contact's consent per channel: {"email": {"status", "source", "at", "by", "campaign_id"}, ...}."""

    contact_id = UnicodeAttribute()
    channels = JSONAttribute(default=dict)
