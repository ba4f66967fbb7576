"""The exact InfluxQL and line protocol the InfluxDB backend sends."""

from __future__ import annotations

import math

import pytest

from kolam.errors import StoreError
from kolam.store import _influxql as q

TAGS = q.TagSet("serang", "kolam-1", "node-1")


def test_line_protocol_sorts_tags_and_writes_floats() -> None:
    line = q.line("water", TAGS, 1_764_288_000_000, {"do_mgl": 5.21, "ph": 7})
    assert line == ("water,device=node-1,pond=kolam-1,site=serang do_mgl=5.21,ph=7.0 "
                    "1764288000000")


def test_line_protocol_escapes_what_it_must() -> None:
    line = q.line("water", q.TagSet("a b", "c,d", "e=f"), 1, {"x y": 1.5})
    assert line == r"water,device=e\=f,pond=c\,d,site=a\ b x\ y=1.5 1"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad: float) -> None:
    with pytest.raises(StoreError, match="non-finite"):
        q.line("water", TAGS, 1, {"ph": bad})


def test_string_literals_cannot_break_out() -> None:
    assert q.literal("o'brien") == r"'o\'brien'"
    assert q.literal("a\\' OR 1=1") == r"'a\\\' OR 1=1'"
    assert q.ident('we"ird') == r'"we\"ird"'


def test_downsample_statement() -> None:
    assert q.downsample("water", "do_mgl", "serang", "kolam-1", 0, 3_600_000, 60_000) == (
        'SELECT mean("do_mgl"), min("do_mgl"), max("do_mgl"), count("do_mgl") FROM "water" '
        '''WHERE "site" = 'serang' AND "pond" = 'kolam-1' AND time >= 0ms AND time < 3600000ms '''
        "GROUP BY time(60000ms) fill(none)")


def test_parse_result_raises_on_errors_and_truncation() -> None:
    with pytest.raises(StoreError, match="database not found"):
        q.parse_result({"results": [{"statement_id": 0, "error": "database not found: x"}]},
                       "SELECT 1")
    with pytest.raises(StoreError, match="max-row-limit"):
        q.parse_result({"results": [{"series": [{"columns": [], "values": [],
                                                 "partial": True}]}]}, "SELECT 1")
    with pytest.raises(StoreError, match="unexpected"):
        q.parse_result([], "SELECT 1")
    assert q.parse_result({"results": [{"statement_id": 0}]}, "SELECT 1") == []
