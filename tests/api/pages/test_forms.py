"""Numbers and dates typed into page forms."""

from __future__ import annotations

import pytest

from api.pages.charts import step_s
from api.pages.forms import date_wib, number
from kolam.registry.records import InvalidRecord


@pytest.mark.parametrize(("raw", "want"), [("2,5", 2.5), ("2.5", 2.5), (" 10 ", 10.0),
                                           ("1 000", 1000.0)])
def test_numbers_with_comma_or_dot(raw: str, want: float) -> None:
    assert number(raw, "x") == want


@pytest.mark.parametrize(("raw", "message"), [("", "required"), ("abc", "not a number"),
                                              ("-1", "more than 0"), ("nan", "more than 0"),
                                              ("1,5", "whole number")])
def test_bad_numbers_name_the_field(raw: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"seed count: .*{message}"):
        number(raw, "seed count", integer=True)


def test_optional_number() -> None:
    assert number("", "count", required=False) is None


def test_dates_are_wib() -> None:
    assert date_wib("1970-01-02", "d", 0) == 17 * 3_600_000
    assert date_wib("", "d", 42) == 42
    with pytest.raises(InvalidRecord, match="not a date"):
        date_wib("02/01/1970", "d", 0)


def test_chart_step_gives_about_500_points() -> None:
    for days in (1, 7, 30):
        span = days * 86_400_000
        assert 400 <= span / 1000 / step_s(span) <= 500
