"""Reading an e-mail as SES stored it: who it is from, what it answers, what is new in it and what it quotes.

Everything goes through the standard library's parser with ``policy.default``. Mail is written by every kind of
program, so nothing here trusts it: a header that cannot be read is left out, a body in an unknown charset is
decoded with replacement characters, and anything the parser itself trips over surfaces as :class:`Unreadable`
(the event is kept, failed for good, with its raw object still in the bucket).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from chalicelib.messaging.email import verdicts as ses_verdicts

HEADER_BYTES = 64 * 1024  # enough for the headers a chain of forwarders adds; routing reads no more
TEXT_CHARS = 16_000  # what is kept of a message's new text, and of what it quotes (a message item is <400 KB)
MAX_REFERENCES = 20
_ID = re.compile(r"<([^<>\s]{1,250})>")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}")
# Where a reply's quote of the earlier messages starts (the common mail programs, English and Russian).
_QUOTE_HEADS = (
    re.compile(r"^\s*On .{1,300}wrote:\s*$"),
    re.compile(r"^.{1,300}(пишет|написал|написала)\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Исходное сообщение|Пересылаемое сообщение|Forwarded message)",
               re.IGNORECASE),
    re.compile(r"^\s*(From|От):\s.+$"),
    re.compile(r"^\s*>"),
)
AUTOMATED_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


class Unreadable(ValueError):
    """A stored message the parser cannot read (kept as it came; its event fails with the reason)."""


@dataclass(frozen=True)
class Part:
    """A file in a message: where it is in the message (its position in a walk of the parts) and what it is."""

    position: int
    name: str | None
    mime: str
    size: int


@dataclass
class Mail:
    """What the CRM reads of one message."""

    message_id: str | None
    from_address: str | None
    from_name: str | None
    subject: str | None
    at: datetime | None
    text: str | None
    quoted: str | None
    references: tuple[str, ...] = ()  # In-Reply-To first, then References newest first
    thread_id: str | None = None
    automated: bool = False
    parts: list[Part] = field(default_factory=list)
    verdicts: ses_verdicts.Verdicts = field(default_factory=ses_verdicts.Verdicts)  # SES's, of sender and virus


def header(message: Any, name: str) -> str | None:
    """A header's value as text, or None when it is missing or cannot be read."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a malformed header is left out, like a missing one
        return None
    return None if value is None else str(value)


def headers_of(raw: bytes) -> EmailMessage:
    """The headers of a message (the body is not read)."""
    try:
        parsed = BytesHeaderParser(policy=policy.default).parsebytes(raw[:HEADER_BYTES])
    except Exception as exc:
        raise Unreadable("The message's headers cannot be read.") from exc
    return parsed  # type: ignore[return-value]


def recipients(message: Any) -> list[str]:
    """Every address the message was delivered or forwarded to, as its headers tell (lower-cased, in order)."""
    found: list[str] = []
    for name in ("X-Original-To", "Delivered-To", "X-Forwarded-To", "X-Forwarded-For", "To", "Cc", "Envelope-To"):
        try:
            values = message.get_all(name) or []
        except Exception:  # noqa: BLE001
            values = []
        for value in values:
            found += [address for _, address in getaddresses([str(value)]) if address]
            found += _ADDRESS.findall(str(value))
    for received in _all(message, "Received"):
        found += re.findall(r"\bfor\s+<?(" + _ADDRESS.pattern + r")>?", received)
    seen: dict[str, None] = {}
    for address in found:
        seen.setdefault(address.strip().lower(), None)
    return list(seen)


def _all(message: Any, name: str) -> list[str]:
    try:
        return [str(value) for value in message.get_all(name) or []]
    except Exception:  # noqa: BLE001
        return []


def message_id(value: str | None) -> str | None:
    """A Message-ID as ``<left@right>`` (None when the header holds none)."""
    found = _ID.search(value or "")
    return f"<{found.group(1)}>" if found else None


def references(message: Any) -> tuple[str, ...]:
    """The ids a message answers: In-Reply-To first, then References from the newest back (deduplicated)."""
    replying = [f"<{one}>" for one in _ID.findall(header(message, "In-Reply-To") or "")]
    chain = [f"<{one}>" for one in _ID.findall(" ".join(_all(message, "References")))]
    ordered: dict[str, None] = {}
    for one in replying + list(reversed(chain)):
        ordered.setdefault(one, None)
    return tuple(ordered)[:MAX_REFERENCES]


