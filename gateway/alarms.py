"""Local alarms: the critical water-quality bands, evaluated at the pond.

When the uplink is down the central alert engine sees nothing, yet a DO crash
at 04:00 still kills fish. The gateway therefore watches the three readings
that can go critical within hours (dissolved oxygen, temperature, pH) against
the catalogue's critical bands (``METRICS[key].level(v) is Level.CRITICAL``,
sources in kolam/catalogue.py) and raises an alarm on the local broker.

Hysteresis in time, on sample timestamps: a metric must read critical for
``min_duration_ms`` before the alarm is raised, and non-critical for as long
before it clears, so a noisy probe hovering at a threshold does not flap the
siren. Samples older than ``max_age_ms`` (a node catching up, a backfill) are
history and never raise anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from gateway.outbox_tables import ActiveAlarm
from kolam.catalogue import METRICS, Level
from kolam.protocol import DeviceRef, Sample

WATCHED = ("do_mgl", "temp_c", "ph")
"""Metrics with a critical band that can turn within hours (DOMAIN.md)."""


class Change(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True)
class AlarmChange:
    change: Change
    alarm: ActiveAlarm


@dataclass(slots=True)
class _State:
    active: bool = False
    since: int = 0
    pending_since: int | None = None
    last_t: int = -1
    value: float = 0.0


@dataclass
class AlarmTracker:
    """Per device and metric: raise after ``min_duration_ms`` critical, clear after as long OK."""

    min_duration_ms: int
    max_age_ms: int
    _states: dict[tuple[DeviceRef, str], _State] = field(default_factory=dict)

    def restore(self, alarms: Iterable[ActiveAlarm]) -> None:
        """Resume alarms that were active when the gateway stopped."""
        for a in alarms:
            self._states[(a.ref, a.metric)] = _State(True, a.since, None, a.t, a.value)

    def active(self) -> list[ActiveAlarm]:
        return [ActiveAlarm(ref, metric, s.since, s.last_t, s.value)
                for (ref, metric), s in sorted(self._states.items(), key=lambda kv: (
                    kv[0][0].pond, kv[0][0].device, kv[0][1])) if s.active]

    def observe(self, ref: DeviceRef, sample: Sample, now_ms: int) -> list[AlarmChange]:
        if sample.t < now_ms - self.max_age_ms:
            return []
        changes = []
        for metric in WATCHED:
            value = sample.values.get(metric)
            if value is None:
                continue
            state = self._states.setdefault((ref, metric), _State())
            if sample.t <= state.last_t:
                continue
            state.last_t, state.value = sample.t, value
            critical = METRICS[metric].level(value) is Level.CRITICAL
            if critical != state.active:
                if state.pending_since is None:
                    state.pending_since = sample.t
                if sample.t - state.pending_since >= self.min_duration_ms:
                    state.active = critical
                    if critical:
                        state.since = state.pending_since
                    state.pending_since = None
                    changes.append(AlarmChange(
                        Change.RAISED if critical else Change.CLEARED,
                        ActiveAlarm(ref, metric, state.since, sample.t, value)))
            else:
                state.pending_since = None
        return changes


def describe(alarm: ActiveAlarm) -> str:
    """One line for the log and the local display, with the unit."""
    metric = METRICS[alarm.metric]
    return (f"{alarm.ref.pond}/{alarm.ref.device}: {metric.label_id} "
            f"{alarm.value:.{metric.decimals}f} {metric.unit} kritis")
