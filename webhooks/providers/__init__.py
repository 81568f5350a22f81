"""A telephony provider each: the requests it makes for a call, signed as the provider signs them.

Every module has ``requests(scenario, url, *, key, secret, call) -> list[Request]`` for the scenarios
``answered`` (an inbound call answered on an extension, then its recording), ``missed`` (an inbound call
nobody answers) and ``outbound`` (an employee calls a customer, answered), in the order the provider sends
them. Standard library only: it runs on an integrator's machine.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

SCENARIOS = ("answered", "missed", "outbound")


@dataclass(frozen=True)
class Call:
    """Who calls whom in a simulated call, and when it starts."""

    customer: str = "+79161234567"  # the outside party
    line: str = "+74951234567"  # the business's number
    extension: str = "101"  # the employee's extension or SIP login
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    start: float = field(default_factory=time.time)
    talk_seconds: int = 42
