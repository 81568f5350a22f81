"""The local outbox: mail the app sends through the embedded SES, printed to the console and kept in a file.

moto accepts mail from a verified sender and only records it, so without this the sign-up and
invitation links would be unreachable locally. Each message sent while the runner is up is printed and
appended to ``.local/outbox.jsonl`` (one JSON object a line) for scripts that need the link. A whole MIME
message (a reply from an e-mail line, a document with its PDF, a campaign e-mail) is printed as its reader sees
it: its subject decoded and its text, each file named; the line keeps its MIME text in ``body`` beside them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("local.outbox")

POLL_SECONDS = 0.5


def _addresses(destinations: list[Any]) -> list[str]:
    """A raw message's recipients, each once: moto lists the request's and again the To/Cc headers' (with the
    name as the header encodes it)."""
    from email.utils import parseaddr

    found: dict[str, None] = {}
    for item in destinations:
        found.setdefault(parseaddr(str(item))[1] or str(item), None)
    return list(found)


def read_raw(raw: str) -> tuple[str, str]:
    """(subject, text) of a whole MIME message as its reader sees them: the Subject decoded (an RFC 2047
    encoded-word, Cyrillic included), the plain text part decoded from its transfer encoding, and a line naming
    each attached file instead of its base64."""
    from email import policy
    from email.parser import BytesParser

    try:  # as bytes: moto decoded them as UTF-8, and a str parser misreads an 8bit body (the CRM's replies)
        message = BytesParser(policy=policy.default).parsebytes(raw.encode("utf-8", "surrogateescape"))
        subject = " ".join(str(message.get("Subject") or "").split())
        body = message.get_body(preferencelist=("plain", "html"))
        text = str(body.get_content()).replace("\r\n", "\n") if body is not None else ""
        files = [f"[attached: {part.get_filename() or 'a file'} ({part.get_content_type()}, "
                 f"{len(part.get_payload(decode=True) or b'')} bytes)]" for part in message.iter_attachments()]
    except Exception:  # noqa: BLE001 - a message the parser trips over is printed as it was sent
        return "", raw
    return subject, "\n".join([text.rstrip(), *files]).strip()


def describe(message: Any) -> dict[str, Any]:
    """A moto SES message (simple, raw or templated) as a plain dict; a raw one keeps its MIME text in ``body``
    (scripts read its headers) and gives its decoded subject and readable ``text``."""
    destinations = getattr(message, "destinations", None)
    if isinstance(destinations, dict):
        to = [address for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
              for address in destinations.get(kind, [])]
    elif isinstance(destinations, list):
        to = _addresses(destinations)
    else:
        to = []
    body = getattr(message, "body", None)
    subject = getattr(message, "subject", None) or getattr(message, "template", "")
    text = None
    raw = getattr(message, "raw_data", None)
    if body is None and raw:
        body = raw
        subject, text = read_raw(str(raw))
    elif body is None:
        body = getattr(message, "template_data", "")
    return {
        "id": getattr(message, "id", None) or ",".join(getattr(message, "ids", [])),
        "from": getattr(message, "source", ""),
        "to": to,
        "subject": subject,
        "body": str(body),
        "text": str(body) if text is None else text,
    }


def _sent_lists() -> dict[tuple[str, str], list[Any]]:
    from moto.backends import get_backend

    backends: Any = get_backend("ses")
    return {
        (account, region): backend.sent_messages
        for account, regions in dict.items(backends)
        for region, backend in dict.items(regions)
    }


class Outbox:
    """Watches the embedded SES for messages sent after start."""

    def __init__(self, path: Path, *, write: Callable[[str], None] = print) -> None:
        self.path = path
        self.write = write
        self._seen: dict[tuple[str, str], int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def mark_seen(self) -> None:
        """Treat everything already sent (a restored snapshot's mail) as delivered."""
        self._seen = {key: len(sent) for key, sent in _sent_lists().items()}

    def deliver_new(self) -> list[dict[str, Any]]:
        """Print and record the messages sent since the last call (or since mark_seen); returns them."""
        if self._seen is None:
            return []  # not marked yet: everything present may be a restored snapshot's old mail
        new: list[dict[str, Any]] = []
        for key, sent in _sent_lists().items():
            start = self._seen.get(key, 0)
            count = len(sent)
            new.extend(describe(message) for message in sent[start:count])
            self._seen[key] = count
        for mail in new:
            self.write(
                f"--- mail to {', '.join(mail['to']) or '(nobody)'} from {mail['from']}: {mail['subject']}\n"
                f"{mail['text'].rstrip()}\n---"
            )
        if new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                for mail in new:
                    handle.write(json.dumps({"sent_at": datetime.now(UTC).isoformat(), **mail}) + "\n")
        return new

    def start(self) -> None:
        """Check for new mail twice a second in a daemon thread."""
        if self._seen is None:
            self.mark_seen()
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, delivering what was sent up to now."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.deliver_new()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.deliver_new()
            except Exception:
                log.exception("reading the embedded SES outbox failed")
