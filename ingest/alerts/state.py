"""What the engine keeps about one pond: its rules, their conditions and the signals' windows.

Its own module so that the engine and the sensor-health checks, which both work on it,
need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.alerts.ammonia import PotentialNH3
from ingest.alerts.condition import Condition
from ingest.alerts.signals import Drop, FallRate
from kolam.alerts.forecast import DawnForecast
from kolam.alerts.model import Rule
from kolam.control import AeratorProblem
from kolam.protocol import OutputState


@dataclass(slots=True)
class PondState:
    site: str
    pond: str
    rules: dict[str, Rule]
    by_metric: dict[str, list[Rule]]
    conditions: dict[str, Condition] = field(default_factory=dict)
    leak: FallRate = field(default_factory=FallRate)
    drop: Drop = field(default_factory=Drop)
    forecast: DawnForecast = field(default_factory=DawnForecast)
    ammonia: PotentialNH3 = field(default_factory=PotentialNH3)
    outputs: dict[tuple[str, str], tuple[OutputState, str | None]] = field(
        default_factory=dict)
    """(device, output) → the aerator's last state and why it failed (ingest.alerts.aerators)."""
    problems: dict[tuple[str, str], dict[str, AeratorProblem]] = field(default_factory=dict)
    """(device, output) → the gateway's problems raised on it and not cleared, by problem."""
    problem_t: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(device, output, problem) → the time of the newest event applied (duplicates and
    older events change nothing)."""

    def condition(self, key: str, rule: Rule) -> Condition:
        c = self.conditions.get(key)
        if c is None:
            c = self.conditions[key] = Condition(rule)
        return c
