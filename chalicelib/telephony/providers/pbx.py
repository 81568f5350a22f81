"""``pbx``: our own JSON call-event format, for Asterisk/FreePBX scripts and any PBX that can post JSON.

The request is signed like a form's signed post: ``X-CRM-Timestamp: <unix seconds>`` and
``X-CRM-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the integration's secret>``,
within five minutes. The body is one event::

    {"event_id": "optional, unique per event (deduplicates)", "call_id": "the PBX's id of the call",
     "event": "start" | "ringing" | "answer" | "end" | "recording",
     "direction": "inbound" | "outbound", "at": "2026-12-06T10:00:00Z",
     "from": "+79161234567", "to": "+74951234567", "extension": "101",
     "disposition": "answered" | "missed" | "busy" | "failed", "duration": 42,
     "recording_url": "https://pbx.example.com/rec/123.mp3"}

``webhooks/asterisk_crm.py`` is a sample AGI script that sends these.

The recording link is the company's to choose, so it is fetched only from a public address: an event whose link
names loopback, a private network or link-local (the cloud's metadata) is refused with 422, and the fetch itself
checks the address the name resolves to (``transport.public_only``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field, HttpUrl, ValidationError, field_validator

from chalicelib.channels import adapters, transport
from chalicelib.channels.adapters import Credentials, Inbound, Parsed
from chalicelib.core import errors, http
from chalicelib.core.schema import Schema
from chalicelib.telephony.events import CallEvent, Recording, TelephonyAdapter
from chalicelib.telephony.settings import TelephonySettings

TOLERANCE_SECONDS = 300
MAX_BODY = 16 * 1024


class PbxSettings(TelephonySettings):
    """A PBX of one's own needs no provider credentials: it signs with the integration's secret."""


class PbxEvent(Schema):
    """One call event in our PBX format."""

    event_id: str | None = Field(default=None, min_length=1, max_length=200)
    call_id: str = Field(min_length=1, max_length=200)
    event: Literal["start", "ringing", "answer", "end", "recording"]
    direction: Literal["inbound", "outbound"] | None = None
    at: AwareDatetime | None = None
    from_: str | None = Field(default=None, alias="from", max_length=40)
    to: str | None = Field(default=None, max_length=40)
    extension: str | None = Field(default=None, max_length=64)
    disposition: Literal["answered", "missed", "busy", "failed"] | None = None
    duration: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
    recording_url: HttpUrl | None = None

    @field_validator("recording_url")
    @classmethod
    def _public(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None:
            try:
                transport.check_public_url(str(url))
            except transport.NotPublicError as exc:
                raise ValueError("the recording link must name a public address") from exc
        return url


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-CRM-Signature header's value of a body."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


class PbxAdapter(TelephonyAdapter):
    type = "pbx"
    label = "PBX (Asterisk, FreePBX)"
    settings_model = PbxSettings

    def verify(self, inbound: Inbound, credentials: Credentials) -> None:
        stamp, offered = inbound.header("x-crm-timestamp") or "", inbound.header("x-crm-signature") or ""
        if not stamp.isdigit() or len(stamp) > 12 or abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            raise adapters.invalid_signature()
        expected = sign(credentials.signing_secret, inbound.body, int(stamp)).removeprefix("v1=")
        candidates = [part.strip()[3:] for part in offered.split(",") if part.strip().startswith("v1=")]
        if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            raise adapters.invalid_signature()

    def parse(self, inbound: Inbound) -> list[Parsed]:
        if len(inbound.body) > MAX_BODY:
            raise adapters.unparseable("An event is at most 16 KB.")
        event = _read(inbound.body)
        fields = event.model_dump(mode="json", by_alias=True, exclude_none=True)
        summary = f"{event.event} {event.direction or ''} {event.from_ or ''}".strip()[:200]
        return [Parsed(fields=fields, provider_event_id=event.event_id, summary=summary)]

    def call_events(self, fields: Mapping[str, Any]) -> list[CallEvent]:
        event = PbxEvent.model_validate(dict(fields))
        at: datetime | None = event.at
        return [CallEvent(provider_call_id=event.call_id, phase=event.event, direction=event.direction, at=at,
                          from_number=event.from_, to_number=event.to, extension=event.extension,
                          disposition=event.disposition, duration_seconds=event.duration,
                          recording={"url": str(event.recording_url)} if event.recording_url else None)]

    def fetch_recording(self, credentials: Credentials, reference: Mapping[str, str]) -> Recording:
        answer = transport.send(transport.Outbound(provider=self.type, method="GET", url=reference["url"],
                                                   public_only=True))
        if answer.status != 200 or not answer.body:
            raise transport.ProviderError(f"The PBX answered {answer.status} for the recording.")
        return Recording(body=answer.body, content_type=answer.headers.get("content-type", "audio/mpeg"))


def _read(body: bytes) -> PbxEvent:
    try:
        return PbxEvent.model_validate(http.load_json(body))  # depth-bounded, like every JSON body the app reads
    except (errors.MalformedBodyError, ValidationError) as exc:
        detail = exc.errors(include_url=False)[0]["msg"] if isinstance(exc, ValidationError) else "invalid JSON"
        raise adapters.unparseable(f"Not a PBX call event: {detail}") from exc


def _sandbox(request: transport.Outbound) -> transport.Answer:
    """A PBX's web server handing over a recording: a short silent WAV."""
    return transport.Answer(200, silent_wav(), {"content-type": "audio/wav"})


def silent_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A valid mono 8-bit WAV of silence (what the sandboxes hand over as a recording)."""
    frames = int(seconds * rate)
    header = b"RIFF" + (36 + frames).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
    header += rate.to_bytes(4, "little") + (1).to_bytes(2, "little") + (8).to_bytes(2, "little")
    return header + b"data" + frames.to_bytes(4, "little") + b"\x80" * frames


ADAPTER = adapters.register(PbxAdapter())
transport.register_sandbox("pbx", _sandbox)
