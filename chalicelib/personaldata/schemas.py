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


class PersonalDataQuery(Schema):
    file: bool = Field(default=False, description="true: always as a file written by a job (202), never inline")


class PersonalDataExportRead(BaseModel):
    """An export of a person's data written to a file by a job (her data was too large for one answer)."""

    id: str
    contact_id: str
    status: Literal["queued", "running", "done", "failed", "expired"]
    requested_at: datetime
    finished_at: datetime | None = None
    expires_at: datetime | None = Field(default=None, description="When the file is deleted")
    size: int = Field(description="Bytes of the file")
    items: int = Field(description="Items of her data it holds")
    mine: bool = Field(description="Asked for by the caller: only that administrator may download it")
    download_url: str | None = Field(default=None, description="A link valid 5 minutes (a recorded read)")
    download_expires_at: datetime | None = None


class ErasureIn(Schema):
    confirm: Literal[True] = Field(description="true: erase this person's data for good")


class KeptPart(BaseModel):
    what: str
    count: int
    why: str


class ErasureRead(BaseModel):
    erasure_id: str
    contact_id: str
    status: Literal["running", "done"] = Field(description="running: it goes on in the background (answered 202)")
    at: datetime
    finished_at: datetime | None = None
    removed: dict[str, int] = Field(description="What went, by kind (so far, while it runs)")
    kept: list[KeptPart] = Field(description="What the law makes the company keep, detached from her, and why")


class PersonalDataState(BaseModel):
    """What the contact card's Personal data menu shows: her files being written or ready, a running erasure."""

    exports: list[PersonalDataExportRead]
    erasure: ErasureRead | None = None
