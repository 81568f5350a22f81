"""The one phone parser: E.164 for keys and lookups, the international form for people."""

from __future__ import annotations

import pytest

from chalicelib.core import phones


@pytest.mark.parametrize(("typed", "region", "expected"), [
    ("8 (916) 123-45-67", "RU", "+79161234567"),  # national, with the company's country
    ("+44 7911 123456", None, "+447911123456"),
    ("07911 123456", "GB", "+447911123456"),
    ("07911 123456", None, None),  # national without a country: nobody can tell
    ("+7 916 123", "RU", None),  # too short to be a number
    ("anonymous", "RU", None),
    ("", "RU", None),
    ("+7 916 123 45 67" + " " * 30, "RU", None),  # longer than anyone types a number
])
def test_e164(typed: str, region: str | None, expected: str | None) -> None:
    assert phones.e164(typed, region) == expected


@pytest.mark.parametrize(("number", "expected"), [
    ("+79161234567", "+7 916 123-45-67"),
    ("+447911123456", "+44 7911 123456"),
    ("anonymous", "anonymous"),  # a withheld caller, as the provider said it
    ("+7916", "+7916"),  # not a valid number: as it came
])
def test_readable(number: str, expected: str) -> None:
    assert phones.readable(number) == expected
