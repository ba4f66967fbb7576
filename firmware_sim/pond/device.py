"""The node's power supply: a solar-charged Li-ion cell, brown-outs and reboots.

A healthy node (6.8 Ah pack, 2 W panel) stays near full. A node with a worn cell and a
shaded or broken panel browns out at night and reboots once the sun has recharged it; each
reboot increments the boot counter and restarts the message sequence (DESIGN.md: `seq`
counts messages per device per boot, `boot` counts restarts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

# Open-circuit voltage of a Li-ion (NMC 18650) cell against state of charge.
_SOC_POINTS = np.array([0.0, 0.05, 0.10, 0.20, 0.40, 0.60, 0.80, 0.95, 1.0])
_OCV_POINTS = np.array([3.00, 3.30, 3.45, 3.60, 3.70, 3.80, 3.95, 4.10, 4.20])
# ESP32 behind an LDO browns out near 3.3 V at the cell; restart needs some margin.
BROWNOUT_V = 3.3
RESTART_V = 3.5
LOAD_ON_MA = 45.0  # ESP32 + Wi-Fi (modem sleep) + probes at a 60 s interval
LOAD_OFF_MA = 0.05
HEALTHY_CAPACITY_MAH = 6800.0
HEALTHY_PANEL_MA = 350.0  # 2 W 6 V panel at full sun, after the charger


@dataclass(frozen=True, slots=True)
class PowerUpdate:
    """What changed on the nodes' power side during one step."""

    browned_out: NDArray[np.bool_]  # nodes that lost power this step
    rebooted: NDArray[np.bool_]  # nodes that came back this step


class PowerSupply:
    """Battery state of charge, on/off state and boot/seq counters of every node."""

    def __init__(self, n_ponds: int, rng: np.random.Generator,
                 weak: NDArray[np.bool_]) -> None:
        self.capacity_mah = np.where(weak, 400.0, HEALTHY_CAPACITY_MAH)
        self.panel_ma = np.where(weak, 25.0, HEALTHY_PANEL_MA)
        self.soc = np.where(weak, 0.30, rng.uniform(0.8, 0.95, n_ponds))
        self.powered = np.ones(n_ponds, dtype=np.bool_)
        self.boot: I64 = rng.integers(1, 20, n_ponds).astype(np.int64)
        self.seq: I64 = np.zeros(n_ponds, dtype=np.int64)

    @property
    def battery_v(self) -> F64:
        """Cell voltage (V) as the node's ADC reports it, to 10 mV."""
        volts: F64 = np.interp(self.soc, _SOC_POINTS, _OCV_POINTS)
        return np.asarray(np.round(volts, 2), dtype=np.float64)

    def step(self, dt_s: float, light: float | F64) -> PowerUpdate:
        """Charge from the panel, discharge into the load, brown out or reboot."""
        load = np.where(self.powered, LOAD_ON_MA, LOAD_OFF_MA)
        self.soc = np.clip(self.soc + (self.panel_ma * light - load) * (dt_s / 3600.0)
                           / self.capacity_mah, 0.0, 1.0)
        v = np.interp(self.soc, _SOC_POINTS, _OCV_POINTS)
        browned = self.powered & (v < BROWNOUT_V)
        rebooted = ~self.powered & (v >= RESTART_V)
        if browned.any() or rebooted.any():
            self.powered = (self.powered & ~browned) | rebooted
            self.boot += rebooted
            self.seq[rebooted] = 0
        return PowerUpdate(browned_out=browned, rebooted=rebooted)

    def count_message(self, sent: NDArray[np.bool_]) -> None:
        """Advance the per-boot sequence of the nodes that sent a message."""
        self.seq += sent
