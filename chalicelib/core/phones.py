"""Phone numbers in E.164: the one parser for contacts, custom fields and webhooks."""

from __future__ import annotations

from typing import Any

MAX_TYPED = 40  # longer text is not a phone number someone typed


def _valid(raw: str, region: str | None) -> Any:
    """The parsed number when raw is a valid phone number (region: the default country), else None."""
    import phonenumbers  # on first use: its metadata is a noticeable part of a cold start

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164(raw: str, region: str | None) -> str | None:
    """The E.164 form of a phone typed in any format (region: the default country), or None when invalid."""
    import phonenumbers

    number = _valid(raw, region) if raw and len(raw) <= MAX_TYPED else None
    return None if number is None else str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def readable(number: str) -> str:
    """An E.164 number as people read it, in international format ("+7 916 123-45-67", "+44 7911 123456"), as
    the web app shows every number; anything that is not one, as it came."""
    import phonenumbers

    parsed = _valid(number, None)
    if parsed is None:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
