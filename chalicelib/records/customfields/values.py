"""Validation and normalisation of custom values, one function per field type.

Each function takes the submitted JSON value and returns the value to store, or raises
:class:`InvalidValue` with a message that never repeats the value (it may be personal data).
``from_text`` turns a spreadsheet cell into the JSON value the API would have received.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from chalicelib.core import phones
from chalicelib.records.money import CURRENCIES, minor_exponent

TEXT_MAX = 1000
LONG_TEXT_MAX = 20_000
MONEY_MAX = 10**15  # minor units; stays exact in JavaScript numbers (2**53)
URL_MAX = 2048
EMAIL_MAX = 254
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_LOCAL = re.compile(r"^[^\s@\"(),:;<>\[\\\]]{1,64}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "да", "д", "истина", "x", "✓"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "нет", "н", "ложь"})


class InvalidValue(ValueError):
    """A value that does not fit its field: message and error type for the details list."""

    def __init__(self, message: str, kind: str = "invalid_value") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def _text(raw: Any, limit: int) -> str | None:
    if not isinstance(raw, str):
        raise InvalidValue("Must be text", "type_error")
    value = raw.strip()
    if _CONTROL.search(value):
        raise InvalidValue("Contains control characters")
    if len(value) > limit:
        raise InvalidValue(f"At most {limit} characters", "too_long")
    return value or None  # an empty text clears the field


def text(raw: Any, **_: Any) -> str | None:
    """Single-line or short text, at most 1000 characters."""
    return _text(raw, TEXT_MAX)


def long_text(raw: Any, **_: Any) -> str | None:
    """Long text, at most 20000 characters."""
    return _text(raw, LONG_TEXT_MAX)


def number(raw: Any, **_: Any) -> int | float:
    """A finite number (integers stay integers)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidValue("Must be a number", "type_error")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InvalidValue("Must be a finite number")
    if isinstance(raw, int) and abs(raw) > MONEY_MAX:
        raise InvalidValue("Number is too large")
    return raw


def money(raw: Any, **_: Any) -> dict[str, Any]:
    """``{"minor": int, "currency": ISO 4217}``: integer minor units, never floats."""
    if not isinstance(raw, dict) or set(raw) != {"minor", "currency"}:
        raise InvalidValue('Must be {"minor": integer, "currency": "ISO code"}', "type_error")
    minor, currency = raw["minor"], raw["currency"]
    if isinstance(minor, bool) or not isinstance(minor, int) or abs(minor) > MONEY_MAX:
        raise InvalidValue("minor must be an integer amount in minor units")
    if not isinstance(currency, str) or currency.upper() not in CURRENCIES:
        raise InvalidValue("currency must be an ISO 4217 code", "invalid_currency")
    return {"minor": minor, "currency": currency.upper()}


def date_value(raw: Any, **_: Any) -> str:
    """A calendar date ``YYYY-MM-DD``."""
    if not isinstance(raw, str) or not _DATE.match(raw.strip()):
        raise InvalidValue("Must be a date YYYY-MM-DD", "type_error")
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError as exc:
        raise InvalidValue("Not a real date") from exc


def datetime_value(raw: Any, **_: Any) -> str:
    """An ISO 8601 time with a zone, stored in UTC."""
    if not isinstance(raw, str) or "T" not in raw or len(raw) > 40:
        raise InvalidValue("Must be an ISO 8601 date and time", "type_error")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidValue("Must be an ISO 8601 date and time", "type_error") from exc
    if moment.tzinfo is None:
        raise InvalidValue("Must include a time zone (Z or +hh:mm)", "missing_timezone")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _option_values(options: list[dict[str, str]]) -> set[str]:
    return {option["value"] for option in options}


def select(raw: Any, *, options: list[dict[str, str]], **_: Any) -> str:
    """One of the field's option values."""
    if not isinstance(raw, str):
        raise InvalidValue("Must be one of the options", "type_error")
    if raw not in _option_values(options):
        raise InvalidValue("Not one of the options", "not_an_option")
    return raw


def multiselect(raw: Any, *, options: list[dict[str, str]], **_: Any) -> list[str]:
    """Some of the field's option values, each once, in the order given."""
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidValue("Must be a list of options", "type_error")
    allowed = _option_values(options)
    if any(item not in allowed for item in raw):
        raise InvalidValue("Not one of the options", "not_an_option")
    return list(dict.fromkeys(raw))


