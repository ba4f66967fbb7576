"""Numbers and dates typed into page forms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.forms import date_wib, number, parse_number
from api.i18n import error_text, num
from api.pages.charts import step_s
from kolam.farming.bounds import FEED_KG
from kolam.registry.records import InvalidRecord


@pytest.mark.parametrize(("raw", "want"), [("2,5", 2.5), ("2.5", 2.5), (" 10 ", 10.0),
                                           ("1 000", 1000.0)])
def test_numbers_with_comma_or_dot(raw: str, want: float) -> None:
    assert number(raw, "x") == want


@pytest.mark.parametrize(("raw", "message"), [("", "required"), ("abc", "not a number"),
                                              ("-1", "more than 0"), ("nan", "more than 0"),
                                              ("1,5", "whole number")])
def test_bad_numbers_name_the_field(raw: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"Seed count: .*{message}"):
        number(raw, "f_seed_count", "en", integer=True)


def test_optional_number() -> None:
    assert number("", "count", required=False) is None


def test_dates_are_wib() -> None:
    assert date_wib("1970-01-02", "d", 0) == 17 * 3_600_000
    assert date_wib("", "d", 42) == 42
    with pytest.raises(InvalidRecord, match="not a date"):
        date_wib("02/01/1970", "d", 0)


def test_chart_step_gives_at_most_750_points_from_rollups_when_long() -> None:
    for days in (1, 7, 30):
        span = days * 86_400_000
        assert 500 <= span / 1000 / step_s(span) <= 750
    # A week reads 5-minute roll-ups and 30 days hourly ones: 720 rows (docs/storage.md).
    assert step_s(7 * 86_400_000) % 300 == 0 and step_s(30 * 86_400_000) == 3600


@pytest.mark.parametrize(("raw", "lang", "want"), [
    ("22.000", "id", 22_000.0), ("22.000", "en", 22.0), ("22,000", "en", 22_000.0),
    ("22,000", "id", 22.0), ("1.234,5", "id", 1234.5), ("1,234.5", "id", 1234.5),
    ("1.234.567", "id", 1_234_567.0), ("Rp 22.000", "id", 22_000.0), ("2.5", "id", 2.5),
    ("2,5", "en", 2.5), ("0.500", "id", 0.5), ("1\u00a0000", "id", 1000.0)])
def test_indonesian_and_english_number_formats(raw: str, lang: str, want: float) -> None:
    assert number(raw, "f_price", lang) == want


@pytest.mark.parametrize("raw", ["1.2.3", "1,2,3", "1.23,4", "12,34.5,6", "1..2", "."])
def test_malformed_groupings_are_not_numbers(raw: str) -> None:
    with pytest.raises(InvalidRecord, match="is not a number") as info:
        number(raw, "f_price", "id")
    assert info.value.key == "not_number"


@given(st.decimals(min_value=0, max_value=10_000_000, places=3, allow_nan=False),
       st.integers(0, 3), st.sampled_from(["id", "en"]))
def test_what_the_pages_print_reads_back(value: Decimal, decimals: int, lang: str) -> None:
    """Every number the pages print (``api.i18n.num``) is read back as the same number."""
    shown = num(float(value), decimals, lang)
    assert parse_number(shown, lang) == pytest.approx(round(float(value), decimals), abs=1e-9)


def test_errors_name_the_field_in_the_language() -> None:
    with pytest.raises(InvalidRecord) as info:
        number("2,5", "f_dead_count", "id", integer=True)
    assert error_text(info.value, "id") == "Ikan mati: harus bilangan bulat"
    assert error_text(info.value, "en") == "Dead fish: must be a whole number"
    assert str(info.value) == "Dead fish: must be a whole number"  # the API's English
    with pytest.raises(InvalidRecord) as info:
        number("501", "f_feed_kg", "id", bound=FEED_KG)
    assert error_text(info.value, "id") == "Pakan: paling banyak 500 kg per catatan"
