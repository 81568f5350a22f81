"""Percentages to three decimal places (a sales tax of 8.875 %, Quebec's 9.975 %), kept in thousandths, and the
basis points of items written before read exactly as then."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from chalicelib.records import money

PERCENT = TypeAdapter(money.Percent)


@pytest.mark.parametrize(("typed", "shown"), [("8.875", "8.875"), ("9.975", "9.975"), ("8.250", "8.25"),
                                              ("20", "20"), (20, "20"), ("7.50", "7.5"), ("0", "0"), ("100", "100"),
                                              (" 0.125 ", "0.125")])
def test_a_rate_is_shown_as_typed_to_three_places(typed: str | int, shown: str) -> None:
    assert PERCENT.validate_python(typed) == shown


@pytest.mark.parametrize("typed", ["8.8755", "100.001", "-1", "8,875", "eight", 8.875, True, "", "1e1"])
def test_what_is_not_a_rate_is_refused(typed: object) -> None:
    with pytest.raises(ValidationError):
        PERCENT.validate_python(typed)


def test_a_fourth_decimal_says_how_many_places_a_rate_has() -> None:
    with pytest.raises(ValidationError) as refused:
        PERCENT.validate_python("8.8755")
    assert refused.value.errors()[0]["type"] == "decimal_places"
    assert refused.value.errors()[0]["msg"] == "At most 3 decimal places"


def test_the_schema_admits_three_places() -> None:
    assert PERCENT.json_schema()["pattern"] == r"^\d{1,3}(\.\d{1,3})?$"


@pytest.mark.parametrize("rate", ["8.875", "20", "7.5", "0", "0.001", "99.999", "100"])
def test_a_rate_round_trips_through_thousandths(rate: str) -> None:
    assert money.from_milli(money.to_milli(rate)) == rate
    assert money.stored_percent(money.to_milli(rate)) == rate


def test_an_item_written_in_basis_points_reads_as_then() -> None:
    assert money.to_milli("8.875") == 8875
    assert [money.stored_percent(None, bp) for bp in (2000, 750, 1250, 0, 1)] == ["20", "7.5", "12.5", "0", "0.01"]
    assert money.stored_percent(None, None) is None  # no rate, not 0
    assert money.stored_percent(8875, 2000) == "8.875"  # thousandths, where written, win
