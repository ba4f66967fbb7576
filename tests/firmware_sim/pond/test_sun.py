"""Sunrise, sunset and daylight at Serang."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from firmware_sim.pond.sun import WIB, cloud_light_factor, sin_elevation, sun_times


def test_serang_sun_times_on_1_november() -> None:
    st = sun_times(date(2026, 11, 1))
    # Serang at 6° S: sunrise ~05:30, solar noon ~11:40, sunset ~17:50 WIB in early November.
    assert st.sunrise.tzinfo is WIB
    assert (st.sunrise.hour, st.sunrise.minute) >= (5, 20)
    assert (st.sunrise.hour, st.sunrise.minute) <= (5, 40)
    assert (st.sunset.hour, st.sunset.minute) >= (17, 40)
    assert (st.sunset.hour, st.sunset.minute) <= (18, 0)
    assert 12.1 < st.daylight_h < 12.5


def test_daylight_is_longest_in_the_southern_summer() -> None:
    december = sun_times(date(2026, 12, 21)).daylight_h
    june = sun_times(date(2026, 6, 21)).daylight_h
    assert december > 12.3 > 11.9 > june > 11.5


def test_sun_is_high_at_solar_noon_and_below_horizon_at_midnight() -> None:
    st = sun_times(date(2026, 11, 1))
    assert sin_elevation(st.solar_noon.timestamp()) > 0.95  # sun nearly overhead in Nov
    midnight = datetime(2026, 11, 1, 17, tzinfo=UTC).timestamp()  # 00:00 WIB
    assert sin_elevation(midnight) < -0.9
    assert sin_elevation(st.sunrise.timestamp()) == pytest.approx(-0.0145, abs=0.01)


def test_cloud_cover_cuts_light_per_kasten_czeplak() -> None:
    assert cloud_light_factor(0.0) == 1.0
    assert cloud_light_factor(1.0) == pytest.approx(0.25)
    assert 0.9 < cloud_light_factor(0.5) < 0.95
