"""Sunrise, sunset and solar elevation at Serang (kolam.science.sun, shared by the forecast and
the simulator)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kolam.science.sun import (
    last_sunset_ms,
    next_sunrise_ms,
    sin_elevation,
    sun_events_ms,
    sun_times,
)
from kolam.timeutil import WIB


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


@pytest.mark.parametrize("day", [date(2026, 1, 15), date(2026, 6, 21), date(2026, 11, 1)])
def test_epoch_ms_events_are_the_simulators_sun_times(day: date) -> None:
    # The forecast (ms) and the simulator (WIB dates) read one algorithm: same instants.
    st = sun_times(day)
    rise, sets = sun_events_ms(int(datetime(day.year, day.month, day.day, tzinfo=UTC)
                                   .timestamp() * 1000))
    assert abs(rise - st.sunrise.timestamp() * 1000) < 2  # ms truncations
    assert abs(sets - st.sunset.timestamp() * 1000) < 2  # ms truncations


def test_next_sunrise_and_last_sunset_bracket_a_night() -> None:
    night = datetime(2026, 11, 1, 22, tzinfo=WIB)
    t_ms = int(night.timestamp() * 1000)
    st_today, st_tomorrow = sun_times(night.date()), sun_times(night.date() + timedelta(days=1))
    assert abs(last_sunset_ms(t_ms) - st_today.sunset.timestamp() * 1000) < 2  # ms truncations
    assert abs(next_sunrise_ms(t_ms) - st_tomorrow.sunrise.timestamp() * 1000) < 2  # ms truncations
