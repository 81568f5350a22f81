"""Schemas of the live-updates routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LiveTicketOut(BaseModel):
    """A ticket that opens the live-updates socket once: ``<url>?ticket=<ticket>`` within expires_in seconds."""

    ticket: str = Field(description="Single use; send it as the ticket query parameter of the socket URL")
    url: str = Field(description="The WebSocket URL (wss:// in AWS)")
    expires_in: int = Field(description="Seconds the ticket stays valid")
