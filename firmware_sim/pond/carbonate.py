"""Fresh-water carbonate equilibria: pH from alkalinity and dissolved inorganic carbon.

Photosynthesis removes CO2 and respiration returns it; with alkalinity nearly conserved
over a day, pH follows from the carbon budget. Concentrations are mmol/L (DIC) and meq/L
(alkalinity); OH⁻ and H⁺ are neglected, which holds for pH 5.5–10.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
KELVIN = 273.15
ATMOSPHERIC_CO2_ATM = 420e-6  # ~2025 global mean (NOAA GML)


def carbonate_k(temp_c: F64) -> tuple[F64, F64]:
    """First and second dissociation constants of carbonic acid, K1 and K2 (mol/L).

    pK1 from Harned & Davis (1943), pK2 from Harned & Scholes (1941), fresh water.
    """
    t = temp_c + KELVIN
    pk1 = 3404.71 / t + 0.032786 * t - 14.8435
    pk2 = 2902.39 / t + 0.02379 * t - 6.498
    return np.power(10.0, -pk1), np.power(10.0, -pk2)


def co2_saturation_mmol(temp_c: F64) -> F64:
    """Free CO2 (mmol/L) in equilibrium with air; Henry constant of Weiss (1974), S = 0."""
    t = temp_c + KELVIN
    k0 = np.exp(-58.0931 + 9050.69 / t + 22.2940 * np.log(t / 100.0))
    return k0 * ATMOSPHERIC_CO2_ATM * 1e3


def co2_fraction(h: F64, k1: F64, k2: F64) -> F64:
    """Share of DIC present as free CO2 at hydrogen-ion activity h."""
    return h * h / (h * h + k1 * h + k1 * k2)


def hydrogen_ion(alk_meq: F64, dic_mmol: F64, k1: F64, k2: F64) -> F64:
    """[H⁺] (mol/L) solving Alk = DIC·(α1 + 2α2) — a quadratic in [H⁺].

    Alk·h² + (Alk − DIC)·K1·h + (Alk − 2·DIC)·K1·K2 = 0; DIC must exceed Alk/2.
    """
    a = alk_meq * 1e-3
    d = dic_mmol * 1e-3
    b = (a - d) * k1
    c = (a - 2.0 * d) * k1 * k2  # negative while DIC > Alk/2
    root = np.sqrt(b * b - 4.0 * a * c)
    # Pick the form of the quadratic root that avoids cancellation for each sign of b.
    return np.where(b < 0.0, (root - b) / (2.0 * a), -2.0 * c / np.maximum(b + root, 1e-300))


def dic_from_ph(alk_meq: F64, ph: F64, k1: F64, k2: F64) -> F64:
    """DIC (mmol/L) of water with the given alkalinity and pH."""
    h = np.power(10.0, -ph)
    denom = h * h + k1 * h + k1 * k2
    return alk_meq / ((k1 * h + 2.0 * k1 * k2) / denom)
