"""How a document words what it prints: amounts per currency and language, dates, quantities, type names."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.records.money import minor_exponent

DOC_TYPES = ("quote", "invoice", "delivery_note")
PREFIXES = {"quote": "QUO", "invoice": "INV", "delivery_note": "DN"}
LOCALES = ("en", "ru")
TITLES = {
    "en": {"quote": "Quote", "invoice": "Invoice", "delivery_note": "Delivery note"},
    "ru": {"quote": "Коммерческое предложение", "invoice": "Счёт на оплату", "delivery_note": "Товарная накладная"},
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "RUB": "₽", "UAH": "₴", "KZT": "₸", "JPY": "¥", "CNY": "¥",
           "INR": "₹", "TRY": "₺", "ILS": "₪", "KRW": "₩", "GEL": "₾", "AMD": "֏", "BYN": "Br", "PLN": "zł"}
PREFIXED = frozenset({"USD", "GBP", "JPY", "CNY", "INR", "ILS", "KRW"})  # written before the number in English
NBSP = "\u00a0"  # an amount is never broken across lines


def locale_of(value: str | None) -> str:
    """One of the languages documents are worded in (English when another is asked)."""
    short = (value or "en")[:2].lower()
    return short if short in LOCALES else "en"


def _grouped(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def number(value: Decimal | int, *, places: int, locale: str) -> str:
    """A number with its thousands grouped and places decimals, as the language writes it."""
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    whole, _, fraction = f"{abs(quantized):f}".partition(".")
    group, point = (NBSP, ",") if locale == "ru" else (",", ".")
    text = _grouped(whole, group)
    return f"{sign}{text}{point}{fraction}" if places else f"{sign}{text}"


def money(minor: int, currency: str, locale: str) -> str:
    """An amount in minor units as the language writes it: "$1,234.50", "1,234.50 EUR"-like, "1 234,50 ₽"."""
    places = minor_exponent(currency)
    text = number(Decimal(int(minor)).scaleb(-places), places=places, locale=locale)
    symbol = SYMBOLS.get(currency)
    if locale == "en" and symbol and currency in PREFIXED:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    if locale == "en" and currency == "EUR":
        return f"€{text}"
    return f"{text}{NBSP}{symbol or currency}"


def quantity(value: Decimal, locale: str) -> str:
    """A quantity with as many decimals as it has (up to three): "2", "1.5", "0,250"."""
    places = max(0, min(3, -int(value.normalize().as_tuple().exponent)))
    return number(value, places=places, locale=locale)


def rate(basis_points: int, locale: str) -> str:
    """A tax rate in basis points as a percentage: 2000 -> "20%", 1250 -> "12.5%"."""
    value = Decimal(int(basis_points)) / 100
    return f"{quantity(value, locale)}%"


def day(value: date, locale: str) -> str:
    """A date as the language writes it on paper."""
    return value.strftime("%d.%m.%Y") if locale == "ru" else value.strftime("%d %b %Y")


def title(doc_type: str, locale: str) -> str:
    """The name of a document type in a language."""
    return TITLES[locale_of(locale)][doc_type]


def document_number(doc_type: str, year: int, seq: int) -> str:
    """A document's number: its type's prefix, the year and its place in that year (INV-2026-0001)."""
    return f"{PREFIXES[doc_type]}-{year}-{seq:04d}"
