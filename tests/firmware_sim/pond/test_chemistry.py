"""Un-ionized ammonia, DO saturation and the carbonate system against reference values."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_sim.pond import do_saturation_mgl, nh3_fraction
from firmware_sim.pond.carbonate import carbonate_k, dic_from_ph, hydrogen_ion


@pytest.mark.parametrize(
    ("temp_c", "ph", "percent"),
    [  # DOMAIN.md, Emerson et al. 1975
        (28.0, 7.0, 0.69), (28.0, 7.5, 2.16), (28.0, 8.0, 6.54), (28.0, 8.5, 18.1),
        (28.0, 9.0, 41.2), (30.0, 7.0, 0.80), (30.0, 8.0, 7.43), (30.0, 9.0, 44.5),
    ],
)
def test_nh3_fraction_matches_emerson_check_values(temp_c: float, ph: float,
                                                   percent: float) -> None:
    assert 100.0 * nh3_fraction(temp_c, ph) == pytest.approx(percent, abs=0.01 + 0.005 * percent)


def test_simulated_nh3_is_tan_times_emerson_fraction(simulate) -> None:
    _, frames = simulate("normal")
    t = frames.truth
    expected = t["tan_mgl"] * nh3_fraction(t["temp_c"], t["ph"])
    np.testing.assert_allclose(t["nh3_mgl"], expected, rtol=1e-12)


@pytest.mark.parametrize(("temp_c", "cs"), [(25.0, 8.26), (28.0, 7.83), (30.0, 7.56)])
def test_do_saturation_matches_benson_krause(temp_c: float, cs: float) -> None:
    assert do_saturation_mgl(temp_c) == pytest.approx(cs, abs=0.01)


def test_ph_round_trips_through_alkalinity_and_dic() -> None:
    temp = np.array([25.0, 28.0, 30.0, 32.0])
    ph = np.array([6.5, 7.4, 8.6, 9.4])
    alk = np.array([1.0, 2.5, 3.0, 2.0])
    k1, k2 = carbonate_k(temp)
    dic = dic_from_ph(alk, ph, k1, k2)
    np.testing.assert_allclose(-np.log10(hydrogen_ion(alk, dic, k1, k2)), ph, atol=1e-9)
