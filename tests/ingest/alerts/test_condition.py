"""The min-duration + hysteresis state machine behind every rule."""

from __future__ import annotations

import itertools
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.alerts.condition import Condition
from kolam.alerts.defaults import DEFAULT_RULES
from kolam.alerts.model import Rule

MIN = 60_000
DO = DEFAULT_RULES["do_low"]  # warning < 3, critical < 2, hysteresis 0.3, 10 min


def feed(c: Condition, values: list[float], t0: int = 0) -> list[tuple[int, int, int]]:
    out = []
    for i, v in enumerate(values):
        ch = c.update(t0 + i * MIN, v)
        if ch is not None:
            out.append((ch.old, ch.new, ch.t // MIN))
    return out


def test_raises_only_after_the_minimum_duration() -> None:
    c = Condition(DO)
    changes = feed(c, [5.0] * 5 + [2.8] * 15)
    assert changes == [(0, 1, 15)]  # breach began at minute 5, lasted 10 min
    assert c.since == 5 * MIN


def test_a_single_odd_sample_raises_nothing() -> None:
    assert feed(Condition(DO), [5.0] * 10 + [0.5] + [5.0] * 30) == []


def test_flapping_around_the_threshold_is_one_alert() -> None:
    rng = random.Random(7)
    # Six hours of DO swinging ±0.35 mg/L around the 3 mg/L threshold every hour, plus noise.
    flapping = [3.0 - 0.35 * math.cos(2 * math.pi * i / 60) + rng.uniform(-0.2, 0.2)
                for i in range(360)]
    changes = feed(Condition(DO), [5.0] * 10 + flapping)
    crossings = sum((a < 3) != (b < 3) for a, b in itertools.pairwise(flapping))
    assert crossings > 12  # the data really flaps...
    assert [(old, new) for old, new, _ in changes] == [(0, 1)]  # ...the alert does not


def test_upgrade_then_recovery_with_hysteresis() -> None:
    c = Condition(DO)
    changes = feed(c, [2.5] * 11 + [1.5] * 11 + [3.2] * 30 + [3.4] * 11)
    # warning at 10, critical at 21; 3.2 is inside the hysteresis (< 3.3): still warning
    assert changes == [(0, 1, 10), (1, 2, 21), (2, 1, 32), (1, 0, 62)]


def test_old_samples_are_ignored() -> None:
    c = Condition(DO)
    feed(c, [1.9] * 20)
    assert c.update(5 * MIN, 9.0) is None
    assert c.level == 2


@st.composite
def rules_and_values(draw: st.DrawFn) -> tuple[Rule, list[float]]:
    """A rule with random thresholds and a series wandering around them."""
    direction = draw(st.sampled_from(["below", "above"]))
    a, b = sorted(draw(st.lists(st.floats(1, 9), min_size=2, max_size=2)))
    warning, critical = (b, a) if direction == "below" else (a, b)
    warning = draw(st.sampled_from([warning, None]))
    rule = Rule("r", "x", "", direction, warning, critical,
                draw(st.sampled_from([0.0, 0.3])), draw(st.sampled_from([0, 120, 600])))
    values = draw(st.lists(st.sampled_from([0.5, a - 0.2, a, a + 0.2, b - 0.2, b, b + 0.2, 9.5]),
                           min_size=1, max_size=80))
    return rule, values


@given(rules_and_values(), st.lists(st.integers(1, 40), max_size=6), st.integers(0, 2))
@settings(max_examples=300, deadline=None)
def test_batches_change_state_exactly_as_single_samples(
        case: tuple[Rule, list[float]], cuts: list[int], restored: int) -> None:
    """``update_many`` (with its shortcut for values that cannot change anything) leaves
    the same changes and the same state as feeding the samples one at a time."""
    rule, values = case
    one, many = Condition(rule), Condition(rule)
    if restored:
        one.restore(restored, -MIN, -MIN)
        many.restore(restored, -MIN, -MIN)
    times = [i * MIN for i in range(len(values))]
    expected = [(i, ch) for i, (t, v) in enumerate(zip(times, values, strict=True))
                if (ch := one.update(t, v)) is not None]
    got, start = [], 0
    for end in [*itertools.accumulate(cuts), len(values)]:
        end = min(max(end, start), len(values))
        got += [(start + i, ch) for i, ch in many.update_many(times[start:end],
                                                              values[start:end])]
        start = end
    assert got == expected
    assert (many.level, many.since, many.last_t, many._run, many._down_since) == \
        (one.level, one.since, one.last_t, one._run, one._down_since)