def boolean(raw: Any, **_: Any) -> bool:
    """true or false."""
    if not isinstance(raw, bool):
        raise InvalidValue("Must be true or false", "type_error")
    return raw


def phone(raw: Any, *, country: Callable[[], str], **_: Any) -> str:
    """A phone number in E.164, read with the tenant's country as the default region."""
    if not isinstance(raw, str) or len(raw) > phones.MAX_TYPED:
        raise InvalidValue("Must be a phone number", "type_error")
    number = phones.e164(raw, country())
    if number is None:
        raise InvalidValue("Not a valid phone number", "invalid_phone")
    return number


def email(raw: Any, **_: Any) -> str:
    """An e-mail address, lower-cased."""
    if not isinstance(raw, str):
        raise InvalidValue("Must be an e-mail address", "type_error")
    value = raw.strip().lower()
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    valid = (at and len(value) <= EMAIL_MAX and _EMAIL_LOCAL.match(local) and len(labels) >= 2
             and all(_DOMAIN_LABEL.match(label) for label in labels) and len(labels[-1]) >= 2)
    if not valid:
        raise InvalidValue("Not a valid e-mail address", "invalid_email")
    return value


def url(raw: Any, **_: Any) -> str:
    """An http(s) address with a host and no credentials in it."""
    if not isinstance(raw, str):
        raise InvalidValue("Must be a web address", "type_error")
    value = raw.strip()
    if len(value) > URL_MAX or any(char.isspace() for char in value) or _CONTROL.search(value):
        raise InvalidValue("Not a valid web address", "invalid_url")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        raise InvalidValue("Not a valid web address", "invalid_url") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise InvalidValue("Only http and https addresses are allowed", "invalid_url")
    if not host or parts.username is not None or parts.password is not None:
        raise InvalidValue("Not a valid web address", "invalid_url")
    return value


NORMALISERS: dict[str, Callable[..., Any]] = {
    "text": text, "long_text": long_text, "number": number, "money": money, "date": date_value,
    "datetime": datetime_value, "select": select, "multiselect": multiselect, "bool": boolean,
    "phone": phone, "email": email, "url": url,
}


def normalise(field_type: str, raw: Any, *, options: list[dict[str, str]], country: Callable[[], str]) -> Any:
    """The value to store for a field of this type, or InvalidValue."""
    return NORMALISERS[field_type](raw, options=options, country=country)


# -- spreadsheet cells ----------------------------------------------------------------------


def _number_from_text(cell: str) -> int | float:
    compact = cell.replace("\u00a0", "").replace(" ", "")
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")  # 12,5 in Russian spreadsheets
    try:
        value = float(compact)
    except ValueError as exc:
        raise InvalidValue("Must be a number", "type_error") from exc
    return int(value) if value.is_integer() and "." not in compact and "e" not in compact.lower() else value


def _money_from_text(cell: str, default_currency: str) -> dict[str, Any]:
    parts = cell.replace("\u00a0", " ").split()
    currency = default_currency
    if parts and parts[-1].isalpha():
        currency = parts.pop().upper()
    compact = "".join(parts)
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    try:
        amount = Decimal(compact)
    except InvalidOperation as exc:
        raise InvalidValue("Must be an amount", "type_error") from exc
    minor = amount.scaleb(minor_exponent(currency))
    if not minor.is_finite() or minor != minor.to_integral_value():
        raise InvalidValue("Too many decimal places for the currency")
    return {"minor": int(minor), "currency": currency}


def _choice_values(cell: str, options: list[dict[str, str]]) -> list[str]:
    by_label = {option["label"].casefold(): option["value"] for option in options}
    items = [item.strip() for item in re.split(r"[;,|\n]", cell) if item.strip()]
    return [by_label.get(item.casefold(), item) for item in items]


def from_text(field_type: str, cell: str, *, options: list[dict[str, str]], default_currency: str = "USD") -> Any:
    """The JSON value a spreadsheet cell stands for (options matched by value or label)."""
    cell = cell.strip()
    if cell == "":
        return None
    if field_type == "number":
        return _number_from_text(cell)
    if field_type == "money":
        return _money_from_text(cell, default_currency)
    if field_type == "bool":
        word = cell.casefold()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise InvalidValue("Must be yes or no", "type_error")
    if field_type == "select":
        return _choice_values(cell, options)[0]
    if field_type == "multiselect":
        return _choice_values(cell, options)
    return cell
