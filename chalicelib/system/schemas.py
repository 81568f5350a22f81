"""Schemas of the system routes."""

from __future__ import annotations

from pydantic import BaseModel


class Health(BaseModel):
    """The answer of the health check."""

    status: str
    stage: str
    table: str
