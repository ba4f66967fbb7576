"""Local alarm hysteresis on sample time."""

from __future__ import annotations

from gateway.alarms import AlarmTracker, Change, describe
from kolam.protocol import DeviceRef, Sample

REF = DeviceRef("serang", "kolam-1", "node-1")
NOW = 1_764_000_000_000
MIN = 60_000


def feed(tracker: AlarmTracker, values: list[float], metric: str = "do_mgl",
         start: int = NOW - 20 * MIN) -> list[tuple[int, Change]]:
    out = []
    for i, v in enumerate(values):
        for c in tracker.observe(REF, Sample(start + i * MIN, {metric: v}), NOW):
            out.append((i, c.change))
    return out


def test_raises_after_the_minimum_duration_and_clears_with_hysteresis() -> None:
    tracker = AlarmTracker(min_duration_ms=2 * MIN, max_age_ms=3600_000)
    # DO below 2 mg/L is critical (catalogue): 1.5 three minutes in a row raises.
    changes = feed(tracker, [5, 1.5, 1.5, 1.5, 1.5, 5, 5, 5])
    assert changes == [(3, Change.RAISED), (7, Change.CLEARED)]


def test_noise_at_the_threshold_does_not_flap() -> None:
    tracker = AlarmTracker(min_duration_ms=2 * MIN, max_age_ms=3600_000)
    assert feed(tracker, [1.9, 2.1, 1.9, 2.1, 1.9, 2.1, 1.9]) == []
    assert tracker.active() == []


def test_history_never_rings_and_each_metric_has_its_band() -> None:
    tracker = AlarmTracker(min_duration_ms=0, max_age_ms=10 * MIN)
    assert feed(tracker, [1.0], start=NOW - 60 * MIN) == []  # an hour-old catch-up sample
    assert feed(tracker, [36.0], metric="temp_c", start=NOW) == [(0, Change.RAISED)]
    assert feed(tracker, [9.5], metric="ph", start=NOW) == [(0, Change.RAISED)]
    assert feed(tracker, [8.8], metric="ph", start=NOW + MIN) == [(0, Change.CLEARED)]
    (active,) = tracker.active()
    assert active.metric == "temp_c" and describe(active) == "kolam-1/node-1: Suhu 36.0 °C kritis"


def test_restored_alarm_can_clear() -> None:
    tracker = AlarmTracker(min_duration_ms=0, max_age_ms=3600_000)
    feed(tracker, [1.0])
    restored = AlarmTracker(min_duration_ms=0, max_age_ms=3600_000)
    restored.restore(tracker.active())
    assert feed(restored, [6.0], start=NOW) == [(0, Change.CLEARED)]
