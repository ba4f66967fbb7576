"""A light-weight diurnal pond model: plausible values, no physics.

It serves until the full pond model (``firmware_sim.pond``) is wired in, and
stays as the cheapest source for tests that only need well-formed readings.
"""

from __future__ import annotations

import math

import numpy as np

DAY_MS = 86_400_000
WIB_OFFSET_MS = 7 * 3_600_000


class SimpleModel:
    """Daily sine waves per metric with per-pond offsets and seeded noise."""

    def __init__(self, n_ponds: int, seed: int = 1) -> None:
        self.n_ponds = n_ponds
        self._rng = np.random.default_rng(seed)
        self._offset = self._rng.normal(0.0, 1.0, size=(n_ponds, 4))

    def readings(self, t_ms: int) -> list[dict[str, float]]:
        # Phase 0 at 14:00 WIB (temperature and DO peak mid-afternoon).
        local_h = ((t_ms + WIB_OFFSET_MS) % DAY_MS) / 3_600_000
        c = math.cos(2 * math.pi * (local_h - 14.0) / 24.0)
        out = []
        for i in range(self.n_ponds):
            o = self._offset[i]
            n = self._rng.normal(0.0, 1.0, size=8)
            temp = 28.5 + 0.3 * o[0] + 1.2 * c + 0.05 * n[0]
            do = max(0.5, 5.5 + 0.4 * o[1] + 2.5 * c + 0.1 * n[1])
            ph = 7.4 + 0.1 * o[2] + 0.4 * c + 0.02 * n[2]
            tan = max(0.05, 0.8 + 0.2 * o[3] + 0.05 * n[3])
            out.append({
                "temp_c": round(temp, 2),
                "do_mgl": round(do, 2),
                "ph": round(ph, 2),
                "tan_mgl": round(tan, 3),
                "no2_mgl": round(max(0.0, 0.05 + 0.01 * n[4]), 3),
                "tds_ppm": round(350 + 20 * o[0] + 5 * n[5], 0),
                "turbidity_ntu": round(max(1.0, 40 + 5 * o[1] + 2 * n[6]), 1),
                "level_cm": round(95 + 2 * o[2] + 0.2 * n[7], 1),
            })
        return out
