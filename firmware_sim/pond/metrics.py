"""The metrics a simulated node measures, in the row order of the simulator's arrays,
with their valid ranges from the core's metric catalogue (a reading is clipped to them)."""

from __future__ import annotations

from kolam.catalogue import valid_range

METRICS = ("temp_c", "ph", "do_mgl", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
           "level_cm")
VALID_RANGE: dict[str, tuple[float, float]] = {m: valid_range(m) for m in METRICS}
