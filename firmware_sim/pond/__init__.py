"""Simulated catfish ponds and their sensor nodes for Kolam's firmware simulator.

    from firmware_sim.pond import PondSim
    sim = PondSim(n_ponds=4, start=datetime(2026, 11, 1, tzinfo=UTC), scenario="normal", seed=1)
    frames = sim.run(1440)  # one day at 60 s steps; frames.truth["do_mgl"].shape == (1440, 4)
"""

from firmware_sim.pond.faults import FAULT_KINDS, FaultEvent
from firmware_sim.pond.metrics import METRICS, VALID_RANGE
from firmware_sim.pond.model import TRUTH_KEYS
from firmware_sim.pond.scenarios import SCENARIOS, AeratorOutage, DieOff, Leak, Scenario
from firmware_sim.pond.sim import Frame, Frames, PondSim
from firmware_sim.pond.weather import Storm, WeatherSpec
from kolam.science.chemistry import do_saturation_mgl, nh3_fraction
from kolam.science.sun import SunTimes, sun_times

__all__ = [
    "FAULT_KINDS",
    "METRICS",
    "SCENARIOS",
    "TRUTH_KEYS",
    "VALID_RANGE",
    "AeratorOutage",
    "DieOff",
    "FaultEvent",
    "Frame",
    "Frames",
    "Leak",
    "PondSim",
    "Scenario",
    "Storm",
    "SunTimes",
    "WeatherSpec",
    "do_saturation_mgl",
    "nh3_fraction",
    "sun_times",
]
