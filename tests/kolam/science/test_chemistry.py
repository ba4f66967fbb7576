from __future__ import annotations

import numpy as np
import pytest

from kolam.science.chemistry import do_saturation_mgl, nh3_fraction, pressure_at_altitude_atm
from kolam.science.derive import derived_values


@pytest.mark.parametrize(("temp", "ph", "percent"), [
    # Emerson et al. 1975 check values from DOMAIN.md.
    (28, 7.0, 0.69), (28, 7.5, 2.16), (28, 8.0, 6.54), (28, 8.5, 18.1), (28, 9.0, 41.2),
    (30, 7.0, 0.80), (30, 8.0, 7.43), (30, 9.0, 44.5),
])
def test_emerson_check_values(temp: float, ph: float, percent: float) -> None:
    assert 100 * nh3_fraction(float(temp), ph) == pytest.approx(percent, abs=0.06)


def test_nh3_vectorised_matches_scalar() -> None:
    temps, phs = np.array([26.0, 28.0, 31.0]), np.array([6.8, 7.5, 8.9])
    vec = nh3_fraction(temps, phs)
    assert vec.shape == (3,)
    assert [nh3_fraction(float(t), float(p)) for t, p in zip(temps, phs, strict=True)] == \
        pytest.approx(list(vec))


@pytest.mark.parametrize(("temp", "sat"), [(25, 8.26), (28, 7.83), (30, 7.56)])
def test_do_saturation(temp: float, sat: float) -> None:
    assert do_saturation_mgl(float(temp)) == pytest.approx(sat, abs=0.01)


def test_do_saturation_lower_at_altitude() -> None:
    p = pressure_at_altitude_atm(1000)
    assert 0.87 < p < 0.9
    assert do_saturation_mgl(28.0, p) == pytest.approx(7.83 * p, rel=0.01)


def test_derived_values() -> None:
    d = derived_values({"tan_mgl": 1.0, "ph": 8.0, "temp_c": 28.0, "do_mgl": 7.83})
    assert d["nh3_mgl"] == pytest.approx(0.0654, abs=0.0005)
    assert d["do_sat_pct"] == pytest.approx(100.0, abs=0.2)
    assert derived_values({"tan_mgl": 1.0, "ph": 8.0}) == {}
