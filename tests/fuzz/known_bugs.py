"""Failures the fuzz suite has found and reported, not yet fixed (each names who owns the fix).

An entry keeps ``make test`` green while its owner fixes it; a failure not listed here fails the
suite. Remove an entry with its fix: the suite then guards against the bug coming back.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class KnownBug(NamedTuple):
    """A reported failure: the operation, the schemathesis check code, text in its report, and why."""

    operation: re.Pattern[str]
    code: str
    evidence: re.Pattern[str]
    reason: str


ANY = re.compile("")

KNOWN: list[KnownBug] = []


def known(operation: str, code: str, details: str = "") -> str | None:
    """Why a failure is known, or None when it is new."""
    for bug in KNOWN:
        if bug.code == code and bug.operation.match(operation) and bug.evidence.search(details):
            return bug.reason
    return None
