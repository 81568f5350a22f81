"""What a telephony provider's event means, whoever sent it, and what a telephony adapter adds.

A provider's stored raw fields are read again into :class:`CallEvent`s when the event is processed;
events of one call, in any order, repeated or replayed, fold into the same call (``telephony.fold``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chalicelib.channels.adapters import Adapter, Credentials
from chalicelib.core import errors

Phase = Literal["start", "ringing", "answer", "end", "recording"]
Direction = Literal["inbound", "outbound"]
Disposition = Literal["answered", "missed", "busy", "failed"]


@dataclass(frozen=True)
class CallEvent:
    """One thing a provider says about one call.

    ``phase``: start (the call reached the PBX), ringing (an extension rings), answer (someone
    answered), end (it is over, with the disposition and the talk time), recording (a recording is
    ready; ``recording`` holds what the provider needs to hand it over). Numbers are as the provider
    sent them (made E.164 when folded); ``extension`` is the provider's extension or SIP login of
    the employee. ``seq`` orders events of one call where the provider numbers them (Mango).
    """

    provider_call_id: str
    phase: Phase
    direction: Direction | None = None
    at: datetime | None = None
    from_number: str | None = None
    to_number: str | None = None
    extension: str | None = None
    disposition: Disposition | None = None
    duration_seconds: int | None = None
    recording: Mapping[str, str] | None = None
    seq: int | None = None


@dataclass(frozen=True)
class Dialled:
    """What a provider answered to a click-to-call request: its id of the call, when it gives one."""

    provider_call_id: str | None = None


@dataclass(frozen=True)
class Recording:
    """A call's recording as the provider handed it over."""

    body: bytes
    content_type: str = "audio/mpeg"


class TelephonyAdapter(Adapter):
    """A telephony provider: the channel steps plus reading call events, click-to-call and recordings."""

    @abstractmethod
    def call_events(self, fields: Mapping[str, Any]) -> list[CallEvent]:
        """The call events in one stored delivery (its raw fields)."""

    def dial(self, credentials: Credentials, *, extension: str, number: str) -> Dialled:
        """Ask the provider to ring the employee's extension, then the customer's number (E.164)."""
        raise errors.ValidationError("This provider offers no click-to-call.", code="click_to_call_unavailable")

    def fetch_recording(self, credentials: Credentials, reference: Mapping[str, str]) -> Recording:
        """Download a call's recording from the provider (``reference``: a CallEvent's ``recording``)."""
        raise errors.CRMError("This provider keeps no recordings.", code="no_recording")
