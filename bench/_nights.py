"""Pond nights for the dawn-forecast benchmark, from a model that is *not* the simulator.

Each night is drawn on its own (its own weather, pond and probe) and integrated at one
minute from 15:00 WIB to two hours after sunrise at Serang:

    dC/dt = P(t) − R · θ^(T−T_dusk) · C / (K + C) + (kLa + aerator(t)) · (Cs(T) − C)

with the afternoon's photosynthesis P fading to nothing at dusk and rising again after
sunrise, the water cooling through the night, and shapes the simulator does not make:

- ``balance``: respiration slowing at low DO with surface reaeration, no aerator;
- ``linear``: a straight-line decline at a constant rate (DO-independent demand, e.g. a
  sediment-dominated pond) down to what the fish can still extract;
- ``aerator-on-off``: an aerator started and stopped mid-night at random hours;
- ``aerator-fails-01``: a dense pond whose aerator runs from 22:00 and fails at 01:00;
- ``power-cut``: the same pond, aerator cut at a random hour between 23:00 and 03:00;
- ``aerator-holds``: the same pond, its 22:00 aerator running until the morning — the
  night a dense pond's schedule is for, and the commonest: without it the set would hold
  only aerators that fail, and a forecast that ignored every aerator would look right.

Parameter ranges are wider than the simulator's and none is the forecast's own: K (the
respiration half-saturation) spans 0.3–2 mg/L, the forecast assumes 0.75. Observed DO adds
what a galvanic probe does: a calibration error of a few per cent, AR(1) noise of
0.04–0.15 mg/L, 0.01 mg/L resolution, rare single-reading spikes and missing readings.

Three more kinds are nights the model does *not* describe, scored for what the forecast
admits rather than for error (DOMAIN.md, "What real nodes and real ponds do"):
``mixing`` (a stratified pond whose surface DO rises for hours after dusk before falling),
``erratic`` (a loose probe jumping between 0 and 15 mg/L from 21:00), ``artefact`` (a
drop of 2–3 mg/L that recovers after 10–40 minutes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from kolam.science.chemistry import do_saturation_mgl
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

F64 = NDArray[np.float64]
H_MS = 3_600_000
MIN_MS = 60_000
WIB_H = 7
SCORED_KINDS = ("balance", "linear", "aerator-on-off", "aerator-fails-01", "power-cut",
                "aerator-holds")
ODD_KINDS = ("mixing", "erratic", "artefact")


@dataclass(frozen=True, slots=True)
class Night:
    kind: str
    index: int
    t_ms: NDArray[np.int64]
    true_do: F64
    obs_do: F64
    """NaN where a reading is missing."""
    dusk_ms: int
    sunrise_ms: int
    change_ms: int | None = None
    """When the aerator was switched (the last switch), for the reaction test."""
    odd_ms: tuple[int, int] | None = None
    """When the night misbehaves (mixing, erratic probe, artefact): (start, end)."""
    switches_ms: tuple[int, ...] = ()
    """Every aerator switch of the night (on, off, failure): after the last one before a
    forecast time the night is "undisturbed" for that forecast."""
    aerator_events: tuple[tuple[int, bool, bool], ...] = ()
    """What the relay confirms, for a forecast given the aerator signal: (t, on, failed),
    the first the state at 15:00 (off). None for the kinds without an aerator."""
    keep_on: tuple[int, int] | None = None
    """The gateway's ``keep_on`` window (minutes of the WIB day) of a scheduled aerator."""


def _hour_ms(day0: datetime, wib_hour: float) -> int:
    """Epoch ms of ``wib_hour`` hours after 00:00 WIB of ``day0``'s date."""
    midnight_wib = datetime(day0.year, day0.month, day0.day, tzinfo=UTC) - timedelta(hours=WIB_H)
    return int(midnight_wib.timestamp() * 1000 + wib_hour * H_MS)


