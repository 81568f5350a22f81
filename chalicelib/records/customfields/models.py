"""Custom field definitions: one item per field, in one partition per tenant.

pk ``T#<tid>#CFDEF``, sk ``<entity>#<key>``: the definitions of one entity are one Query
(``begins_with(sk, "<entity>#")``), and a key is unique per entity by construction (the sort key).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.db import VersionedItem


class FieldDefinition(VersionedItem, discriminator="custom_field"):
    """A custom field of contacts, companies or deals."""

    field_id = UnicodeAttribute()
    entity = UnicodeAttribute()  # contact | company | deal
    key = UnicodeAttribute()
    label = UnicodeAttribute()
    field_type = UnicodeAttribute()
    required = BooleanAttribute(default=False)
    sensitive = BooleanAttribute(default=False)
    filterable = BooleanAttribute(default=False)
    options = JSONAttribute(default=list)  # [{"value": ..., "label": ...}] for select and multiselect
    position = NumberAttribute(default=0)
    archived = BooleanAttribute(default=False)
