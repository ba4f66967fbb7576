"""The alert engine on synthetic batches: water rules, rates, combined severity, sensor
health, restarts and per-pond overrides."""

from __future__ import annotations

import itertools
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.alerts.engine import AlertEngine
from kolam.alerts.model import ActiveAlert, AlertKey, Change, Severity, Transition
from kolam.config import AlertsConfig, RuleOverride, SiteAlerts
from kolam.protocol import DeviceRef, Status, telemetry_topic
from kolam.registry.repo import DeadLetterIn
from kolam.science.derive import derived_values
from kolam.store.base import Row, SeriesKey

MIN = 60_000
T0 = 1_764_000_000_000  # 2025-11-24T16:00Z (23:00 WIB)
REF = DeviceRef("serang", "kolam-1", "node-1")


def rows(metric: str, values: list[float], t0: int = T0, step: int = MIN,
         device: str = "node-1") -> list[Row]:
    key = SeriesKey("serang", "kolam-1", device, metric)
    return [(key, t0 + i * step, v) for i, v in enumerate(values)]


def run(engine: AlertEngine, batch: list[Row], now: int | None = None) -> list[Transition]:
    return engine.evaluate(batch, [], [], now or (batch[-1][1] if batch else T0))


def changes(ts: list[Transition]) -> list[tuple[str, str, str]]:
    return [(t.alert.key, t.change.value, t.severity.value) for t in ts]


def test_low_do_warning_then_critical_then_resolved() -> None:
    e = AlertEngine(AlertsConfig())
    out = run(e, rows("do_mgl", [5.0] * 5 + [2.5] * 12 + [1.5] * 12 + [4.0] * 12))
    assert changes(out) == [("do_low", "raised", "warning"), ("do_low", "upgraded", "critical"),
                            ("do_low", "resolved", "critical")]
    assert out[0].since == T0 + 5 * MIN and out[0].unit == "mg/L" and out[0].threshold == 3.0


def water(readings: list[dict[str, float]], t0: int = T0, step: int = MIN) -> list[Row]:
    """Rows of whole samples, with the derived metrics ingest adds."""
    out: list[Row] = []
    for i, values in enumerate(readings):
        for metric, v in (values | derived_values(values)).items():
            out.append((SeriesKey("serang", "kolam-1", "node-1", metric), t0 + i * step, v))
    return out


def afternoon_then_dawn(tan: float) -> list[Row]:
    """A sunny afternoon (pH 8.8, 31 °C) and the next dawn (pH 7.4, DO 2.6 mg/L)."""
    day = [{"ph": 8.8, "temp_c": 31.0, "do_mgl": 9.0, "tan_mgl": tan}] * 60
    night = [{"ph": 7.6, "temp_c": 28.5, "do_mgl": 4.0, "tan_mgl": tan}] * 60
    dawn = [{"ph": 7.4, "temp_c": 28.0, "do_mgl": 2.6, "tan_mgl": tan}] * 40
    return water(day) + water(night, t0=T0 + 10 * 60 * MIN) + water(dawn, t0=T0 + 14 * 60 * MIN)


def test_low_do_with_ammonia_the_afternoon_will_make_toxic() -> None:
    # At dawn NH3-N is only 1.7 % of TAN (pH 7.4, 28 °C) — nh3_high stays quiet — but the
    # same TAN was 35 % NH3 yesterday afternoon (pH 8.8, 31 °C; Emerson et al. 1975):
    # 1.5 mg/L TAN-N means ~0.53 mg/L NH3-N again this afternoon.
    e = AlertEngine(AlertsConfig())
    out = run(e, afternoon_then_dawn(tan=1.5))
    dawn = [t for t in out if t.t >= T0 + 14 * 60 * MIN]
    assert ("do_nh3", "raised", "critical") in changes(dawn)
    assert ("nh3_high", "raised", "warning") not in changes(dawn)
    raised = next(t for t in dawn if t.rule == "do_nh3")
    assert raised.value is not None and abs(raised.value - 1.5 * 0.3516) < 0.005
    assert "TAN-N 1.5" in raised.detail and "DO 2.6" in raised.detail


def test_low_do_with_little_ammonia_is_only_low_do() -> None:
    e = AlertEngine(AlertsConfig())
    keys = changes(run(e, afternoon_then_dawn(tan=0.2)))  # ~0.06 mg/L NH3-N at its peak
    assert ("do_low", "raised", "warning") in keys
    assert not [k for k in keys if k[0] == "do_nh3"]


