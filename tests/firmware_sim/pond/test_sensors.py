"""The device model: noise, faults, power and determinism."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from firmware_sim.pond import FAULT_KINDS, METRICS, VALID_RANGE, PondSim

START = datetime(2026, 11, 1, tzinfo=UTC)


def test_normal_readings_are_close_noisy_in_range_and_fault_free(simulate) -> None:
    _, frames = simulate("normal")
    assert frames.events == []
    assert frames.online.all()
    assert (frames.clock_skew_ms == 0).all()
    for key in METRICS:
        obs, true = frames.observed[key], frames.truth[key]
        lo, hi = VALID_RANGE[key]
        assert not np.isnan(obs).any()
        assert ((obs >= lo) & (obs <= hi)).all(), key
        assert np.abs(obs - true).max() < 1.0 + 0.3 * np.abs(true).max(), key
        assert (obs != true).any(), key
    temp = frames.observed["temp_c"]
    np.testing.assert_allclose(temp / 0.0625, np.round(temp / 0.0625))  # DS18B20 steps


def test_sensor_faults_emit_every_kind_within_a_week(simulate) -> None:
    _, frames = simulate("sensor-faults")
    assert {kind for _, kind, _ in frames.events} == set(FAULT_KINDS)
    t0, t1 = frames.t_ms[0], frames.t_ms[-1]
    for pond, kind, t_ms in frames.events:
        assert 0 <= pond < 4 and kind in FAULT_KINDS and t0 <= t_ms <= t1


def test_fault_signatures_show_in_the_readings(simulate) -> None:
    _, frames = simulate("sensor-faults")
    temp = frames.observed["temp_c"]
    assert (temp == -127.0).any() and (temp == 85.0).any()
    assert np.isnan(frames.observed["do_mgl"]).any()
    assert (~frames.online).any()
    assert (frames.clock_skew_ms != 0).any()
    stuck = [(frames.observed[m] == v).any() for m, v in
             (("ph", 0.0), ("ph", 21.5), ("do_mgl", 0.0), ("do_mgl", 16.1), ("tds_ppm", 0.0),
              ("tds_ppm", 2420.0), ("turbidity_ntu", 0.0), ("turbidity_ntu", 3000.0),
              ("tan_mgl", 0.0), ("tan_mgl", 50.0), ("no2_mgl", 0.0), ("no2_mgl", 20.0))]
    assert any(stuck)


def test_do_fouling_reads_low(simulate) -> None:
    sim, frames = simulate("sensor-faults")
    plan = sim.sensors.plan
    assert plan is not None
    fouled = np.flatnonzero(np.isfinite(plan.fouling_start))
    obs, true = frames.observed["do_mgl"][-1440:], frames.truth["do_mgl"][-1440:]
    ok = np.isfinite(obs[:, fouled]) & (true[:, fouled] > 3.0)
    ratio = np.median(obs[:, fouled][ok] / true[:, fouled][ok])
    assert 0.85 < ratio < 0.97  # ~6 days into a 20 %-in-14-days drift


def test_brownout_reboots_the_node(simulate) -> None:
    _, frames = simulate("sensor-faults")
    browned = {pond for pond, kind, _ in frames.events if kind == "brownout"}
    for pond in browned:
        boots = frames.boot[:, pond]
        assert boots[-1] > boots[0]
        restart = np.flatnonzero(np.diff(boots) > 0)[0] + 1
        assert frames.seq[restart, pond] == 1
        assert frames.battery_v[:, pond].min() < 3.35
    healthy = [p for p in range(4) if p not in browned]
    assert healthy
    assert (frames.battery_v[:, healthy] > 3.6).all()


def test_same_seed_same_output_different_seed_different() -> None:
    def run(seed: int) -> tuple:
        sim = PondSim(n_ponds=3, start=START, scenario="sensor-faults", seed=seed)
        return sim.run(2 * 1440), sim

    (a, _), (b, _), (c, _) = run(7), run(7), run(8)
    for key in METRICS:
        np.testing.assert_array_equal(a.truth[key], b.truth[key])
        np.testing.assert_array_equal(a.observed[key], b.observed[key])
    assert a.events == b.events
    np.testing.assert_array_equal(a.boot, b.boot)
    assert not np.array_equal(a.truth["do_mgl"], c.truth["do_mgl"])
    assert not np.array_equal(a.observed["temp_c"], c.observed["temp_c"], equal_nan=True)


def test_step_by_step_equals_run() -> None:
    one = PondSim(n_ponds=2, start=START, scenario="sensor-faults", seed=3)
    many = PondSim(n_ponds=2, start=START, scenario="sensor-faults", seed=3)
    frames = many.run(120)
    for i in range(120):
        frame = one.step()
        assert frame.t_ms == frames.t_ms[i]
        for key in METRICS:
            np.testing.assert_array_equal(frame.observed[key], frames.observed[key][i])
            np.testing.assert_array_equal(frame.truth[key], frames.truth[key][i])


def test_set_aerator_overrides_the_schedule() -> None:
    sim = PondSim(n_ponds=2, start=START, seed=1)  # the blowers run day and night
    sim.set_aerator(1, False)
    frame = sim.step()
    assert frame.aerator_on.tolist() == [True, False]
    sim.set_aerator(1, None)
    assert sim.step().aerator_on.all()
