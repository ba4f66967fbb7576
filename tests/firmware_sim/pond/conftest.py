"""Shared, cached simulation runs so the pond tests stay fast."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import pytest

from firmware_sim.pond import Frames, PondSim

START = datetime(2026, 11, 1, tzinfo=UTC)  # 07:00 WIB
STEPS_PER_DAY = 1440


@cache
def _simulate(scenario: str, seed: int, days: int, n_ponds: int) -> tuple[PondSim, Frames]:
    sim = PondSim(n_ponds=n_ponds, start=START, step_s=60.0, scenario=scenario, seed=seed)
    return sim, sim.run(days * STEPS_PER_DAY)


@pytest.fixture(scope="session")
def simulate() -> Callable[..., tuple[PondSim, Frames]]:
    """simulate(scenario, seed=1, days=7, n_ponds=4) -> (sim, frames), cached per session."""

    def run(scenario: str, seed: int = 1, days: int = 7,
            n_ponds: int = 4) -> tuple[PondSim, Frames]:
        return _simulate(scenario, seed, days, n_ponds)

    return run