def test_leak_is_a_level_falling_faster_than_10_cm_a_day() -> None:
    e = AlertEngine(AlertsConfig())
    steady = rows("level_cm", [80 - 0.2 * i / 60 for i in range(8 * 60)])  # ~5 cm/day
    assert run(e, steady) == []
    leak = rows("level_cm", [78.4 - 1.0 * i / 60 for i in range(8 * 60)], t0=T0 + 8 * 60 * MIN)
    out = run(e, leak)
    assert changes(out) == [("level_leak", "raised", "warning")]
    assert out[0].value is not None and out[0].value > 10


def test_temperature_drop_after_rain() -> None:
    e = AlertEngine(AlertsConfig())
    temps = [29.0] * 30 + [29.0 - 3.0 * i / 60 for i in range(60)] + [26.0] * 30
    assert changes(run(e, rows("temp_c", temps))) == [("temp_drop", "raised", "warning")]


def test_pond_override_changes_a_threshold() -> None:
    cfg = AlertsConfig(sites={"serang": SiteAlerts(ponds={"kolam-1": {
        "do_low": RuleOverride(warning=4.0, min_duration_s=0)}})})
    out = run(AlertEngine(cfg), rows("do_mgl", [3.5]))
    assert changes(out) == [("do_low", "raised", "warning")]
    assert run(AlertEngine(AlertsConfig()), rows("do_mgl", [3.5] * 20)) == []


def test_the_pond_records_minimum_level_sets_level_low() -> None:
    # Minimum 50 cm: warning below 60 (a day's fall at the 10 cm/day leak rate), critical
    # below 50 (DOMAIN.md: "below the pond's minimum"); 30 min minimum duration.
    def minimum(site: str, pond: str) -> float | None:
        return 50.0 if (site, pond) == ("serang", "kolam-1") else None

    levels = [65.0] * 10 + [58.0] * 40 + [48.0] * 40
    out = run(AlertEngine(AlertsConfig(), min_level=minimum), rows("level_cm", levels))
    assert changes(out) == [("level_low", "raised", "warning"),
                            ("level_low", "upgraded", "critical")]
    assert out[0].threshold == 60.0 and out[1].threshold == 50.0
    # Without a record (or without the callable) level_low has no threshold and stays quiet.
    assert run(AlertEngine(AlertsConfig()), rows("level_cm", levels)) == []
    assert run(AlertEngine(AlertsConfig(), min_level=lambda s, p: None),
               rows("level_cm", levels)) == []


def test_a_configured_level_threshold_wins_over_the_record() -> None:
    cfg = AlertsConfig(sites={"serang": SiteAlerts(ponds={"kolam-1": {
        "level_low": RuleOverride(critical=40.0)}})})
    out = run(AlertEngine(cfg, min_level=lambda s, p: 50.0),
              rows("level_cm", [65.0] * 10 + [45.0] * 60))
    assert out == []  # 45 cm is above the configured 40; the record's 50 does not apply


def test_offline_from_last_will_and_back() -> None:
    e = AlertEngine(AlertsConfig())
    assert e.evaluate([], [(REF, Status(online=False), T0)], [], T0) == []
    assert e.tick(T0 + 9 * MIN) == []  # away, but not for 10 min yet
    out = e.tick(T0 + 10 * MIN)
    assert changes(out) == [("offline/node-1", "raised", "warning")]
    assert out[0].detail == "last_will" and out[0].device == "node-1" and out[0].since == T0
    back = e.evaluate([], [(REF, Status(online=True, interval_s=60), T0 + 11 * MIN)], [],
                      T0 + 11 * MIN)
    assert changes(back) == [("offline/node-1", "resolved", "warning")]


def test_a_node_that_reconnects_within_minutes_is_not_offline() -> None:
    # A Wi-Fi node drops, its Last Will goes out, it reconnects 4 minutes later.
    e = AlertEngine(AlertsConfig())
    e.evaluate([], [(REF, Status(online=False), T0)], [], T0)
    e.evaluate([], [(REF, Status(online=True, interval_s=60), T0 + 4 * MIN)], [], T0 + 4 * MIN)
    assert e.tick(T0 + 30 * MIN) == []
    # Silent for 5 readings at a 60 s interval: 3 intervals, but under 10 min.
    run(e, rows("do_mgl", [5.0, 5.01]), now=T0 + 40 * MIN)
    assert e.tick(T0 + 46 * MIN) == []


