"""Probe care arithmetic: a pH two-point calibration's slope and offset, its plausibility
checks, drift against a manual reading, and due dates."""

from __future__ import annotations

import pytest

from kolam.errors import InvalidRecord
from kolam.farming.kpi import DAY_MS
from kolam.farming.probe_care import Kind, calibrate, drift, due, nernst_mv


def test_nernst_slope_is_59_16_mv_at_25_c() -> None:
    assert nernst_mv(25.0) == pytest.approx(59.16, abs=0.01)
    assert nernst_mv(30.0) == pytest.approx(60.15, abs=0.01)


def test_a_healthy_electrode() -> None:
    # The worked example of the offset-and-slope procedure: pH 7.01 at -15 mV, 4.01 at
    # +160 mV: 175 mV over 3 pH units, 58.3 mV/pH, 98.6 % of Nernst.
    c = calibrate(7.00, -15.0, 4.01, 160.0)
    assert c.slope_mv == pytest.approx(175 / 2.99, abs=0.01)
    assert c.slope_pct == pytest.approx(98.9, abs=0.1)
    assert c.offset_mv == pytest.approx(-15.0)
    assert c.ok and c.problems == ()


def test_a_tired_and_a_coated_electrode() -> None:
    tired = calibrate(7.00, 15.0, 4.01, 160.0)  # 145 mV: 82 % slope
    assert not tired.ok and tired.problems == ("slope_low",)
    coated = calibrate(7.00, 45.0, 10.01, -130.0)  # offset +45 mV, slope 98 %
    assert coated.problems == ("offset",)
    assert coated.offset_mv == pytest.approx(45.0)


def test_a_calibration_at_pond_temperature() -> None:
    # 30 °C: Nernst is 60.15 mV/pH, so the same 175 mV reads as a lower percentage.
    assert calibrate(7.00, 0.0, 4.00, 175.0, 30.0).slope_pct == pytest.approx(97.0, abs=0.1)


@pytest.mark.parametrize(("args", "key"), [
    ((7.0, 0.0, 4.5, 170.0), "not_a_buffer"),
    ((4.01, 170.0, 7.0, 0.0), "buffer1_neutral"),
    ((7.0, 0.0, 6.86, 8.0), "buffer2_far"),
    ((7.0, 0.0, 4.01, 1700.0), "reading_mv"),
    ((7.0, 170.0, 4.01, 0.0), "slope_sign"),
], ids=["buffer-4.5", "ph4-first", "same-buffer", "1700-mV", "swapped"])
def test_numbers_that_cannot_be_a_calibration(args: tuple[float, float, float, float],
                                              key: str) -> None:
    with pytest.raises(InvalidRecord) as exc:
        calibrate(*args)
    assert exc.value.key == key


def test_drift_compares_with_the_nearest_probe_reading() -> None:
    at = 1_000_000_000
    readings = [(at - 20 * 60_000, 9.9), (at - 60_000, 5.9), (at + 4 * 60_000, 6.1)]
    d = drift("do_mgl", 5.2, at, readings)
    assert (d.probe, d.probe_at) == (5.9, at - 60_000)
    assert d.difference == pytest.approx(0.7) and d.ok is False
    assert drift("do_mgl", 5.5, at, readings).ok is True
    assert drift("ph", 7.1, at, [(at - 20 * 60_000, 7.5)]).probe is None  # none in 15 min
    with pytest.raises(InvalidRecord):
        drift("temp_c", 28.0, at, readings)


def test_due_dates() -> None:
    now = 100 * DAY_MS
    never = due("node-1", Kind.PH_CALIBRATION, None, now - DAY_MS, now)
    assert never.due_at == now - DAY_MS and not never.overdue  # due at once, not late
    assert due("node-1", Kind.PH_CALIBRATION, None, now - 20 * DAY_MS, now).overdue
    week = due("node-1", Kind.DO_MEMBRANE_CHECK, now - 8 * DAY_MS, 0, now)
    assert week.due_at == now - DAY_MS and week.overdue
    assert not due("node-1", Kind.PH_CALIBRATION, now - 8 * DAY_MS, 0, now).overdue
    clean = due("node-1", Kind.PROBE_CLEANING, now - 3 * DAY_MS, 0, now,
                failed_drift_at=now - 3_600_000)
    assert clean.due_at == now - 3_600_000 and not clean.overdue
