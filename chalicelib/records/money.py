"""Amounts of money: integer minor units plus an ISO 4217 currency code.

The list holds the active ISO 4217 codes (list one, 2024) with their minor-unit exponent, so an
amount can be shown as "12 345,67 ₽" by the UI without guessing how many digits are cents.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.core.schema import Schema

# code -> number of minor-unit digits
CURRENCIES: dict[str, int] = {
    "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
    "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BRL": 2,
    "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2,
    "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2,
    "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
    "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
    "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0,
    "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2,
    "LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
    "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2,
    "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2,
    "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2,
    "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
    "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0,
    "USD": 2, "UYU": 2, "UZS": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XOF": 0,
    "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}
MAX_MINOR = 10**15  # a quadrillion minor units: far above any small business's deal, far below float trouble


def _currency(value: str) -> str:
    code = value.upper()
    if code not in CURRENCIES:
        raise ValueError("not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]


class Amount(Schema):
    """Money as integer minor units (cents, kopecks) and an ISO 4217 code."""

    minor: StrictInt = Field(ge=0, le=MAX_MINOR)  # 100, never "100", 100.0 or true
    currency: CurrencyCode


def minor_exponent(code: str) -> int:
    """How many minor units make one major unit of a currency, as a power of ten."""
    return CURRENCIES.get(code, 2)


# -- quantities and rates (#23): exact decimals in a body, integers in storage ------------------------------------

MILLI = 1000  # a quantity is kept in thousandths of its unit (1.5 kg: 1500), a percentage in thousandths of a
# percent (New York City's sales tax of 8.875 %: 8875), its ``*_milli`` attribute
BASIS_POINTS = 100  # hundredths of a percent, how ``*_bp`` attributes written before rates had three places keep them
RATE_PLACES = 3  # a rate's decimals: 8.875 % (New York City), 9.975 % (Quebec's QST)


def _decimal(value: object, *, places: int, upper: int) -> Decimal:
    """A decimal from a string or an integer (never a float: 0.1 is not what was meant), at most ``places``
    decimals, from 0 to upper."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("give a decimal as a string (\"1.5\") or an integer")
    text = str(value).strip()
    if re.fullmatch(r"\d{1,15}\.\d+", text) and not re.fullmatch(rf"\d+\.\d{{1,{places}}}", text):
        # its own type, so the app can say it in the reader's language (a sales tax of 8.875 % has three places)
        raise PydanticCustomError("decimal_places", "At most {places} decimal places", {"places": places})
    if not re.fullmatch(rf"\d{{1,15}}(\.\d{{1,{places}}})?", text):
        raise ValueError(f"a decimal of at most {places} decimal places, like \"1.5\"")
    number = Decimal(text)
    if number > upper:
        raise ValueError(f"at most {upper}")
    return number


def _quantity(value: object) -> str:
    number = _decimal(value, places=3, upper=10**9)
    if number <= 0:
        raise ValueError("a quantity is more than 0")
    return format(number.normalize(), "f")


def _count(value: object) -> str:
    return format(_decimal(value, places=3, upper=10**9).normalize(), "f")


def _percent(value: object) -> str:
    return format(_decimal(value, places=RATE_PLACES, upper=100).normalize(), "f")


Quantity = Annotated[int | str, BeforeValidator(_quantity),
                     WithJsonSchema({"type": "string", "pattern": r"^\d{1,10}(\.\d{1,3})?$", "examples": ["1.5"]})]
Count = Annotated[int | str, BeforeValidator(_count),  # a quantity that may be 0 (stock on hand)
                  WithJsonSchema({"type": "string", "pattern": r"^\d{1,10}(\.\d{1,3})?$", "examples": ["0", "12.5"]})]
Percent = Annotated[int | str, BeforeValidator(_percent),
                    WithJsonSchema({"type": "string", "pattern": r"^\d{1,3}(\.\d{1,3})?$",
                                    "examples": ["20", "8.875"]})]


def to_milli(quantity: str) -> int:
    """A validated quantity (or percentage) in thousandths."""
    return int(Decimal(quantity) * MILLI)


def from_milli(milli: int) -> str:
    """Thousandths as the decimal string the API shows ("1.5", "8.875")."""
    return format((Decimal(int(milli)) / MILLI).normalize(), "f")


def from_basis_points(points: int) -> str:
    """Basis points as the percentage the API shows ("20", "7.5")."""
    return format((Decimal(int(points)) / BASIS_POINTS).normalize(), "f")


def stored_percent(milli: float | None, basis_points: float | None = None) -> str | None:
    """A percentage as an item keeps it: in thousandths (``*_milli``) since rates have three places, else in the
    basis points (``*_bp``) an item written before holds, read exactly as then; None: neither (no rate)."""
    if milli is not None:
        return from_milli(int(milli))
    return None if basis_points is None else from_basis_points(int(basis_points))