def test_offline_from_silence_beyond_three_intervals() -> None:
    e = AlertEngine(AlertsConfig(), offline_after_intervals=3)
    e.evaluate([], [(REF, Status(online=True, interval_s=300), T0)], [], T0)
    run(e, rows("do_mgl", [5.0] * 3, step=5 * MIN), now=T0 + 10 * MIN)
    last = T0 + 10 * MIN
    assert e.tick(last + 890_000) == []
    out = e.tick(last + 910_000)
    assert changes(out) == [("offline/node-1", "raised", "warning")]
    assert out[0].detail == "silence" and out[0].since == last
    assert e.tick(last + 1_000_000) == []  # once
    back = run(e, rows("do_mgl", [5.0], t0=last + 1_010_000), now=last + 1_010_000)
    assert changes(back) == [("offline/node-1", "resolved", "warning")]


def test_a_node_sending_history_is_not_offline() -> None:
    # ``kolam sim --backfill 30d``, or a gateway emptying its outbox: old samples, arriving
    # now. Silence is about what arrives, not how old it is.
    e = AlertEngine(AlertsConfig(), offline_after_intervals=3)
    now = T0 + 30 * 1440 * MIN
    e.evaluate([], [(REF, Status(online=True, interval_s=60), now)], [], now)
    for hour in range(5):
        do = [5.0 + 0.01 * (i % 7) for i in range(60)]
        assert run(e, rows("do_mgl", do, t0=T0 + hour * 60 * MIN), now=now + hour) == []
        assert e.tick(now + hour + 1) == []
    out = e.tick(now + 11 * MIN)  # and then it stops sending
    assert changes(out) == [("offline/node-1", "raised", "warning")]


def test_after_a_restart_silence_counts_from_the_last_stored_sample() -> None:
    e = AlertEngine(AlertsConfig(), offline_after_intervals=3)
    restart = T0 + 2 * 60 * MIN
    e.replay(rows("do_mgl", [5.0 + 0.01 * (i % 5) for i in range(60)]), restart)  # silent 1 h
    e.restore([])
    out = e.tick(restart + 1000)
    assert changes(out) == [("offline/node-1", "raised", "warning")]
    assert out[0].since == T0 + 59 * MIN


def test_a_quiet_temperature_probe_is_not_stuck() -> None:
    # A DS18B20 (0.0625 °C steps) can hold one value through a still night.
    e = AlertEngine(AlertsConfig())
    assert run(e, rows("temp_c", [28.125] * 5 * 60)) == []
    assert changes(run(e, rows("temp_c", [28.125] * 62 * 60, t0=T0 + 5 * 60 * MIN))) == [
        ("flatline/node-1/temp_c", "raised", "warning")]  # 6 h: not a living pond


def test_a_flickering_do_probe_is_a_sensor_fault_not_low_oxygen() -> None:
    e = AlertEngine(AlertsConfig())
    rng = random.Random(4)
    steady = rows("do_mgl", [6.0 - 0.01 * i for i in range(60)])
    flick = rows("do_mgl", [rng.choice([0.0, 0.0, 15.2]) for _ in range(6 * 60)],
                 t0=T0 + 60 * MIN)
    out = run(e, steady) + run(e, flick)
    assert changes(out) == [("spikes/node-1/do_mgl", "raised", "warning")]


def test_a_node_back_from_an_outage_is_believed() -> None:
    # Away for an hour while the night's DO fell from 5 to 1.6 mg/L: no jump, just news.
    e = AlertEngine(AlertsConfig())
    run(e, rows("do_mgl", [5.0] * 10))
    out = run(e, rows("do_mgl", [1.6] * 12, t0=T0 + 70 * MIN))
    assert changes(out) == [("do_low", "raised", "critical")]


def test_one_alert_a_probe() -> None:
    # A pH probe that reads 15.45 (unplugged) between wild readings: sentinel and spikes
    # both see it; the trainees hear about it once.
    e = AlertEngine(AlertsConfig())
    topic = telemetry_topic(REF)
    ph = [7.2, 9.9, 7.2, 4.1, 7.1, 9.8, 7.0, 4.0, 7.2, 9.9, 7.1] * 3
    dead = [DeadLetterIn(topic, "out_of_range", "ph", json.dumps({"t": T0 + i * MIN + 30_000,
                                                                  "ph": 15.45}), T0)
            for i in range(len(ph))]
    out = e.evaluate(rows("ph", ph), [], dead, T0 + len(ph) * MIN)
    assert changes(out) == [("sentinel/node-1/ph", "raised", "warning")]


