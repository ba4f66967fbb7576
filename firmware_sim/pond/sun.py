"""The simulated site's clock and daylight: WIB calendar helpers and cloud cover.

Sun times and elevation are the core's (``kolam.science.sun``), so the simulator's nights are
the dawn forecast's nights. Times are UTC epoch seconds in, WIB (UTC+7) for display.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

WIB_OFFSET_S = 7 * 3600  # Asia/Jakarta, no daylight saving


def cloud_light_factor(cloud_fraction: float) -> float:
    """Share of clear-sky global irradiance reaching the pond under a cloud fraction 0–1.

    Kasten & Czeplak (1980): G/G_clear = 1 − 0.75·(N/8)^3.4 with N the cloud cover in octas.
    """
    c = min(1.0, max(0.0, cloud_fraction))
    return 1.0 - 0.75 * math.pow(c, 3.4)


def local_hour(t_s: float) -> float:
    """Hour of the WIB day (0–24) at UTC epoch second t_s."""
    return ((t_s + WIB_OFFSET_S) % 86400.0) / 3600.0


def local_day_index(t_s: float) -> int:
    """Days since 1970-01-01 on the WIB calendar, for keying per-day weather."""
    return int((t_s + WIB_OFFSET_S) // 86400.0)


def wib_hours(t_ms: NDArray[np.int64]) -> NDArray[np.float64]:
    """Hour of the WIB day (0–24) for epoch-ms timestamps, vectorised."""
    return np.asarray(((t_ms / 1000.0 + WIB_OFFSET_S) % 86400.0) / 3600.0, dtype=np.float64)


def wib_days(t_ms: NDArray[np.int64]) -> NDArray[np.int64]:
    """WIB calendar day index (days since 1970-01-01 WIB) for epoch-ms timestamps."""
    return ((t_ms // 1000 + WIB_OFFSET_S) // 86400).astype(np.int64)
