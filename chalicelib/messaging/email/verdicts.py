"""What SES found of a message it received: whether its sender is who it claims, and whether it carries a virus.

SES's receipt holds ``spfVerdict``, ``dkimVerdict``, ``dmarcVerdict``, ``spamVerdict`` and ``virusVerdict``
(each ``PASS``, ``FAIL``, ``GRAY`` or ``PROCESSING_FAILED``). The receipt reaches a Lambda or an SNS topic only;
our rule's S3 action stores the message, and SES writes the same verdicts at its top: ``X-SES-Spam-Verdict``,
``X-SES-Virus-Verdict`` and ``Authentication-Results: amazonses.com; spf=...; dkim=...; dmarc=...``. Only SES's
own block is read (the headers above the message's second ``Received``, SES's being the first, and of each the
first): a sender may write look-alike headers further down, never above SES's.

A sender is not verified, as Gmail and HubSpot decide, when DMARC fails, or when the sender's domain publishes no
DMARC policy and SPF and DKIM both fail. Mail without SES's block (none reaches the bucket in AWS) is taken as it
is: nothing failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

AUTHORITY = "amazonses.com"
_COMMENT = re.compile(r"\([^()]*\)")
_RESULTS = {"pass": "PASS", "fail": "FAIL", "none": "GRAY", "neutral": "GRAY", "temperror": "PROCESSING_FAILED",
            "permerror": "PROCESSING_FAILED"}


@dataclass(frozen=True)
class Verdicts:
    """SES's verdicts of one message (None: SES wrote none)."""

    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    spam: str | None = None
    virus: str | None = None

    @property
    def sender_unverified(self) -> bool:
        """True when the From address cannot be trusted: DMARC failed, or (no DMARC policy) SPF and DKIM did."""
        return self.dmarc == "FAIL" or (self.dmarc != "PASS" and self.spf == "FAIL" and self.dkim == "FAIL")

    @property
    def infected(self) -> bool:
        """True when SES found a virus."""
        return self.virus == "FAIL"


def _ses_block(message: Any) -> dict[str, str]:
    """The first of each header SES writes above the message's own (lower-cased names)."""
    found: dict[str, str] = {}
    received = 0
    try:
        items = list(message.raw_items())
    except Exception:  # noqa: BLE001 - unreadable headers: no verdicts
        return found
    for name, value in items:
        name = str(name).strip().lower()
        if name == "received":
            received += 1
            if received > 1:
                break
            continue
        found.setdefault(name, str(value))
    return found


def _results(value: str | None) -> dict[str, str]:
    """SES's Authentication-Results as {method: verdict}; a DKIM that passed for any signature passes."""
    if not value:
        return {}
    clauses = [clause.strip() for clause in _COMMENT.sub(" ", " ".join(value.split())).split(";")]
    if not clauses or clauses[0].lower() != AUTHORITY:
        return {}
    found: dict[str, str] = {}
    for clause in clauses[1:]:
        method, _, rest = clause.partition("=")
        method = method.strip().lower()
        if method not in ("spf", "dkim", "dmarc") or not rest:
            continue
        verdict = _RESULTS.get(rest.split()[0].lower(), "GRAY")
        if found.get(method) != "PASS":
            found[method] = verdict
    return found


def _verdict(value: str | None) -> str | None:
    word = (value or "").strip().upper()
    return word if word in ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED") else None


def of(message: Any) -> Verdicts:
    """SES's verdicts of a parsed message (its headers are enough)."""
    block = _ses_block(message)
    results = _results(block.get("authentication-results"))
    return Verdicts(spf=results.get("spf"), dkim=results.get("dkim"), dmarc=results.get("dmarc"),
                    spam=_verdict(block.get("x-ses-spam-verdict")), virus=_verdict(block.get("x-ses-virus-verdict")))
