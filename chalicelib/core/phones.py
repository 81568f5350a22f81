"""Phone numbers in E.164: the one parser for contacts, custom fields and webhooks."""

from __future__ import annotations

MAX_TYPED = 40  # longer text is not a phone number someone typed


def e164(raw: str, region: str | None) -> str | None:
    """The E.164 form of a phone typed in any format (region: the default country), or None when invalid."""
    import phonenumbers  # on first use: its metadata is a noticeable part of a cold start

    if not raw or len(raw) > MAX_TYPED:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def readable(number: str) -> str:
    """An E.164 number as people read it, in international format ("+7 916 123-45-67", "+44 7911 123456"), as
    the web app shows every number; anything that is not one, as it came."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
