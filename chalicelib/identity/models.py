"""Identity items: tenants, users, sessions, invitations, resets, roles, teams, API keys.

Tenant-scoped items live under ``T#<tenant>#...``; the few lookups that must work before the
tenant is known (login email, invitation and reset tokens, API keys, failed logins per address)
live under ``G#...`` and are read only by the sign-in and authentication code here.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.billing.models import Subscription
from chalicelib.core.db import MainTable, VersionedItem


class Tenant(VersionedItem, discriminator="tenant"):
    """A business using the CRM. pk ``T#<tid>#TENANT``, sk ``TENANT``; gsi1 lists all tenants."""

    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | suspended | deleting
    plan = UnicodeAttribute(default="trial")  # the plan subscribed to or tried (billing.standing: which applies)
    trial_ends_at = UTCDateTimeAttribute(null=True)
    billing = Subscription(null=True)  # the Stripe subscription as last applied (billing.lifecycle)
    email_confirm_by = UTCDateTimeAttribute(null=True)  # the owner's address, unconfirmed: read-only from then
    email_confirmed_at = UTCDateTimeAttribute(null=True)
    locale = UnicodeAttribute(default="en")
    country = UnicodeAttribute(default="US")
    currency = UnicodeAttribute(default="USD")
    timezone = UnicodeAttribute(default="UTC")
    password_min_length = NumberAttribute(default=10)
    password_max_age_days = NumberAttribute(null=True)
    require_totp = BooleanAttribute(default=False)
    # Prices and deal amounts are typed with their VAT in (a shop's retail prices, most Russian and Kazakh B2B
    # amounts): new orders start priced so, and a deal's own line on its documents takes its VAT out of the amount.
    prices_include_tax = BooleanAttribute(null=True)
    # Staff may read their tasks in an outside calendar (Google, Apple, Outlook) from a secret address: the titles,
    # times and places of their tasks leave the CRM, so the company allows it (off until it does).
    calendar_feeds = BooleanAttribute(null=True)
    owner_id = UnicodeAttribute()


class User(VersionedItem, discriminator="user"):
    """A member of a tenant's staff. pk ``T#<tid>#USER``, sk ``<user id>``."""

    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # invited | active | deactivated
    locale = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    token_version = NumberAttribute(default=1)
    totp_secret = UnicodeAttribute(null=True)  # encrypted (core.crypto)
    totp_enabled = BooleanAttribute(default=False)
    totp_last_step = NumberAttribute(null=True)  # the 30-second step of the last code taken: each is taken once
    failed_logins = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    last_login_at = UTCDateTimeAttribute(null=True)
    invited_by = UnicodeAttribute(null=True)
    invitation_mails = NumberAttribute(null=True)  # invitation e-mails sent to the address so far
    invitation_sent_at = UTCDateTimeAttribute(null=True)  # the last one: the next waits (see resend)
    confirmation_mails = NumberAttribute(null=True)  # an owner's address: confirmation links e-mailed so far
    confirmation_sent_at = UTCDateTimeAttribute(null=True)  # the last one (identity.confirmation.resend)
    calendar_feed_digest = UnicodeAttribute(null=True)  # SHA-256 of the newest calendar feed address (identity.feeds)
    calendar_feed_at = UTCDateTimeAttribute(null=True)  # when that address was made


class InvitationsOfDay(MainTable, discriminator="invitations_day"):
    """Invitation e-mails a company sent on one UTC day: pk ``T#<tid>#TENANT``, sk ``INVITES#<yyyymmdd>``, added to in
    each invitation's transaction under a ceiling (identity.service.INVITATIONS_PER_DAY); gone two days on (TTL)."""

    sent = NumberAttribute(default=0)


class EmailLogin(MainTable, discriminator="email_login"):
    """Global lookup: pk ``G#email#<email>``, sk ``<tenant id>``; one per tenant the email belongs to."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class Session(VersionedItem, discriminator="session"):
    """A sign-in and its refresh-token family. pk ``T#<tid>#SESSION``, sk ``<session id>``."""

    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    token_digest = UnicodeAttribute()  # SHA-256 of the current refresh token only
    generation = NumberAttribute(default=1)
    token_version = NumberAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)


class TokenLookup(MainTable, discriminator="token_lookup"):
    """Global lookup of an e-mailed token (invitation, password reset): pk ``G#<purpose>#<digest>``."""

    purpose = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)  # to the microsecond (expires_at, a TTL, keeps whole seconds)


class AddressThrottle(MainTable, discriminator="address_throttle"):
    """Failed sign-ins from one source address: pk ``G#signin-ip#<address>``, sk ``<window start>``."""

    failures = NumberAttribute(default=0)


class SigninThrottle(MainTable, discriminator="signin_throttle"):
    """Failed sign-ins to one user from one source (an address, or a browser the user signed in from):
    pk ``T#<tid>#SIGNIN``, sk ``<user id>#<source>`` (identity.lockout)."""

    failures = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)


class CustomRole(VersionedItem, discriminator="role"):
    """A tenant-defined role. pk ``T#<tid>#ROLE``, sk ``<role key>``."""

    key = UnicodeAttribute()
    name = UnicodeAttribute()
    permissions = UnicodeSetAttribute(default=set)


class Team(VersionedItem, discriminator="team"):
    """A group of users a manager sees the records of. pk ``T#<tid>#TEAM``, sk ``<team id>``."""

    team_id = UnicodeAttribute()
    name = UnicodeAttribute()


class ApiKey(VersionedItem, discriminator="api_key"):
    """A server-to-server key. pk ``T#<tid>#APIKEY``, sk ``<key id>``."""

    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    created_by = UnicodeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


class ApiKeyLookup(MainTable, discriminator="api_key_lookup"):
    """Global lookup of an API key by its id: pk ``G#apikey#<key id>``, sk ``KEY``."""

    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    secret_digest = UnicodeAttribute()
    permissions = ListAttribute(of=UnicodeAttribute, default=list)
    created_by = UnicodeAttribute(null=True)  # read with the tenant and the key (keys made before: from the key)
