"""The contact card (``GET /api/v1/contacts/{contact_id}``): a route module of its own.

A route's module loads with its first request (``core.routing``), and the card is what a user opens first. Kept
apart from ``contacts.routes``, a cold Lambda's first card imports what a card reads and shows (the contact type,
the record engine's card, the sensitive values' reveal, the read schemas) and none of the writes, merges, bulk
actions, custom-field definitions and their schemas (#22 target 4, bench.cold_start).
"""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import sensitive, views
from chalicelib.contacts.read_schemas import CardQuery, ContactCard
from chalicelib.contacts.record import CONTACT
from chalicelib.core import errors
from chalicelib.core.http import Api, ApiRequest
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import card as records_card
from chalicelib.records.fieldaccess import service as field_rules
from chalicelib.records.fieldaccess import views as shown

api = Api(__name__, tag="contacts")


def card(ctx: TenantContext, contact_id: str, *, reveal: frozenset[str] = frozenset()) -> ContactCard:
    """The contact card (contact, links by kind, newest timeline entries) from one Query."""
    found = records_card.card(ctx, CONTACT, contact_id)
    return ContactCard(**views.contact_read(ctx, found.record, reveal=reveal).model_dump(), **found.parts())


@api.route("/api/v1/contacts/{contact_id}", summary="The contact card: contact, links, newest timeline",
           query=CardQuery, response=ContactCard, errors=(403, 404))
def contacts_get(request: ApiRequest, contact_id: str) -> Any:
    reveal = sensitive.parse_reveal(request.query.reveal)
    refused = sorted(reveal & field_rules.hidden(request.tenant, CONTACT))
    if refused:  # a value the role may not see is never revealed (nor its read recorded)
        raise errors.ForbiddenError(f"Your role may not read these fields: {', '.join(refused)}.", code="field_hidden")
    return shown.record(request.tenant, CONTACT, card(request.tenant, contact_id, reveal=reveal))
