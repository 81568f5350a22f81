"""The local outbox: mail the app sends through the embedded SES, printed to the console and kept in a file.

moto accepts mail from a verified sender and only records it, so without this the sign-up and
invitation links would be unreachable locally. Each message sent while the runner is up is printed and
appended to ``.local/outbox.jsonl`` (one JSON object a line) for scripts that need the link.
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


def describe(message: Any) -> dict[str, Any]:
    """A moto SES message (simple, raw or templated) as a plain dict."""
    destinations = getattr(message, "destinations", None)
    if isinstance(destinations, dict):
        to = [address for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
              for address in destinations.get(kind, [])]
    elif isinstance(destinations, list):
        to = [str(item) for item in destinations]
    else:
        to = []
    body = getattr(message, "body", None)
    if body is None:
        body = getattr(message, "raw_data", None) or getattr(message, "template_data", "")
    return {
        "id": getattr(message, "id", None) or ",".join(getattr(message, "ids", [])),
        "from": getattr(message, "source", ""),
        "to": to,
        "subject": getattr(message, "subject", None) or getattr(message, "template", ""),
        "body": str(body),
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
                f"{mail['body'].rstrip()}\n---"
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