def thread_root(message: Any, own_id: str | None) -> str | None:
    """The message a thread began with: the first of References, else In-Reply-To, else the message itself."""
    chain = _ID.findall(" ".join(_all(message, "References")))
    if chain:
        return f"<{chain[0]}>"
    replying = _ID.findall(header(message, "In-Reply-To") or "")
    return f"<{replying[0]}>" if replying else own_id


def is_automated(message: Any, from_address: str | None) -> bool:
    """A bounce, an auto-reply or bulk mail (RFC 3834 Auto-Submitted, Precedence, a delivery report)."""
    submitted = (header(message, "Auto-Submitted") or "no").strip().lower()
    if submitted and submitted != "no":
        return True
    if (header(message, "Precedence") or "").strip().lower() in AUTOMATED_PRECEDENCE:
        return True
    if any(header(message, name) for name in ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe")):
        return True
    if message.get_content_type() == "multipart/report" or (header(message, "Return-Path") or "").strip() == "<>":
        return True
    local = (from_address or "").split("@", 1)[0]
    return local in BOUNCE_SENDERS


class _Text(HTMLParser):
    """The text of an HTML body (what a person would read; scripts and styles left out)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def html_text(markup: str) -> str:
    """An HTML body as plain text."""
    reader = _Text()
    reader.feed(markup)
    reader.close()
    text = html.unescape("".join(reader.chunks))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def _content(part: Any) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - an unknown charset or a broken transfer encoding: read what is there
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def body_text(message: Any) -> str:
    """The message's text: its plain part, else its HTML part read as text."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001
        body = None
    if body is None:
        return ""
    content = _content(body)
    return html_text(content) if body.get_content_type() == "text/html" else content.replace("\r\n", "\n")


def split_quote(text: str) -> tuple[str, str | None]:
    """(what is new, what it quotes): the quote starts at the first line a mail program puts before one."""
    lines = text.strip("\n").split("\n")
    for position, line in enumerate(lines):
        if position and any(head.match(line) for head in _QUOTE_HEADS):
            new, quoted = "\n".join(lines[:position]).rstrip(), "\n".join(lines[position:]).strip()
            if new.strip():
                return new, quoted or None
            break
    return text.strip(), None


def attachments(message: Any) -> list[Part]:
    """The files of a message, each at its position in a walk of the parts (how a file is found again)."""
    found = []
    for position, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        try:
            disposition = part.get_content_disposition()
            name = part.get_filename()
        except Exception:  # noqa: BLE001, S112 - a part whose headers cannot be read is no file we can name
            continue
        if disposition != "attachment" and not (name and disposition == "inline"):
            continue
        payload = part.get_payload(decode=True) or b""
        found.append(Part(position=position, name=(name or "")[:200] or None, mime=part.get_content_type(),
                          size=len(payload)))
    return found


def part_at(raw: bytes, position: int) -> tuple[bytes, str]:
    """The bytes and media type of the file at that position of the message."""
    message = parse_message(raw)
    for index, part in enumerate(message.walk()):
        if index == position and not part.is_multipart():
            payload = part.get_payload(decode=True)
            return (payload if isinstance(payload, bytes) else b""), part.get_content_type()
    raise Unreadable("The message has no such part.")


def parse_message(raw: bytes) -> EmailMessage:
    """The whole message, parsed."""
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]
    except Exception as exc:
        raise Unreadable("The message cannot be read.") from exc


def _moment(message: Any) -> datetime | None:
    value = header(message, "Date")
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def read(raw: bytes) -> Mail:
    """What the CRM reads of a stored message (Unreadable when the parser cannot make it out)."""
    message = parse_message(raw)
    try:
        name, address = parseaddr(header(message, "From") or "")
        address = address.strip().lower() if _ADDRESS.fullmatch(address.strip()) else ""
        own_id = message_id(header(message, "Message-ID"))
        new, quoted = split_quote(body_text(message))
        subject = " ".join((header(message, "Subject") or "").split())[:500] or None
        return Mail(message_id=own_id, from_address=address or None, from_name=name.strip()[:200] or None,
                    subject=subject, at=_moment(message), text=new[:TEXT_CHARS] or None,
                    quoted=quoted[:TEXT_CHARS] if quoted else None, references=references(message),
                    thread_id=thread_root(message, own_id), automated=is_automated(message, address or None),
                    parts=attachments(message), verdicts=ses_verdicts.of(message))
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable("The message cannot be read.") from exc
