"""Words, numbers with units, WIB times and "how long ago" in both languages."""

from __future__ import annotations

import pytest

from api.i18n import WORDS, ago, num, reading, t, wib


def test_every_phrase_has_both_languages() -> None:
    assert all(len(pair) == 2 and all(pair) for pair in WORDS.values())


@pytest.mark.parametrize(("value", "decimals", "lang", "want"), [
    (1234.5, 1, "id", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (None, 2, "id", "—"),
    (0.0525, 3, "id", "0,052")])
def test_numbers_follow_the_language(value: float | None, decimals: int, lang: str,
                                     want: str) -> None:
    assert num(value, decimals, lang) == want


def test_readings_carry_units() -> None:
    assert reading("do_mgl", 5.214, "id") == "5,21 mg/L"
    assert reading("temp_c", 28.44, "en") == "28.4 °C"
    assert reading("ph", 7.1, "id") == "7,10"


def test_times_are_wib() -> None:
    assert wib(0) == "01-01-1970 07:00 WIB"


@pytest.mark.parametrize(("age_s", "lang", "want"), [
    (3, "id", "baru saja"), (42, "id", "42 detik lalu"), (150, "id", "2 menit lalu"),
    (7200, "en", "2 h ago"), (3 * 86400, "id", "3 hari lalu")])
def test_ago(age_s: int, lang: str, want: str) -> None:
    assert ago(1_000_000_000, 1_000_000_000 - age_s * 1000, lang) == want


def test_fill_and_unknown_key() -> None:
    assert t("en", "day_n", n=3) == "day 3"
    assert t("id", "no-such-key") == "no-such-key"
