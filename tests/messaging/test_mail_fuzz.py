"""Malformed and hostile mail (#17): seeded mutations of real messages never fail the mail handler or the inbox's
processing with anything but a recorded outcome, and what SES stored is always kept."""

from __future__ import annotations

import random

from chalicelib.messaging.email import mime
from tests.factories import signup
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient
from webhooks import mail

SEED = 1717


def _mutations(base: bytes, count: int) -> list[bytes]:
    """Byte flips, cut messages, repeated and broken headers, hostile boundaries: deterministic (seeded)."""
    rng = random.Random(SEED)
    hostile = [b"Content-Type: multipart/mixed; boundary=\"\"\r\n", b"Content-Transfer-Encoding: base64\r\n",
               b"Subject: =?utf-8?b?////?=\r\n", b"From: <>\r\n", b"References: " + b"<a@b> " * 500 + b"\r\n",
               b"Content-Type: text/plain; charset=\"x-unknown\"\r\n", b"Date: 99 Foo 99999 99:99:99\r\n",
               b"Message-ID: " + b"<" * 300 + b"\r\n", b"\x00\x01\x02\r\n", b"Content-Type: message/rfc822\r\n"]
    found = []
    for _ in range(count):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            choice = rng.random()
            at = rng.randrange(len(data))
            if choice < 0.4:
                data[at] = rng.randrange(256)
            elif choice < 0.6:
                del data[at:at + rng.randint(1, 200)]
            else:
                data[at:at] = rng.choice(hostile)
        found.append(bytes(data))
    return found


def test_the_parser_reads_or_refuses_every_mutation_and_never_raises_anything_else() -> None:
    base = mail.messages("new", mail.Correspondent(forward_to="x@inbound.example"))[0].as_bytes()
    for raw in _mutations(base, 200):
        try:
            read = mime.read(raw)
        except mime.Unreadable:
            continue
        assert read.text is None or len(read.text) <= mime.TEXT_CHARS
        mime.recipients(mime.headers_of(raw))


def test_the_handler_stores_or_keeps_every_mutation(client: ApiClient) -> None:
    company = signup(client, company="Fuzzed Mail", country="GB")
    line = create_line(client, company, from_address=None)
    base = mail.messages("new", mail.Correspondent(forward_to=line["settings"]["inbound_address"]))[0].as_bytes()
    answer = deliver(*_mutations(base, 20))
    assert "batchItemFailures" not in answer
    assert sum(v for k, v in answer.items() if k != "keys") == 20
