"""Words, numbers with units, WIB times and "how long ago" in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import api
from api import fmt
from api.i18n import WORDS, ago, num, reading, t, tn, wib
from api.status import Status
from gateway.control import Problem
from kolam.business.records import CashCategory, MoveKind, Source, StockKind
from kolam.farming.probe_care import Kind
from kolam.farming.skills import COMPETENCIES
from kolam.places import SiteKind
from kolam.registry.people import CHANNELS
from kolam.registry.records import CostCategory, LogKind, MemberStatus, Programme
from kolam.timeutil import to_ms


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
    assert wib(0) == "01/01/1970 07:00 WIB"
    assert wib(0, "en") == "1 Jan 1970 07:00 WIB"


@pytest.mark.parametrize(("age_s", "lang", "want"), [
    (3, "id", "baru saja"), (42, "id", "42 detik lalu"), (150, "id", "2 menit lalu"),
    (7200, "en", "2 h ago"), (3 * 86400, "id", "3 hari lalu")])
def test_ago(age_s: int, lang: str, want: str) -> None:
    assert ago(1_000_000_000, 1_000_000_000 - age_s * 1000, lang) == want


def test_fill_and_unknown_key() -> None:
    assert t("en", "day_n", n=3) == "day 3"
    assert t("id", "no-such-key") == "no-such-key"


# h11-pages (issue #17 item 6): one way of writing numbers, money and dates (api.fmt), and
# no string on a page without both languages.

@pytest.mark.parametrize(("lang", "want"), [
    ("id", ("1.234,5", "Rp 3.980.000", "24/11/2026", "24/11/2026 14:25 WIB", "24/11 14:25 WIB",
            "12,5 %")),
    ("en", ("1,234.5", "Rp 3,980,000", "24 Nov 2026", "24 Nov 2026 14:25 WIB",
            "24 Nov 14:25 WIB", "12.5 %"))])
def test_one_format_per_language(lang: str, want: tuple[str, ...]) -> None:
    at = to_ms(datetime(2026, 11, 24, 7, 25, tzinfo=UTC))  # 14:25 WIB
    got = (fmt.number(1234.5, 1, lang), fmt.rupiah(3_980_000, lang), fmt.date(at, lang),
           fmt.datetime(at, lang), fmt.datetime(at, lang, year=False),
           fmt.percent(12.5, 1, lang))
    assert got == want


def test_times_are_24_hour_in_the_site_zone() -> None:
    at = to_ms(datetime(2026, 11, 30, 8, 5, tzinfo=UTC))  # 15:05 WIB, "3pm" nowhere
    assert fmt.clock(at) == "15:05 WIB" and fmt.clock(at, named=False) == "15:05"
    assert fmt.number(-0.04, 1, "id") == "0,0" and fmt.date(None) == "—"


def test_plurals() -> None:
    assert tn("en", "ev_cycle", 1) == "1 cycle completed"
    assert tn("en", "ev_cycle", 2) == "2 cycles completed"
    assert tn("id", "ev_cycle", 2) == "2 siklus selesai"
    assert tn("id", "n_fish", 1200) == "1.200 ekor"
    assert t("en", "n_fish") == "{n} fish"
    plural = [k for k, (_, en) in WORDS.items() if "|" in en]
    assert plural and all(WORDS[k][1].count("|") == 1 for k in plural)
    assert not any("|" in id_ for id_, _ in WORDS.values())


_TEMPLATES = Path(api.__file__).parent / "templates"
_LITERAL = re.compile(r"""(?:\b_n?|\bid_|\ben_|\bidn|\benn)\(\s*['"]([a-z0-9_]+)['"]\s*[,)]""")
_PREFIXED = re.compile(r"""(?:\b_n?|\bid_|\ben_|\bidn|\benn)\(\s*['"]([a-z0-9_]+_)['"]\s*~""")


def test_every_key_a_template_names_has_both_languages() -> None:
    """Literal keys (``_('alerts')``) exist; so does every value a prefixed key can take
    (``_('st_' ~ status)``, ``_('prog_' ~ programme)``...), and every enum shown bare."""
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in _TEMPLATES.rglob("*.html"):
        text = path.read_text()
        used |= set(_LITERAL.findall(text))
        prefixes |= set(_PREFIXED.findall(text))
    values = {
        "st_": [s.value for s in Status] + ["stale"], "ms_": [m.value for m in MemberStatus],
        "prog_": [p.value for p in Programme], "ev_": [c.code for c in COMPETENCIES],
        "range_": ["24h", "7d", "30d"],
        "dl_": ["pending", "sent", "failed", "dead", "delivered", "read"],
        "output_cmd_": ["pending", "expired"], "output_cmd_auto_": ["pending", "expired"],
        "uk_": [k.value for k in SiteKind],
        "care_": [k.value for k in Kind],  # round (#17 item 5): probe care kinds
        # roster (#21)
        "wd_": [str(d) for d in range(7)], "ch_": list(CHANNELS),
        "level_": ["0", "1", "2"], "channels_for_": ["critical", "warning"],
        "gw_problem_": [p.value for p in Problem],
        "cost_": [c.value for c in CostCategory], "tan_as_": ["N", "NH3", "NH4"],
        # umkm (#20): the cash book's categories and sources, the stock card's kinds.
        "cat_": [c.value for c in CashCategory], "src_": [x.value for x in Source] + ["feeding"],
        "mk_": [m.value for m in MoveKind], "sk_": [k.value for k in StockKind]}
    assert prefixes <= set(values), f"a prefix this test does not know: {prefixes - set(values)}"
    used |= {p + v for p in prefixes for v in values[p]}
    used |= {k.value for k in LogKind} | {"open", "acknowledged", "resolved"}
    missing = sorted(k for k in used if k not in WORDS)
    assert missing == [], f"keys shown on pages without a phrase: {missing}"
