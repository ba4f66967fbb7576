"""Water chemistry used across Kolam: un-ionized ammonia and DO saturation.

Both functions accept floats or numpy arrays, so the simulator, the ingest
derivations and the reports share one implementation. They are written with
arithmetic operators only (``math.e ** x`` rather than ``np.exp``): a float stays a
float, an array works element-wise, and ingest, which derives NH3 for every sample,
neither pays for numpy's scalar calls nor loads numpy at all.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

ArrayOrFloat = TypeVar("ArrayOrFloat", float, "NDArray[np.float64]")

KELVIN = 273.15


def nh3_fraction(temp_c: ArrayOrFloat, ph: ArrayOrFloat) -> ArrayOrFloat:
    """Fraction of total ammonia present as un-ionized NH3 (Emerson et al. 1975).

    pKa = 0.09018 + 2729.92 / T(K); f = 1 / (10^(pKa − pH) + 1).
    """
    pka = 0.09018 + 2729.92 / (temp_c + KELVIN)
    return 1.0 / (10.0 ** (pka - ph) + 1.0)  # type: ignore[no-any-return]


def nh3_mgl(tan_mgl: ArrayOrFloat, temp_c: ArrayOrFloat, ph: ArrayOrFloat) -> ArrayOrFloat:
    """Un-ionized ammonia NH3-N (mg/L) from TAN, temperature and pH."""
    return tan_mgl * nh3_fraction(temp_c, ph)


def do_saturation_mgl(temp_c: ArrayOrFloat, pressure_atm: float = 1.0) -> ArrayOrFloat:
    """Oxygen solubility in fresh water (mg/L), Benson & Krause (1984) / APHA 4500-O.

    ln C* = −139.34411 + 1.575701e5/T − 6.642308e7/T² + 1.243800e10/T³ − 8.621949e11/T⁴,
    corrected for barometric pressure (atm) with the water-vapour term.
    """
    t = temp_c + KELVIN
    ln_c = (-139.34411 + 1.575701e5 / t - 6.642308e7 / t**2 + 1.243800e10 / t**3
            - 8.621949e11 / t**4)
    c = math.e ** ln_c
    if pressure_atm != 1.0:
        tc = t - KELVIN
        pwv = math.e ** (11.8571 - 3840.70 / t - 216961.0 / t**2)
        theta = 0.000975 - 1.426e-5 * tc + 6.436e-8 * tc**2
        c = c * pressure_atm * ((1 - pwv / pressure_atm) * (1 - theta * pressure_atm)
                                / ((1 - pwv) * (1 - theta)))
    return c  # type: ignore[no-any-return]


def pressure_at_altitude_atm(altitude_m: float) -> float:
    """Standard-atmosphere pressure at an altitude, for DO saturation at upland sites."""
    return float((1 - 2.25577e-5 * altitude_m) ** 5.25588)


# Molar masses (g/mol, IUPAC standard atomic weights): N 14.007, H 1.008, O 15.999.
_N = 14.007
NITROGEN_FORMS: dict[str, dict[str, float]] = {
    # Total ammonia: as N (TAN-N, Kolam's unit), as NH3 (most hobby and aquaculture kits,
    # e.g. API, Sera, report "ammonia NH3/NH4+" in mg/L of NH3) or as NH4+ (Salifert).
    "tan_mgl": {"N": 1.0, "NH3": 17.031 / _N, "NH4": 18.039 / _N},
    # Nitrite: as N (NO2-N, Kolam's unit) or as the NO2- ion (most kits).
    "no2_mgl": {"N": 1.0, "NO2": 46.005 / _N},
}
"""Per nitrogen metric, how many mg/L of each reported form make 1 mg/L of N:
NH3 = 1.216 × NH3-N, NH4+ = 1.288 × NH4-N, NO2- = 3.284 × NO2-N."""


def as_nitrogen(metric: str, value: float, reported_as: str) -> float:
    """A test-kit reading of ``metric`` reported as ``reported_as`` (``N``, ``NH3``,
    ``NH4``, ``NO2``) in mg/L of N, the unit Kolam stores. Raises ValueError for a form
    the metric does not have."""
    forms = NITROGEN_FORMS.get(metric)
    if forms is None:
        raise ValueError(f"{metric} is not a nitrogen compound; only "
                         f"{', '.join(NITROGEN_FORMS)} take a reported form")
    factor = forms.get(reported_as)
    if factor is None:
        raise ValueError(f"{metric} can be reported as {', '.join(forms)}, "
                         f"not {reported_as!r}")
    return value / factor
