"""What a node reports given the true water: probe noise, resolution and faults.

Every probe has a fixed calibration bias per node, noise and the resolution of its
converter. With faults enabled, a per-day random schedule of fault episodes (drawn from
(seed, day), so chunking the run does not change it) overrides the readings, and each
episode's first sample is reported as a FaultEvent. A missing reading is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond.faults import FaultEvent, FaultPlan
from firmware_sim.pond.metrics import METRICS, VALID_RANGE

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Probe:
    """Error model of one probe: bias (fixed per node), noise, converter resolution."""

    bias_sd: float
    noise_sd: float
    noise_rel: float
    resolution: float
    stuck: tuple[float, float] | None  # readings at ADC code 0 and full scale, if analog


PROBES: dict[str, Probe] = {
    # DS18B20: ±0.5 °C accuracy, 12-bit = 0.0625 °C steps (DOMAIN.md); digital, no ADC.
    "temp_c": Probe(0.15, 0.02, 0.0, 0.0625, None),
    # DFRobot SEN0161 ±0.1 pH (DOMAIN.md); pH = 3.5·V, so ADS1115 full scale 6.144 V ⇒ 21.5.
    "ph": Probe(0.05, 0.02, 0.0, 0.01, (0.0, 21.5)),
    # Galvanic DO, 0–20 mg/L; 3.3 V full scale against ~1.6 V at saturation ⇒ ~16 mg/L.
    "do_mgl": Probe(0.1, 0.04, 0.01, 0.01, (0.0, 16.1)),
    # Ammonium and nitrite ion-selective probes are coarse: ±10 %.
    "tan_mgl": Probe(0.05, 0.02, 0.05, 0.01, (0.0, 50.0)),
    "no2_mgl": Probe(0.01, 0.005, 0.05, 0.01, (0.0, 20.0)),
    # DFRobot Gravity TDS: cubic in V, 3.3 V ⇒ ~2420 ppm.
    "tds_ppm": Probe(5.0, 2.0, 0.01, 1.0, (0.0, 2420.0)),
    # Analog turbidity: voltage falls as turbidity rises, so 0 V reads the 3000 NTU ceiling.
    "turbidity_ntu": Probe(1.0, 0.5, 0.03, 0.1, (3000.0, 0.0)),
    # Waterproof ultrasonic ranger (JSN-SR04T), level = mount height − distance.
    "level_cm": Probe(0.5, 0.3, 0.0, 0.1, None),
}
_RES = np.array([PROBES[m].resolution for m in METRICS])[:, None]
_NOISE_SD = np.array([PROBES[m].noise_sd for m in METRICS])[:, None]
_NOISE_REL = np.array([PROBES[m].noise_rel for m in METRICS])[:, None]
_LOW = np.array([VALID_RANGE[m][0] for m in METRICS])[:, None]
_HIGH = np.array([VALID_RANGE[m][1] for m in METRICS])[:, None]
DO_ROW = METRICS.index("do_mgl")
PH_ROW = METRICS.index("ph")


class SensorModel:
    """Turns true values (metrics × ponds) into what each node reports."""

    def __init__(self, n_ponds: int, seed: int, start_s: float, step_s: float,
                 faults: bool) -> None:
        rng = np.random.default_rng([seed, 0x5E45])
        self._noise = np.random.default_rng([seed, 0x401])
        self.bias = np.stack([rng.normal(0.0, PROBES[m].bias_sd, n_ponds) for m in METRICS])
        self.plan = FaultPlan(n_ponds, seed, start_s, step_s) if faults else None

    def observe(self, truth: F64, t_s: float, powered: NDArray[np.bool_],
                events: list[FaultEvent]) -> F64:
        """Readings (metrics × ponds) for true values at t_s; NaN where nothing was read.

        Fault events that start at this sample are appended to `events`.
        """
        noise = self._noise.standard_normal(truth.shape, dtype=np.float32)
        obs = truth + self.bias + noise * (_NOISE_SD + _NOISE_REL * np.abs(truth))
        if self.plan is not None:
            gain, ph_offset = self.plan.drifts(t_s)
            obs[DO_ROW] *= gain
            obs[PH_ROW] += ph_offset
        obs = np.asarray(np.clip(np.round(obs / _RES) * _RES, _LOW, _HIGH), dtype=np.float64)
        if self.plan is not None:
            self.plan.apply(obs, t_s, events)
        obs[:, ~powered] = np.nan
        return obs
