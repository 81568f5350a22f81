"""Reading a form post: urlencoded, multipart or JSON, into ``{name: text}``, strictly.

Anything broken answers 4xx in the error shape before anything is stored: too many fields, a field
too long, bytes that are not text in the declared charset, broken percent-escapes, malformed
multipart or JSON. Multipart is read with the standard library's e-mail parser (a form post is a
MIME document): files are not kept, only their names. python-multipart would add a dependency for
streaming large uploads, which a 1 MiB body limit never needs.
"""

from __future__ import annotations

import codecs
import re
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.core import errors
from chalicelib.core.http import FORM, JSON, MULTIPART, load_json

MAX_FIELDS = 100
MAX_VALUE = 10_000
MAX_NAME = 200
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def malformed(message: str, code: str = "malformed_body") -> errors.CRMError:
    """A 400 in the error shape for a body we cannot read."""
    return errors.BadRequestError(message, code=code)


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """The media type of a Content-Type header and its parameters (lower-cased names)."""
    parts = [part.strip() for part in (header or "").split(";")]
    params: dict[str, str] = {}
    for part in parts[1:]:
        name, _, value = part.partition("=")
        if name:
            params[name.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params


def _charset(params: dict[str, str]) -> str:
    name = params.get("charset") or "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise errors.UnsupportedMediaTypeError(f"The charset {name[:40]!r} is not supported.") from None


def _text(raw: bytes, charset: str, what: str) -> str:
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError:
        raise malformed(f"The {what} is not valid {charset} text.", "invalid_encoding") from None
    return text


def _add(fields: dict[str, str], name: str, value: str) -> None:
    if not name or len(name) > MAX_NAME:
        raise errors.ValidationError("A field name is empty or too long.", code="invalid_field_name")
    if len(value) > MAX_VALUE:
        raise errors.ValidationError(f"A field is longer than {MAX_VALUE} characters.", code="field_too_long",
                                     details=[{"loc": ["body", name[:MAX_NAME]], "msg": "Too long",
                                               "type": "field_too_long"}])
    if name not in fields and len(fields) >= MAX_FIELDS:
        raise errors.ValidationError(f"A form may have at most {MAX_FIELDS} fields.", code="too_many_fields")
    # A repeated name (checkboxes) keeps every value, in order.
    fields[name] = f"{fields[name]}, {value}" if name in fields else value
    if len(fields[name]) > MAX_VALUE:
        raise errors.ValidationError(f"A field is longer than {MAX_VALUE} characters.", code="field_too_long")


def parse_urlencoded(raw: bytes, params: dict[str, str]) -> dict[str, str]:
    """``a=1&b=2`` with strict percent-escapes and charset."""
    if _BAD_ESCAPE.search(raw):
        raise malformed("The body has a broken percent-escape.", "invalid_encoding")
    charset = _charset(params)
    pairs = [pair for pair in raw.split(b"&") if pair]
    if len(pairs) > MAX_FIELDS * 4:  # checked before decoding: a flood of pairs costs nothing to refuse
        raise errors.ValidationError(f"A form may have at most {MAX_FIELDS} fields.", code="too_many_fields")
    fields: dict[str, str] = {}
    for pair in pairs:
        name, _, value = _text(pair, charset, "body").partition("=")
        try:
            _add(fields, unquote_plus(name, charset, "strict").strip(), unquote_plus(value, charset, "strict"))
        except UnicodeDecodeError:
            raise malformed(f"An escaped field is not valid {charset} text.", "invalid_encoding") from None
    return fields


def parse_multipart(raw: bytes, content_type: str) -> dict[str, str]:
    """``multipart/form-data``: text parts as fields, file parts by file name only."""
    from email.parser import BytesParser
    from email.policy import HTTP

    _, params = media_type(content_type)
    if not params.get("boundary"):
        raise malformed("The multipart body has no boundary.")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1", "replace")
                                                  + b"\r\n\r\n" + raw)
    parts: Any = message.get_payload() if message.is_multipart() else None
    if not isinstance(parts, list) or message.defects or any(part.defects for part in parts):
        raise malformed("The multipart body is malformed.")
    fields: dict[str, str] = {}
    part: Any
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise malformed("A multipart part has no field name.")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        charset = _charset({"charset": part.get_content_charset() or "utf-8"})
        value = filename if filename else _text(payload, charset, "field")
        _add(fields, name.strip(), value)
    return fields


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise errors.ValidationError("A JSON form is an object of texts, numbers or lists of them.",
                                 code="unsupported_shape")


def parse_json_fields(raw: bytes) -> dict[str, str]:
    """A flat JSON object; lists of scalars are joined like repeated form fields."""
    _text(raw, "utf-8", "body")  # 400 invalid_encoding for bytes that are not UTF-8
    document = load_json(raw)  # 400 malformed_body for broken JSON or nesting too deep
    if not isinstance(document, dict):
        raise errors.ValidationError("A JSON form is an object.", code="unsupported_shape")
    if len(document) > MAX_FIELDS:
        raise errors.ValidationError(f"A form may have at most {MAX_FIELDS} fields.", code="too_many_fields")
    fields: dict[str, str] = {}
    for name, value in document.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            text = _scalar(item)
            if text is not None:
                _add(fields, str(name).strip(), text)
    return fields


def _check_text(fields: dict[str, str]) -> dict[str, str]:
    for name, value in fields.items():
        try:
            (name + value).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from JSON escapes are not text
            raise malformed("A field is not valid text.", "invalid_encoding") from None
        if "\x00" in name or "\x00" in value:  # no text holds NUL (other controls are cleaned from names)
            raise errors.ValidationError("A field holds a NUL character.", code="control_character",
                                         details=[{"loc": ["body", name.replace("\x00", "")[:MAX_NAME]],
                                                   "msg": "NUL is not allowed", "type": "control_character"}])
    return fields


def parse(content_type: str | None, raw: bytes | None) -> dict[str, str]:
    """The fields of a form post of any accepted type; 4xx for anything we cannot read."""
    mime, params = media_type(content_type)
    if not raw:
        raise malformed("The body is empty.", "empty_body")
    if mime == FORM:
        return _check_text(parse_urlencoded(raw, params))
    if mime == MULTIPART:
        return _check_text(parse_multipart(raw, content_type or ""))
    if mime == JSON:
        return _check_text(parse_json_fields(raw))
    raise errors.UnsupportedMediaTypeError()
