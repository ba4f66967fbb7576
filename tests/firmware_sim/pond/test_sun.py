"""The simulated site's light and WIB clock (the sun itself is tested in tests/kolam)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from firmware_sim.pond.sun import (
    cloud_light_factor,
    local_day_index,
    local_hour,
    wib_days,
    wib_hours,
)


def test_cloud_cover_cuts_light_per_kasten_czeplak() -> None:
    assert cloud_light_factor(0.0) == 1.0
    assert cloud_light_factor(1.0) == pytest.approx(0.25)
    assert 0.9 < cloud_light_factor(0.5) < 0.95


def test_wib_clock_is_seven_hours_ahead_of_utc() -> None:
    t = datetime(2026, 11, 1, 17, 30, tzinfo=UTC).timestamp()  # 00:30 WIB on 2 November
    assert local_hour(t) == pytest.approx(0.5)
    assert local_day_index(t) == local_day_index(t - 3600) + 1  # midnight WIB lies between
    t_ms = np.array([int(t * 1000)], dtype=np.int64)
    assert wib_hours(t_ms)[0] == pytest.approx(0.5)
    assert wib_days(t_ms)[0] == local_day_index(t)
