"""The alerting vocabulary: severities, states, rules and the transitions the engine emits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
LEVEL_SEVERITY = {1: Severity.WARNING, 2: Severity.CRITICAL}
"""Condition levels (1, 2) as severities; level 0 is 'no alert'."""


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Change(StrEnum):
    """What happened to an alert at one instant of event time."""

    RAISED = "raised"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    RESOLVED = "resolved"


Direction = Literal["below", "above"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One alert rule after the site's and pond's overrides.

    The watched signal is a metric value, or a value derived from a window of them (a
    rate, a forecast, a count); ``unit`` is the signal's unit.
    """

    id: str
    signal: str
    unit: str
    direction: Direction
    warning: float | None
    critical: float | None
    hysteresis: float
    min_duration_s: float
    enabled: bool = True

    def threshold(self, level: int) -> float | None:
        return self.warning if level == 1 else self.critical


@dataclass(frozen=True, slots=True)
class AlertKey:
    """One active alert per (pond, key); ``key`` is the rule id, plus the device and
    metric for sensor-health rules (``flatline/node-1/do_mgl``)."""

    site: str
    pond: str
    key: str


@dataclass(frozen=True, slots=True)
class Transition:
    """An alert changed at event time ``t`` (the breach began at ``since``)."""

    change: Change
    alert: AlertKey
    rule: str
    severity: Severity
    t: int
    since: int
    value: float | None = None
    unit: str = ""
    threshold: float | None = None
    metric: str | None = None
    device: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """What the engine needs to resume an alert after a restart."""

    alert: AlertKey
    rule: str
    severity: Severity
    since: int
    last_t: int
