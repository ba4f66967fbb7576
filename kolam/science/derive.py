"""Derived metrics computed from a sample's measured values (never sent by devices)."""

from __future__ import annotations

from collections.abc import Mapping

from kolam.science.chemistry import do_saturation_mgl, nh3_mgl


def derived_values(values: Mapping[str, float], pressure_atm: float = 1.0) -> dict[str, float]:
    """``nh3_mgl`` when TAN, pH and temperature are present; ``do_sat_pct`` when DO and
    temperature are. Both need the readings taken at the same instant. ``pressure_atm`` is
    the site's air pressure (``chemistry.pressure_at_altitude_atm`` of its altitude): at
    1,000 m water holds ~11 % less oxygen, so the same DO is a higher saturation."""
    out: dict[str, float] = {}
    temp = values.get("temp_c")
    if temp is None:
        return out
    tan, ph, do = values.get("tan_mgl"), values.get("ph"), values.get("do_mgl")
    if tan is not None and ph is not None:
        out["nh3_mgl"] = round(nh3_mgl(tan, temp, ph), 5)
    if do is not None:
        out["do_sat_pct"] = round(100.0 * do / do_saturation_mgl(temp, pressure_atm), 2)
    return out
