"""Integration items: the integration itself and the global lookup of its webhook key.

An integration lives at ``T#<tid>#INTEGRATION`` / ``<integration id>``; its webhook key and
signing secret are sealed with the tenant's data key. The public hook finds the tenant through
``G#hook#<HMAC of the key>`` (the key itself is never a key of the table). Round-robin turns are
counted on a small item beside the integration, so assigning a lead never bumps its version.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.db import MainTable, VersionedItem


class Integration(VersionedItem, discriminator="integration"):
    """A connection of a type (form, zadarma, ...), its sealed key and secret, its settings."""

    integration_id = UnicodeAttribute()
    integration_type = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | disabled | deleted
    key_token = UnicodeAttribute(attr_name="key")  # sealed webhook key (field "key")
    key_digest = UnicodeAttribute()  # names the global lookup, so it can be deleted on rotation
    secret = UnicodeAttribute()  # sealed signing secret (field "secret")
    secret_hint = UnicodeAttribute()
    settings = JSONAttribute(default=dict)  # never a provider secret: those are in credentials
    credentials = UnicodeAttribute(null=True)  # sealed JSON of a provider's secrets (field "credentials")
    credential_hints = JSONAttribute(default=dict)  # the last characters of each, to recognise them by
    created_by = UnicodeAttribute()


class HookLookup(MainTable, discriminator="hook_lookup"):
    """Global lookup of a webhook key: pk ``G#hook#<digest>``, sk ``HOOK``."""

    tenant_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    integration_type = UnicodeAttribute()


class HookMisses(MainTable, discriminator="hook_misses"):
    """Posts with unknown webhook keys from one sender: pk ``G#hookmiss#<sender HMAC>``, sk ``<window>``."""

    misses = NumberAttribute(default=0)


class RoundRobinTurn(MainTable, discriminator="integration_turn"):
    """How many leads an integration has handed out: the next one goes to user ``turns % n``."""

    integration_id = UnicodeAttribute()
    turns = NumberAttribute(default=0)
