"""make run's outbox prints each e-mail the app sends as its reader sees it: a whole MIME message (an e-mail line's
reply, a document with its PDF, a campaign e-mail) printed with an empty subject and its raw base64 before."""

from __future__ import annotations

import base64
import json
import quopri
from pathlib import Path

from chalicelib.core import mail
from chalicelib.core.config import settings
from local.outbox import Outbox

SUBJECT = "Счёт № 12 от Demo Flowers — оплата до пятницы"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _encoded(text: str) -> str:
    """A header value as RFC 2047 encoded-words (base64, UTF-8), folded as a mail program folds them."""
    data = text.encode()
    words = [data[n:n + 30] for n in range(0, len(data), 30)]
    cut: list[bytes] = []
    for word in words:  # never split a UTF-8 character between two encoded-words
        while cut and word and (word[0] & 0xC0) == 0x80:
            cut[-1], word = cut[-1] + word[:1], word[1:]
        cut.append(word)
    return "\r\n ".join(f"=?UTF-8?B?{base64.b64encode(word).decode()}?=" for word in cut if word)


def _message(subject: str, text: str, *, attachment: bool) -> bytes:
    """A real RFC 5322 message: a quoted-printable text part and a base64 PDF, or an 8bit text alone (as the CRM's
    replies go out)."""
    head = (f"From: Demo Flowers <{settings.mail_from}>\r\n"
            "To: =?UTF-8?B?0JzQsNGA0LjRjyDQmNCy0LDQvdC+0LLQsA==?= <maria@example.com>\r\n"
            f"Subject: {subject}\r\nDate: Sun, 06 Dec 2026 21:00:00 +0000\r\n"
            "Message-ID: <outbox-test@crm.example.com>\r\nMIME-Version: 1.0\r\n")
    quoted = quopri.encodestring(text.encode()).decode().replace("\n", "\r\n")
    part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quoted
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text.replace("\n", "\r\n")).encode()
    pdf = base64.b64encode(PDF).decode()
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + part
            + "--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            'Content-Disposition: attachment; filename="INV-12.pdf"\r\n\r\n' + pdf + "\r\n--b1--\r\n").encode()


def test_a_raw_mime_email_prints_its_decoded_subject_and_text(tmp_path: Path) -> None:
    printed: list[str] = []
    box = Outbox(tmp_path / "outbox.jsonl", write=printed.append)
    box.mark_seen()
    text = "Здравствуйте, Мария!\nСчёт во вложении: http://127.0.0.1:8000/#/documents/x\n"  # noqa: RUF001
    mail.send_raw(to="maria@example.com", message=_message(_encoded(SUBJECT), text, attachment=True))
    mail.send_raw(to="maria@example.com", message=_message("Your order", "Спасибо, ждём!\n", attachment=False))
    mail.send(to="oleg@example.com", subject="Confirm your e-mail", text="Open the link.")
    cyrillic, plain, simple = box.deliver_new()

    assert (cyrillic["subject"], plain["subject"], simple["subject"]) == (SUBJECT, "Your order",
                                                                          "Confirm your e-mail")
    assert cyrillic["to"] == plain["to"] == ["maria@example.com"]  # once, not again as the To header spells it
    assert cyrillic["text"] == text.strip() + f"\n[attached: INV-12.pdf (application/pdf, {len(PDF)} bytes)]"
    assert plain["text"] == "Спасибо, ждём!" and simple["text"] == "Open the link."  # an 8bit body, not \\u escapes
    assert "Content-Transfer-Encoding" in cyrillic["body"]  # the MIME text, kept for scripts that read headers
    first = printed[0]
    assert first.startswith(f"--- mail to maria@example.com from {settings.mail_from}: {SUBJECT}\n{text[:5]}")
    assert base64.b64encode(PDF).decode()[:20] not in first and "=?UTF-8?" not in first
    kept = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["subject"] for line in kept] == [SUBJECT, "Your order", "Confirm your e-mail"]
