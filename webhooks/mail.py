"""E-mail as SES would store it: a customer's messages to a business, forwarded to its line's address.

``messages`` makes real MIME messages (the standard library's ``email``): a customer's first e-mail with a file,
their reply to our answer (In-Reply-To and References naming it), and an out-of-office auto-reply
(``Auto-Submitted: auto-replied``), each delivered to the forwarding address as a forwarder delivers it
(``Delivered-To``, ``X-Forwarded-To``; ``To`` stays the business's own address), under the block SES writes at the
top of a message it stores: its ``Received``, ``X-SES-Spam-Verdict``, ``X-SES-Virus-Verdict``, ``Received-SPF`` and
``Authentication-Results: amazonses.com; spf=...; dkim=...; dmarc=...`` (the receipt's verdicts: all PASS unless
the correspondent's :class:`Verdicts` say otherwise, ``SPOOFED`` and ``INFECTED`` say FAIL). ``drop`` puts one
where SES's receipt rule would, in the mail bucket of the embedded AWS (``.local/aws-endpoint``), whose
notification the local runner hands to the app's mail handler, as S3 and the mail queue do in AWS.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

SCENARIOS = ("new", "reply", "auto")
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Verdicts:
    """SES's verdicts of a message (its receipt's ``spfVerdict`` ... ``virusVerdict``): PASS, FAIL or GRAY."""

    spf: str = "PASS"
    dkim: str = "PASS"
    dmarc: str = "PASS"  # GRAY: the sender's domain publishes no DMARC policy
    spam: str = "PASS"
    virus: str = "PASS"


SPOOFED = Verdicts(spf="FAIL", dkim="FAIL", dmarc="FAIL")  # someone else's address written in From
UNSIGNED_SPOOF = Verdicts(spf="FAIL", dkim="FAIL", dmarc="GRAY")  # the same, from a domain without DMARC
INFECTED = Verdicts(virus="FAIL")
FAILURES = {"dmarc": SPOOFED, "spf-dkim": UNSIGNED_SPOOF, "virus": INFECTED}


def ses_block(who: Correspondent, *, at: float) -> list[tuple[str, str]]:
    """The headers SES writes above a message it stores, saying its verdicts as its receipt does."""
    verdicts, domain = who.verdicts, who.sender.rpartition("@")[2]
    words = {"PASS": "pass", "FAIL": "fail", "GRAY": "none"}
    results = (f"amazonses.com; spf={words[verdicts.spf]} (spfCheck: domain of {domain}) "
               f"client-ip=192.0.2.25; envelope-from={who.sender}; helo=mail.{domain};"
               f" dkim={words[verdicts.dkim]} header.i=@{domain};"
               f" dmarc={words[verdicts.dmarc]} header.from={domain};")
    return [("Return-Path", f"<{who.sender}>"),
            ("Received", f"from mail.{domain} (mail.{domain} [192.0.2.25]) by inbound-smtp.eu-west-1.amazonaws.com "
                         f"with SMTP id sim{who.serial} for {who.forward_to}; "
                         f"{format_datetime(datetime.fromtimestamp(at, UTC))}"),
            ("X-SES-Spam-Verdict", verdicts.spam), ("X-SES-Virus-Verdict", verdicts.virus),
            ("Received-SPF", f"{words[verdicts.spf]} (spfCheck: domain of {domain}) client-ip=192.0.2.25; "
                             f"envelope-from={who.sender}; helo=mail.{domain};"),
            ("Authentication-Results", results), ("X-SES-RECEIPT", "AEFBQUFBQUFBQUFG" + who.serial)]


@dataclass(frozen=True)
class Correspondent:
    """Who writes, to which business mailbox, forwarded to which address."""

    forward_to: str  # the line's forwarding address
    sender: str = "maria.ivanova@example.com"
    name: str = "Maria Ivanova"
    business: str = "sales@business.example"
    serial: str = field(default_factory=lambda: secrets.token_hex(6))
    verdicts: Verdicts = field(default_factory=Verdicts)  # what SES finds of their mail


def message(who: Correspondent, *, subject: str, text: str, n: int = 1, in_reply_to: str | None = None,
            references: tuple[str, ...] = (), attachment: tuple[str, bytes, str] | None = None,
            headers: dict[str, str] | None = None, at: float | None = None) -> EmailMessage:
    """One e-mail from the customer, as it arrives at the forwarding address."""
    mail = EmailMessage()
    for name, value in ses_block(who, at=time.time()):
        mail[name] = value
    mail["Delivered-To"] = who.forward_to
    mail["X-Forwarded-To"] = who.forward_to
    mail["X-Forwarded-For"] = f"{who.business} {who.forward_to}"
    mail["From"] = formataddr((who.name, who.sender))
    mail["To"] = who.business
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.fromtimestamp(at or time.time() - 60 + n, UTC))
    mail["Message-ID"] = make_msgid(idstring=f"sim{who.serial}{n}", domain="mail.example.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = " ".join((*references, in_reply_to) if in_reply_to not in references else references)
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    if attachment is not None:
        name, body, mime = attachment
        maintype, _, subtype = mime.partition("/")
        mail.add_attachment(body, maintype=maintype, subtype=subtype, filename=name)
    return mail


def messages(scenario: str, who: Correspondent, *, reply_to: str | None = None) -> list[EmailMessage]:
    """The customer's messages of one scenario."""
    if scenario == "new":
        return [message(who, subject="Price list for spring", n=1, attachment=("order.pdf", SAMPLE_PDF,
                                                                                "application/pdf"),
                        text="Hello!\n\nCould you send me your spring price list?\n\nMaria")]
    if scenario == "reply":
        if not reply_to:
            return []
        return [message(who, subject="Re: Price list for spring", n=2, in_reply_to=reply_to, at=time.time(),
                        text="Thank you, I'll take two.\n\nOn Mon, 1 Dec 2025 at 10:00, Sales wrote:\n> Here it is.")]
    if scenario == "auto":
        return [message(who, subject="Automatic reply: Price list", n=3, text="I am out of the office until Monday.",
                        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"})]
    raise ValueError(f"unknown scenario {scenario}")


def object_key() -> str:
    """Where SES's receipt rule would store a message (its prefix, then SES's own message id)."""
    return "inbound/" + secrets.token_hex(20)


def local_endpoint(state_dir: Path | None = None) -> str:
    """The embedded AWS of a running ``make run`` (its endpoint file)."""
    path = (state_dir or Path(__file__).resolve().parent.parent / ".local") / "aws-endpoint"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise SystemExit(f"no embedded AWS: start `make run` first ({path} is missing)") from exc


def drop(mail: EmailMessage, *, bucket: str, endpoint: str, s3: Any | None = None) -> str:
    """Put a message in the mail bucket as SES would; answers its object key."""
    if s3 is None:
        import boto3  # only here: the rest of this kit is the standard library

        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    key = object_key()
    s3.put_object(Bucket=bucket, Key=key, Body=mail.as_bytes())
    return key
