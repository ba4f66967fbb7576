"""Kolam's default rules on the simulated ponds: a healthy pond pages nobody, and a cheap
probe that flickers is one sensor fault, not a storm of water alarms (issue #14).

The ponds run in-process (tests/utils/alert_run.py): ``firmware_sim.pond`` readings, sent
and decoded as protocol-v1 telemetry, derived and evaluated in batches as ingest does.
"""

from __future__ import annotations

import random
from collections import Counter
from functools import cache

from kolam.alerts.health import PROBE_RULES
from kolam.alerts.model import Change, Severity
from tests.utils.alert_run import START, RunResult, run_scenario

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
START_MS = int(START.timestamp() * 1000)


@cache
def healthy_month() -> RunResult:
    """``kolam sim --scenario normal --backfill 30d --duration 30d``: 4 ponds, 300 s."""
    return run_scenario("normal", days=30, n_ponds=4, interval_s=300, backfill=True)


def test_a_backfilled_node_is_not_offline_and_a_quiet_probe_not_stuck() -> None:
    # History arriving as fast as the broker takes it is a node sending, however old its
    # samples are; a DS18B20 holding one 0.0625 °C step through a still night is sound.
    rules = {t.rule for t in healthy_month().raised}
    assert "offline" not in rules and "flatline" not in rules


FLICKER_DAY, FLICKER_H = 1, 12  # WIB: the run starts at 00:00 WIB


def flicker(pond: int, t: int, values: dict[str, float]) -> dict[str, float]:
    """Pond 0's node from day 1 12:00 WIB for 12 h: a loose galvanic DO probe jumping between
    0 and ~15 mg/L reading to reading, an unplugged pH probe reading 15.45 now and then, a
    DS18B20 losing contact (−127 °C) — as seen on real cheap nodes (DOMAIN.md)."""
    start = START_MS + FLICKER_DAY * DAY_MS + FLICKER_H * 3_600_000
    if pond != 0 or not start <= t < start + 12 * 3_600_000:
        return values
    rng = random.Random(t)
    out = dict(values)
    out["do_mgl"] = rng.choice([0.0, 0.0, round(rng.uniform(13.0, 16.0), 2)])
    if rng.random() < 0.3:
        out["ph"] = 15.45
    if rng.random() < 0.2:
        out["temp_c"] = -127.0
    return out


def test_a_flickering_probe_is_one_sensor_fault_per_metric() -> None:
    clean = run_scenario("normal", days=3, n_ponds=2, backfill=False, batch_samples=12)
    faulty = run_scenario("normal", days=3, n_ponds=2, backfill=False, batch_samples=12,
                          tamper=flicker)

    def water(run: RunResult) -> set[tuple[str, str, str]]:
        return {(t.alert.key, t.change.value, t.severity.value) for t in run.transitions
                if t.alert.pond == "kolam-1" and t.rule not in PROBE_RULES
                and t.rule != "offline"}

    # No water alarm the clean pond would not have raised: no do_low, no do_forecast, no
    # do_nh3 from a probe reading 0 mg/L half the time.
    assert water(faulty) <= water(clean)
    probe = [t for t in faulty.raised if t.rule in PROBE_RULES]
    per_probe = Counter((t.device, t.metric) for t in probe)
    assert set(per_probe) == {("node-1", "do_mgl"), ("node-1", "ph"), ("node-1", "temp_c")}
    assert set(per_probe.values()) == {1}, probe  # once each, until it clears
    assert all(t.severity is Severity.WARNING for t in probe)
    # And it clears once the probe is sound again (the spike count ages out of its 24 h).
    resolved = {(t.device, t.metric) for t in faulty.transitions
                if t.rule in PROBE_RULES and t.change is Change.RESOLVED}
    assert {("node-1", "ph"), ("node-1", "temp_c")} <= resolved