def make_night(kind: str, index: int, seed: int = 0, aerators: bool = True,
               as_planned: bool = False) -> Night:
    """Night ``index`` of ``kind``, deterministic from (kind, index, seed); with
    ``aerators=False`` the same night without its aerator (what the forecast extrapolates
    before the aerator starts); with ``as_planned`` the same night with its scheduled
    aerator never failing (the night the gateway's ``keep_on`` plans)."""
    rng = np.random.default_rng([seed, index, sum(map(ord, kind)) * 7919])
    day0 = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=int(index % 90))
    start = _hour_ms(day0, 15.0)
    dusk = last_sunset_ms(_hour_ms(day0, 21.0))
    sunrise = next_sunrise_ms(dusk)
    end = sunrise + 2 * H_MS
    t = np.arange(start, end, MIN_MS, dtype=np.int64)
    hours = (t - dusk) / H_MS  # 0 at dusk
    dense = kind in ("aerator-fails-01", "power-cut", "aerator-holds")
    # Night respiration at dusk (mg/L/h): DO falling from ~6-13 mg/L at dusk to 1-5 by
    # dawn in ~12 h (DOMAIN.md daily cycle); a dense pond relies on its aerator.
    r_dusk = rng.uniform(0.9, 1.5) if dense else rng.uniform(0.35, 1.1)
    k_half = rng.uniform(0.3, 2.0)
    kla = rng.uniform(0.01, 0.08)  # wind over the surface, 1/h
    t_dusk = rng.uniform(29.0, 31.5)
    cooling = rng.uniform(0.1, 0.25)  # °C per hour through the night
    theta = rng.uniform(1.04, 1.08)  # DOMAIN.md
    c_dusk = rng.uniform(5.5, 13.0)
    temp = np.where(hours < 0, t_dusk + 0.3 * -hours, t_dusk - cooling * np.maximum(hours, 0.0))
    cs = np.asarray(do_saturation_mgl(temp))
    aer = np.zeros(len(t))
    change: int | None = None
    switches: tuple[int, ...] = ()
    events: tuple[tuple[int, bool, bool], ...] = ()
    keep_on: tuple[int, int] | None = None
    odd: tuple[int, int] | None = None
    local_h = (t - _hour_ms(day0, 0.0)) / H_MS  # WIB hours from 00:00 of day0 (24 = midnight)
    if kind == "aerator-on-off":
        on = rng.uniform(20.5, 23.5)
        off = rng.uniform(on + 2.0, 28.5)
        aer[(local_h >= on) & (local_h < off)] = rng.uniform(0.15, 0.5)
        change = _hour_ms(day0, off)
        switches = (_hour_ms(day0, on), change)
        # Switched by a person: no schedule the centre could know.
        events = ((int(t[0]), False, False), (switches[0], True, False), (change, False, False))
    elif kind == "aerator-holds":
        off = 30.0  # keep_on ends at 06:00, after sunrise
        aer[(local_h >= 22.0) & (local_h < off)] = rng.uniform(0.2, 0.5)
        switches = (_hour_ms(day0, 22.0),)
        events = ((int(t[0]), False, False), (switches[0], True, False))
        keep_on = (22 * 60, 6 * 60)
    elif kind in ("aerator-fails-01", "power-cut"):
        fail = 25.0 if kind == "aerator-fails-01" else rng.uniform(23.0, 27.0)
        if as_planned:
            fail = 30.0
        aer[(local_h >= 22.0) & (local_h < fail)] = rng.uniform(0.2, 0.5)
        change = _hour_ms(day0, fail)
        switches = (_hour_ms(day0, 22.0), change)
        # The gateway's keep_on 22:00-06:00 starts it; the failure is a power cut or a
        # dead motor (state off, or on at 0 A): not what the plan intended.
        events = ((int(t[0]), False, False), (switches[0], True, False), (change, False, True))
        keep_on = (22 * 60, 6 * 60)
    if not aerators:
        aer[:] = 0.0
    # The afternoon: photosynthesis fading linearly to zero at dusk, tuned so that DO
    # reaches c_dusk at dusk from a little above it.
    p_peak = r_dusk * 1.5 + rng.uniform(0.5, 1.5)
    c = np.empty(len(t))
    level = c_dusk + 0.5 * p_peak
    mixing_until = 0.0
    if kind == "mixing":
        mix_h = rng.uniform(2.0, 4.0)
        mix_rate = rng.uniform(0.4, 1.0)  # mg/L/h brought up from supersaturated layers
        mixing_until = mix_h
        odd = (dusk, dusk + int(mix_h * H_MS))
    for i in range(len(t)):
        hr = hours[i]
        p = p_peak * max(-hr / 3.0, 0.0) if hr < 0 else 0.0
        if t[i] > sunrise:  # morning light: net production overtakes respiration
            p = p_peak * min((t[i] - sunrise) / (1.5 * H_MS), 1.0)
        resp = r_dusk * theta ** (temp[i] - t_dusk)
        if kind == "linear":
            demand = resp * min(level / 0.5, 1.0)  # constant until the fish can take no more
        else:
            demand = resp * level / (k_half + level)
        dc = p - demand + (kla + aer[i]) * (cs[i] - level)
        if 0.0 <= hr < mixing_until:
            dc = mix_rate
        if i:
            level = max(level + dc / 60.0, 0.0)
        c[i] = level
    obs = _observe(c, rng)
    if kind == "erratic":
        a = _hour_ms(day0, 21.0)
        bad = (t >= a) & (rng.random(len(t)) < 0.5)
        obs[bad] = rng.choice([0.0, 15.0], bad.sum()) + rng.normal(0, 0.3, bad.sum())
        obs = np.clip(obs, 0.0, 25.0)
        odd = (a, end)
    elif kind == "artefact":
        a = _hour_ms(day0, rng.uniform(20.5, 27.0))
        length = int(rng.uniform(10, 40)) * MIN_MS
        sel = (t >= a) & (t < a + length)
        obs[sel] = np.maximum(obs[sel] - rng.uniform(2.0, 3.0), 0.0)
        odd = (a, a + length)
    return Night(kind, index, t, c, obs, dusk, sunrise, change, odd, switches, events, keep_on)


def _observe(c: F64, rng: np.random.Generator) -> F64:
    n = len(c)
    sigma = rng.uniform(0.04, 0.15)
    phi = 0.6
    e = rng.normal(0.0, sigma * math.sqrt(1 - phi * phi), n)
    ar = np.empty(n)
    prev = 0.0
    for i in range(n):
        prev = phi * prev + e[i]
        ar[i] = prev
    obs = c * (1.0 + rng.uniform(-0.04, 0.04)) + ar
    spikes = rng.random(n) < 0.002
    obs[spikes] += rng.choice([-1.0, 1.0], spikes.sum()) * rng.uniform(1.5, 3.0, spikes.sum())
    obs = np.round(np.clip(obs, 0.0, 25.0), 2).astype(np.float64)
    obs[rng.random(n) < 0.01] = np.nan
    return obs


def nights(n_per_kind: int, kinds: tuple[str, ...] = SCORED_KINDS, seed: int = 0) -> list[Night]:
    return [make_night(k, i, seed) for k in kinds for i in range(n_per_kind)]