def test_sentinels_counted_per_device() -> None:
    e = AlertEngine(AlertsConfig())
    topic = telemetry_topic(REF)
    dead = [DeadLetterIn(topic, "sentinel", "temp_c=-127", json.dumps({"t": T0 + i * MIN,
                                                                      "temp_c": -127.0}), T0)
            for i in range(3)]
    out = e.evaluate([], [], dead, T0)
    assert changes(out) == [("sentinel/node-1/temp_c", "raised", "warning")]
    assert e.health.sentinel_counts()[("serang", "node-1")] == 3
    later = run(e, rows("temp_c", [28.0] * 3, t0=T0 + 125 * MIN))  # 2 h without one
    assert changes(later) == [("sentinel/node-1/temp_c", "resolved", "warning")]


def test_flatline_and_spikes() -> None:
    e = AlertEngine(AlertsConfig())
    out = run(e, rows("ph", [7.31] * 100))
    assert changes(out) == [("flatline/node-1/ph", "raised", "warning")]
    spiky = [7.0, 7.01, 8.5, 7.02, 7.0, 7.03, 5.6, 7.01, 7.0, 8.6, 7.02, 7.01]
    out = run(e, rows("ph", spiky, t0=T0 + 200 * MIN))
    assert ("flatline/node-1/ph", "resolved", "warning") in changes(out)
    assert ("spikes/node-1/ph", "raised", "warning") in changes(out)


def test_drift_against_a_manual_measurement() -> None:
    e = AlertEngine(AlertsConfig())
    out = e.manual_check("serang", "kolam-1", "node-1", "do_mgl", T0, 3.1, 4.2)
    assert changes(out) == [("drift/node-1/do_mgl", "raised", "warning")]
    assert e.manual_check("serang", "kolam-1", "node-1", "do_mgl", T0 + MIN, 4.1, 4.2)


def test_restored_alert_is_not_raised_again() -> None:
    e = AlertEngine(AlertsConfig())
    e.restore([ActiveAlert(AlertKey("serang", "kolam-1", "do_low"), "do_low",
                           Severity.CRITICAL, T0 - 30 * MIN, T0 - MIN)])
    assert run(e, rows("do_mgl", [1.5] * 20)) == []
    # DO recovers as water does, a few tenths a minute (a jump would be held back as erratic).
    out = run(e, rows("do_mgl", [1.5 + 0.4 * i for i in range(10)] + [5.0] * 12,
                      t0=T0 + 20 * MIN))
    assert [t.change for t in out] == [Change.RESOLVED]


def test_dawn_forecast_warns_hours_before_sunrise() -> None:
    e = AlertEngine(AlertsConfig())
    # 2025-11-24 18:30 WIB (11:30Z) onwards, DO halving every 3 h from 6 mg/L.
    start = 1_763_983_800_000
    do = [6.0 * 0.5 ** (i / 180) for i in range(6 * 60)]
    out = run(e, rows("do_mgl", do, t0=start))
    forecast = [t for t in out if t.alert.key == "do_forecast"]
    assert [t.change for t in forecast] == [Change.RAISED]
    assert forecast[0].value is not None and forecast[0].value < 2.0
    assert "WIB" in forecast[0].detail


