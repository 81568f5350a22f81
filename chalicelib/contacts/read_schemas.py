"""What answers show of a contact: its read view, its card, the card's query and a list row.

Apart from ``contacts.schemas`` (which re-exports them with the request schemas of writes, merges and bulk
actions), so that a card imports the four schemas it answers with, not the rest (#22 target 4, a cold Lambda's
first card: bench.cold_start).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from chalicelib.core.schema import Schema
from chalicelib.records.schemas import CardParts, EmailOut, PhoneOut, RecordRead, RecordSummary

SENSITIVE_FIELDS = ("passport_number", "tax_id", "iban")


class ContactRead(RecordRead):
    first_name: str | None
    last_name: str | None
    phones: list[PhoneOut]
    emails: list[EmailOut]
    company_ids: list[str]
    messengers: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    shipping_address: dict[str, Any] | None
    birthday: str | None
    job_title: str | None = None
    source: str | None
    utm: dict[str, Any] | None
    consent: dict[str, Any] | None
    passport_number: str | None
    tax_id: str | None
    iban: str | None
    revealed: list[str] = []
    merged_into: str | None = None


class ContactCard(ContactRead, CardParts):
    """The card: the record, its links by kind, its newest timeline entries."""


class ContactSummary(RecordSummary):
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    company_ids: list[str]


class CardQuery(Schema):
    reveal: Annotated[str, Field(max_length=300)] | None = None
