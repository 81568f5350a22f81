"""Request and response schemas of a person's data: its export and its erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema


class PersonalData(BaseModel):
    """Everything the company holds on one person, by what it is (GDPR Art. 15 and 20)."""

    format: str = Field(description="crm-personal-data")
    version: int
    contact_id: str
    exported_at: datetime
    contact: dict[str, Any] = Field(description="Her fields, sensitive ones in clear, custom values, tags, consent")
    links: list[dict[str, Any]] = Field(description="Companies, deals, tasks and tickets her card links, with names")
    timeline: list[dict[str, Any]] = Field(description="Notes, form posts, calls, messages on her timeline")
    consent: list[dict[str, Any]]
    consent_history: list[dict[str, Any]]
    deals: list[dict[str, Any]] = Field(description="Deals she is on: name, pipeline, stage, status, amount")
    tasks: list[dict[str, Any]]
    calls: list[dict[str, Any]] = Field(description="Time, direction, duration, numbers, a recording link if any")
    conversations: list[dict[str, Any]] = Field(description="WhatsApp, Telegram, SMS and e-mail, with messages")
    tickets: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    documents: list[dict[str, Any]] = Field(description="Documents issued on her orders and deals")
    form_and_provider_deliveries: list[dict[str, Any]] = Field(
        description="Form posts and provider events naming her, as received (kept 30 days)")
    campaign_deliveries: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    audit_history: list[dict[str, Any]] = Field(description="Her record's audit trail")
    sensitive_reads: list[dict[str, Any]] = Field(description="Who read her sensitive values in clear, and when")


class ErasureIn(Schema):
    confirm: Literal[True] = Field(description="true: erase this person's data for good")


class KeptPart(BaseModel):
    what: str
    count: int
    why: str


class ErasureRead(BaseModel):
    erasure_id: str
    contact_id: str
    at: datetime
    removed: dict[str, int] = Field(description="What went, by kind")
    kept: list[KeptPart] = Field(description="What the law makes the company keep, detached from her, and why")
