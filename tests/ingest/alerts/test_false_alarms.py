"""Kolam's default rules on the simulated ponds: a healthy pond pages nobody, and a cheap
probe that flickers is one sensor fault, not a storm of water alarms (issue #14).

The ponds run in-process (tests/utils/alert_run.py): ``firmware_sim.pond`` readings, sent
and decoded as protocol-v1 telemetry, derived and evaluated in batches as ingest does.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from functools import cache

from firmware_sim.pond import SCENARIOS, AeratorOutage
from ingest.alerts.health import PROBE_RULES
from kolam.alerts.model import Change, Severity
from tests.utils.alert_run import START, RunResult, run_scenario

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
START_MS = int(START.timestamp() * 1000)


@cache
def healthy_month() -> RunResult:
    """``kolam sim --scenario normal --backfill 30d --duration 30d``: 4 ponds, 300 s."""
    return run_scenario("normal", days=30, n_ponds=4, interval_s=300, backfill=True)


def test_a_healthy_month_raises_no_critical_alert() -> None:
    critical = [t for t in healthy_month().raised if t.severity is Severity.CRITICAL]
    assert [(t.alert.pond, t.rule, t.value) for t in critical] == []


def test_a_healthy_pond_warns_at_most_once_a_week() -> None:
    run = healthy_month()
    weeks = Counter((t.alert.pond, (t.t - START_MS) // WEEK_MS) for t in run.raised)
    too_many = {k: n for k, n in weeks.items() if n > 1}
    assert too_many == {}, [(t.alert.pond, t.rule, t.value) for t in run.raised]


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


def test_low_oxygen_in_a_pond_full_of_ammonia_is_do_nh3() -> None:
    # The ammonia build-up (TAN-N 5–13 mg/L by day 4, NH3-N past 0.1 in the afternoons)
    # and then a night without aerators: at dawn DO is low and pH, and so NH3, at their
    # lowest — the TAN is what the next afternoon turns toxic.
    build_up = SCENARIOS["ammonia-build-up"]
    worse = replace(build_up, name="ammonia-build-up+power-cut", aerator_outages=(
        AeratorOutage(day=4, start_h=21.0, duration_h=10.0),))
    run = run_scenario(worse, days=5, n_ponds=4, backfill=False)
    do_nh3 = [t for t in run.raised if t.rule == "do_nh3"]
    assert {t.alert.pond for t in do_nh3} == {"kolam-1", "kolam-2", "kolam-3", "kolam-4"}
    assert all(t.t >= START_MS + 4 * DAY_MS for t in do_nh3)
    assert any(t.severity is Severity.CRITICAL for t in do_nh3)
    # With its aerators running the same pond's DO stays up: nh3_high speaks, not do_nh3.
    plain = run_scenario(build_up, days=5, n_ponds=4, backfill=False)
    assert "nh3_high" in {t.rule for t in plain.raised}
    assert "do_nh3" not in {t.rule for t in plain.raised}