def _stream(rng: random.Random) -> list[Row]:
    """Two ponds, one with two probes: readings that cross every water-quality threshold,
    repeat, spike and fall, in event-time order."""
    levels = {"do_mgl": [5.0, 2.8, 1.5], "temp_c": [29.0, 26.5, 24.0, 33.0],
              "ph": [7.5, 6.3, 9.2], "nh3_mgl": [0.02, 0.2, 0.5], "tan_mgl": [0.3, 3.0], "no2_mgl": [0.1, 0.4, 0.9],
              "tds_ppm": [500.0, 1200.0], "level_cm": [80.0, 60.0]}
    series = [("kolam-1", "node-1"), ("kolam-1", "node-2"), ("kolam-2", "node-3")]
    out: list[Row] = []
    for pond, device in series:
        for metric, choices in levels.items():
            value, key = choices[0], SeriesKey("serang", pond, device, metric)
            for i in range(rng.randint(80 if device == "node-3" else 20, 150)):
                if rng.random() < 0.06:
                    if metric == "do_mgl":  # DO moves as water does, a level at a time
                        at = choices.index(value)
                        value = choices[max(0, min(len(choices) - 1, at + rng.choice([-1, 1])))]
                    else:
                        value = rng.choice(choices)
                noise = rng.choice([0.0, 0.01, -0.01]) if metric != "level_cm" else 0
                window = device == "node-3" and 40 <= i < 70 and metric in ("do_mgl", "nh3_mgl",
                                                                          "tan_mgl")
                if window:
                    value = choices[1]  # low DO with high ammonia for 30 min: do_nh3
                elif rng.random() < 0.03 and metric != "level_cm":
                    noise = 2.0  # a spike
                out.append((key, T0 + i * MIN + rng.choice([0, 0, 30_000]),
                            round(value + noise - (0.1 * i if metric == "level_cm" else 0), 3)))
    out.sort(key=lambda r: (r[1], r[0].device, r[0].metric, r[2]))
    return out


def _states(e: AlertEngine) -> dict[tuple[str, str, str], tuple[object, ...]]:
    return {(*k, key): (c.level, c.since, c.last_t, tuple(c._run), c._down_since)
            for k, ps in e.ponds.items() for key, c in ps.conditions.items()}


@given(st.integers(0, 10_000), st.lists(st.integers(1, 400), max_size=8))
@settings(max_examples=12, deadline=None)
def test_batches_raise_exactly_what_single_samples_raise(seed: int, cuts: list[int]) -> None:
    """The engine evaluates a batch series by series, with shortcuts; the alerts and the
    state it leaves must be those of the same readings arriving one at a time."""
    stream = _stream(random.Random(seed))
    now = stream[-1][1]
    single, batched = AlertEngine(AlertsConfig()), AlertEngine(AlertsConfig())
    # One sample at a time: a sample's values (and the values derived from them) always
    # arrive together, in one message.
    samples = [list(g) for _, g in itertools.groupby(stream, key=lambda r: (r[1], r[0].device))]
    expected = [tr for sample in samples for tr in single.evaluate(sample, [], [], now)]
    got, start = [], 0
    for end in [*itertools.accumulate(cuts), len(samples)]:
        end = min(max(end, start), len(samples))
        got += batched.evaluate([r for sample in samples[start:end] for r in sample], [], [],
                                now)
        start = end

    def key(t: Transition) -> tuple[object, ...]:
        return (t.t, t.alert.pond, t.alert.key, t.change, t.severity, t.since, t.value,
                t.detail)

    assert sorted(map(key, got)) == sorted(map(key, expected))
    assert _states(batched) == _states(single)
    assert {k[2] for k in _states(single)} >= {"do_low", "nh3_high", "do_nh3", "temp_drop",
                                               "spikes/node-2/ph", "flatline/node-3/do_mgl"}
    assert len(expected) >= 5


def test_the_dawn_forecast_takes_the_sites_recorded_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue #19: the site record's coordinates win over the alert config's, which win
    over Serang's; a site the registry cannot name falls back and never raises."""
    from ingest.alerts.pipeline import site_coordinates
    from kolam.places import SitePlace
    from kolam.registry.places import Places
    from kolam.registry.repo import Registry

    registry = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    try:
        Places(registry.engine).add_site("lapas-sorong", SitePlace(lat=-0.88, lon=131.25))
        registry.ensure_pond("serang", "kolam-1")
        cfg = AlertsConfig(sites={"serang": SiteAlerts(latitude_deg=-6.0, longitude_deg=106.0),
                                  "lapas-sorong": SiteAlerts(latitude_deg=-6.0,
                                                             longitude_deg=106.0)})
        e = AlertEngine(cfg, place=lambda site: site_coordinates(registry, site))
        place = {site: (e._pond(site, "kolam-1").forecast.lat_deg,
                        e._pond(site, "kolam-1").forecast.lon_deg)
                 for site in ("lapas-sorong", "serang", "nowhere")}
    finally:
        registry.close()
    assert place == {"lapas-sorong": (-0.88, 131.25), "serang": (-6.0, 106.0),
                     "nowhere": (-6.12, 106.15)}
