"""Request and response schemas of tenant exports and deletion."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.core.schema import Schema


class TenantExportRead(BaseModel):
    id: str
    status: str = Field(description="pending, running, done, failed, or expired (the archive is gone)")
    requested_at: datetime
    finished_at: datetime | None = None
    counts: dict[str, int] | None = Field(default=None, description="Items exported per kind")
    download_url: str | None = Field(default=None, description="A link to the zip, valid 15 minutes")
    download_expires_at: datetime | None = None
    error: str | None = None


class TenantDeletionIn(Schema):
    password: str = Field(min_length=1, max_length=256, description="The owner's password, entered again")


class TenantDeletionRead(BaseModel):
    status: str = Field(description="scheduled (cancellable), or purging")
    requested_at: datetime
    purge_after: datetime


class TenantDeletionCancelIn(Schema):
    token: str = Field(min_length=10, max_length=300, description="The token of the e-mailed cancellation link")
