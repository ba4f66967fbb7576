"""Dawn dissolved-oxygen forecast: the night's DO model fitted as the night goes.

From 30 minutes after dusk, every 5 minutes, Kolam fits the night mass balance
(``kolam.alerts.night_fit``: respiration slowing at low DO, reaeration toward saturation) to
the readings of the current *regime* and integrates it to the next sunrise. A regime ends
where the readings leave the model's one-step prediction (an aerator switched on or off, a
power cut): the fit then starts again from that change, so the forecast follows it within
minutes instead of averaging it into a three-hour window.

When the night does not behave as the model assumes the forecast says so (``unreliable``
with a reason) instead of giving a confident wrong number: DO rising for hours after dusk
(a stratified pond mixing), a probe whose readings jump about, a sudden jump of 2 mg/L or
more that no pond's oxygen can make (DOMAIN.md, "What real nodes and real ponds do").

Madenjian's (1987) exponential (``night_fit.fit_dawn``) stays as the simple reference.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from statistics import median

from kolam.alerts import night_signs as signs
from kolam.alerts.aerators import STOP_HOLD_S, AeratorPlan, hhmm
from kolam.alerts.night_fit import (
    KLA_PRIOR_H,
    NightFit,
    Prior,
    Series,
    Stretch,
    ensemble,
    ensemble_stretches,
    fit_night,
    predict,
    project,
)
from kolam.science.sun import (
    SERANG_LAT_DEG,
    SERANG_LON_DEG,
    last_sunset_ms,
    next_sunrise_ms,
    next_sunset_ms,
)

DAYTIME = 99.0
"""The signal between sunrise and dusk: "no low-oxygen forecast", so an alert clears."""
_H_MS = 3_600_000
_MIN_MS = 60_000

METHOD = "night-balance"
"""The method name the forecast reports (respiration + reaeration fit, refitted on change)."""
ERRATIC_MGL = 0.4
"""Typical reading-to-reading scatter (robust, mg/L) above which the probe is erratic: a
healthy galvanic or optical probe scatters by 0.05–0.15 mg/L (the simulator's ~0.1)."""
RISE_MGL_H = 0.25
"""DO still rising this fast (mg/L/h) after the first 90 minutes of the night, with no
decline yet: the water is mixing (a stratified pond), not respiring as modelled."""
MAX_RMS_MGL = 0.5
"""A regime the model cannot follow within this (mg/L) gives no number."""
SAME_RESPIRATION = 5.0
"""After a change of regime, the pull of R toward the respiration before it (per reading):
switching an aerator changes kLa, not what the pond breathes, and this lets ten minutes of
readings give a usable forecast; an hour of them outweighs it."""
NEW_AERATION = Prior(0.0, 0.01)
STILL_MIN_MS = 3 * _MIN_MS
STILL_MIN_POINTS = 3
"""After a confirmed stop, with tonight's unaerated evening to lean on, a forecast comes
after this many readings (minutes): the evening says how the pond falls, three readings
where it starts from (``ensemble_stretches``)."""
STILL_AIR = Prior(KLA_PRIOR_H, 1000.0)
"""Aerators off: kLa held at still-water reaeration."""


@dataclass(frozen=True, slots=True)
class DawnEstimate:
    """What the forecast says at one moment.

    ``state``: ``forecast`` (``do_mgl`` is the dawn minimum), ``day`` (no night to forecast),
    ``wait`` (too few readings yet tonight), ``unreliable`` (``reason`` says why) or
    ``aerated`` (an aerator runs or is scheduled to: ``do_mgl`` is the minimum with it —
    until it starts, or of the aerated night — and ``reason`` says which aerator)."""

    state: str
    sunrise_ms: int
    do_mgl: float | None = None
    points: int = 0
    reason: str | None = None
    regime_start_ms: int | None = None
    method: str = METHOD
    why: tuple[str, dict[str, float]] | None = None
    """``reason`` as a code and its numbers, for pages that word it in their own language:
    ``erratic`` (scatter_mgl), ``jump`` (drop: 1 or 0, size_mgl, within_min), ``mixing``
    (rate_mgl_h, hours), ``stray`` (rms_mgl), ``silent`` (minutes), ``aerated``
    (running: 1 or 0, unaerated_mgl: the forecast without it, since_ms: when a running
    aerator was confirmed on, start_min and end_min: the scheduled window's minutes of the
    site's day, or do_on_mgl: the loop's switch-on DO)."""


@dataclass(slots=True)
class DawnForecast:
    """Feeds on a pond's DO readings; gives the forecast dawn DO at night, ``DAYTIME`` by
    day, and nothing while the night has too few readings or is ``unreliable``
    (``estimate`` says which, and why). Keeps at most one point a minute (``thin_ms``)."""

    lat_deg: float = SERANG_LAT_DEG
    lon_deg: float = SERANG_LON_DEG
    window_ms: int = 4 * _H_MS
    """The longest stretch of one regime fitted: respiration drifts as the water cools."""
    after_dusk_ms: int = 30 * _MIN_MS
    min_span_ms: int = 90 * _MIN_MS
    """Readings needed for the night's first forecast."""
    regime_min_ms: int = 10 * _MIN_MS
    """Readings needed after a change of regime."""
    settle_ms: int = 45 * _MIN_MS
    """After an artefact or a mixing rise, readings needed before a number again."""
    every_ms: int = 5 * _MIN_MS
    dawn_lag_ms: int = 20 * _MIN_MS
    """The night's minimum comes this long after sunrise, when light first outpaces
    respiration (DOMAIN.md: minimum about 05:00–06:00 WIB; the simulator's median is 21
    min after sunrise)."""
    thin_ms: int = _MIN_MS
    confirm_ms: int = 5 * _MIN_MS
    """After a fit that saw a change of regime, the next fit comes this soon to confirm
    it (two fits must agree, ``_change``). Two minutes made the forecast follow a power
    cut ~4 min sooner (reaction median 27 → 23 min on the night model) but confirmed
    twice as many bends that were probe noise: the forecast jumped by more than
    1.5 mg/L twice as often on power-cut nights. Five it stays."""
    test_ms: int = 20 * _MIN_MS
    """Recent stretch checked against the regime's prediction for a change."""
    points: deque[tuple[int, float]] = field(default_factory=deque)
    sunrise_ms: int = 0
    estimate: DawnEstimate | None = None
    _night_start: int = 0
    _regime: int = 0
    _pending: int | None = None
    """A change of regime seen by the last fit, awaiting confirmation."""
    _before: NightFit | None = None
    """The rates of the regime before the current one."""
    _settle: tuple[int, str, tuple[str, dict[str, float]]] | None = None
    """(until, reason, its code): no number before ``until`` (an artefact or a mixing rise)."""
    _next_fit: int = 0
    _last: float | None = None
    _dusk: tuple[int, int] = (0, 0)
    """The last sunset before t, valid until the next one: (sunset, next sunset)."""
    plan: AeratorPlan | None = None
    """How the pond's aerators are run (the gateway's control loops), if the centre knows."""
    _aer: bool | None = None
    """The aerators' confirmed state (None: no relay has said)."""
    _aer_since: int = 0
    _failed: bool = False
    """A stop the plan did not intend (power cut, dead motor): the plan holds no more
    until an aerator is confirmed on again."""
    _stopped: int | None = None
    """Tonight's confirmed stop of an aerator that was running."""
    _on_at: int | None = None
    """Tonight's confirmed switch-on: DO rising after it is the aerator, not mixing."""
    _known: bool | None = None
    """The current regime began at a confirmed switch: on (True) or off (False)."""
    _last_fit: NightFit | None = None
    _still: tuple[list[int], list[float]] | None = None
    """Tonight's readings before the first confirmed switch-on (t, despiked DO): how the
    pond breathes without air, for the night after that aerator stops."""

    def add_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, float, int]]:
        """(t, forecast, the sunrise it is for) after each sample that yields a forecast."""
        out: list[tuple[int, float, int]] = []
        pts, thin = self.points, self.thin_ms
        sunrise, next_fit, last = self.sunrise_ms, self._next_fit, self._last
        dusk, dusk_until = self._dusk  # last_sunset_ms(t) is constant until the next sunset
        for t, do_mgl in zip(ts, vs, strict=True):
            if t >= sunrise:
                sunrise = next_sunrise_ms(t, self.lat_deg, self.lon_deg)
                pts.clear()
                next_fit, last = 0, None
                self._settle = self._before = self._pending = None
                self._stopped = self._on_at = self._known = self._last_fit = None
                self._still = None
                self.estimate = None
            if not dusk <= t < dusk_until:
                dusk = last_sunset_ms(t, self.lat_deg, self.lon_deg)
                dusk_until = next_sunset_ms(t, self.lat_deg, self.lon_deg)
            if sunrise - dusk > 16 * _H_MS:
                self.estimate = DawnEstimate("day", sunrise)
                out.append((t, DAYTIME, sunrise))
                continue
            night_start = dusk + self.after_dusk_ms
            if t < night_start or math.isnan(do_mgl):
                continue
            if not pts:
                self._night_start = self._regime = night_start
            if not pts or t - pts[-1][0] >= thin:
                pts.append((t, do_mgl))
            if t < next_fit:
                if last is not None:
                    out.append((t, last, sunrise))
                continue
            next_fit = t + self.every_ms
            self.sunrise_ms = sunrise
            self.estimate = est = self._fit(t)
            if self._pending is not None:
                # A change seen once is checked again soon (not five minutes on): the
                # forecast follows a power cut that much sooner.
                next_fit = t + self.confirm_ms
            last = est.do_mgl if est.state in ("forecast", "aerated") else None
            if last is not None:
                out.append((t, last, sunrise))
        self.sunrise_ms, self._next_fit, self._last = sunrise, next_fit, last
        self._dusk = (dusk, dusk_until)
        return out

    def add(self, t: int, do_mgl: float) -> float | None:
        got = self.add_many((t,), (do_mgl,))
        return got[0][1] if got else None

    def aerator(self, t_ms: int, on: bool, failed: bool = False) -> None:
        """A confirmed change of the pond's aerators at ``t_ms``: switched on, or off
        (``failed``: a power cut, a dead motor, a stop inside its ``keep_on`` window — the
        plan no longer holds tonight). The fit starts a new regime there at once, fitted
        as "switched on" or "stopped", instead of waiting to see the bend in the readings."""
        was = self._aer
        if on == was and not (failed and not self._failed):
            return
        self._aer, self._aer_since = on, t_ms
        if on:
            if self._on_at is None and self._still is None:
                self._still = self._unaerated(t_ms)
            self._failed, self._stopped, self._on_at = False, None, t_ms
        else:
            self._failed = self._failed or failed
            if was:
                self._stopped = t_ms
        if on != was and self.points and t_ms > self._regime:
            self._regime, self._known = t_ms, on
            self._before, self._pending = self._last_fit, None
            soon = STILL_MIN_MS if not on and self._still is not None else self.regime_min_ms
            self._next_fit = min(self._next_fit, t_ms + soon)

    def _unaerated(self, t_ms: int) -> tuple[list[int], list[float]] | None:
        """The readings of the regime running at ``t_ms`` (no aerator yet tonight), at
        most ``window_ms`` of them; None when there are too few to say how it fell, or
        when the forecast did not trust them (an erratic probe, a pond mixing)."""
        if self.estimate is not None and self.estimate.state == "unreliable":
            return None
        since = max(self._regime, t_ms - self.window_ms)
        pts = [(t, v) for t, v in self.points if since <= t < t_ms]
        if len(pts) < 30:
            return None
        return [t for t, _ in pts], signs.despike([v for _, v in pts])

    def hold_s(self, rule_hold_s: float) -> float:
        """The ``do_forecast`` rule's hold now: ``STOP_HOLD_S`` once an aerator that held
        the pond is confirmed stopped tonight and the forecast is of the unaerated night."""
        est = self.estimate
        if self._stopped is not None and (est is None or est.state == "forecast"):
            return min(rule_hold_s, STOP_HOLD_S)
        return rule_hold_s

    # ------------------------------------------------------------ one fit

    def _fit(self, now: int) -> DawnEstimate:
        sunrise = self.sunrise_ms
        # Older than any window this fit looks at: dropped (a night is ~12 h, 720 points).
        while self.points[0][0] < now - self.window_ms - _H_MS:
            self.points.popleft()
        t_all = [t for t, _ in self.points]
        raw = [v for _, v in self.points]
        c_all = signs.despike(raw)
        n_all = len(t_all)
        i_hour = bisect_left(t_all, now - _H_MS)
        n_hour = n_all - i_hour
        scatter = signs.scatter(raw[i_hour:]) if n_hour >= 10 else 0.0
        if scatter > ERRATIC_MGL:
            return DawnEstimate("unreliable", sunrise, points=n_all, reason=(
                f"erratic probe: readings scatter by {scatter:.1f} mg/L from one to the next"),
                why=("erratic", {"scatter_mgl": round(scatter, 1)}))
        jump = signs.jump(t_all, c_all, self._regime)
        if jump is not None:
            at, size = jump
            self._regime = at
            self._settle = (at + self.settle_ms, (
                f"sudden {'drop' if size < 0 else 'rise'} of {abs(size):.1f} mg/L within "
                f"{signs.JUMP_MS // _MIN_MS} min: a probe artefact, not the pond's oxygen"),
                ("jump", {"drop": float(size < 0), "size_mgl": round(abs(size), 1),
                          "within_min": float(signs.JUMP_MS // _MIN_MS)}))
        dusk_do = c_all[:bisect_left(t_all, self._night_start + 15 * _MIN_MS)]
        if len(dusk_do) >= 5 and n_hour >= 30 and self._on_at is None:
            rate = signs.slope_h(t_all[i_hour:], c_all[i_hour:])
            if rate > RISE_MGL_H and median(c_all[-10:]) > median(dusk_do) + 0.3:
                hours = (now - self._night_start) / _H_MS + self.after_dusk_ms / _H_MS
                self._settle = (now + self.settle_ms, (
                    f"DO rising {rate:.1f} mg/L/h {hours:.1f} h after dusk: the water is "
                    "mixing (stratified pond?), not the falling night the forecast models"),
                    ("mixing", {"rate_mgl_h": round(rate, 1), "hours": round(hours, 1)}))
        start = max(self._regime, now - self.window_ms)
        i0 = bisect_left(t_all, start)
        t, c = t_all[i0:], c_all[i0:]
        least = STILL_MIN_POINTS if self._joint() else 6
        if (self._regime == self._night_start and now - start < self.min_span_ms) \
                or len(t) < least:
            return self._waiting(now, n_all)
        x = [(ti - now) / _H_MS for ti in t]
        if now - start >= self.test_ms + 30 * _MIN_MS:
            change = self._change(x, c, t)
            if change is not None:
                self._regime = change
                i1 = bisect_left(t, change)
                t, c, x = t[i1:], c[i1:], x[i1:]
        short = now - t[0] < self.regime_min_ms and not self._joint()
        if short or len(t) < least:
            return self._waiting(now, n_all)
        members = self._members(x, c)
        fit = max(members, key=lambda m: m[0])[1]
        self._last_fit = fit
        if self._settle is not None and now < self._settle[0]:
            return DawnEstimate("unreliable", sunrise, points=len(t), reason=self._settle[1],
                                regime_start_ms=int(t[0]), why=self._settle[2])
        if fit.rms_mgl > MAX_RMS_MGL:
            return DawnEstimate("unreliable", sunrise, points=len(t), reason=(
                f"readings stray {fit.rms_mgl:.1f} mg/L from the night model"),
                regime_start_ms=int(t[0]), why=("stray", {"rms_mgl": round(fit.rms_mgl, 1)}))
        hours = (sunrise + self.dawn_lag_ms - now) / _H_MS
        # A level night (blowers holding DO, a plateau before dawn): the fitted decline
        # is within noise of none, and projecting it for hours only adds its error.
        flat = signs.flat(x, c, members)

        def low_within(h: float) -> float:
            return fit.c_end if flat else sum(w * project(f, h) for w, f, _ in members)

        low = low_within(hours)
        est = DawnEstimate("forecast", sunrise, round(low, 2), len(t),
                           regime_start_ms=int(t[0]))
        return self._aerators(est, now, low_within, hours, fit.c_end)

    def _tz(self) -> tuple[tzinfo, ...]:
        return (self.plan.tz,) if self.plan is not None else ()

    def _aerators(self, est: DawnEstimate, now: int, low_within: Callable[[float], float],
                  hours: float, level: float) -> DawnEstimate:
        """``est`` given what is known of the pond's aerators: one running is in the
        readings (the aerated night); one scheduled to start (``keep_on``) ends the
        unaerated projection at its start; a control loop ends it at its switch-on DO."""
        low = est.do_mgl if est.do_mgl is not None else level
        if self._aer and not self._failed:
            return replace(est, state="aerated", reason=(
                f"aerator on since {hhmm(self._aer_since, *self._tz())}: the forecast is of "
                "the aerated "
                "night"), why=("aerated", {"running": 1.0, "unaerated_mgl": low,
                                 "since_ms": float(self._aer_since)}))
        plan = self.plan
        if plan is None or self._failed:
            return est
        held: float | None = None
        why: dict[str, float] = {"running": 0.0, "unaerated_mgl": low}
        words = ""
        window = plan.window_ms(now, est.sunrise_ms)
        if window is not None and (window[0] > now or self._aer is None) \
                and plan.keep_on is not None:
            held = low_within(min(hours, (window[0] - now) / _H_MS)) if window[0] > now \
                else low
            why |= {"start_min": float(plan.keep_on[0]), "end_min": float(plan.keep_on[1])}
            words = (f"aerator scheduled on {hhmm(window[0], plan.tz)}–"
                     f"{hhmm(window[1], plan.tz)} (gateway keep_on)")
        if plan.do_on_mgl is not None and not self._aer and level >= plan.do_on_mgl:
            # The loop switches the aerator on at do_on_mgl: the fall ends there.
            held = max(held if held is not None else low, plan.do_on_mgl)
            why["do_on_mgl"] = plan.do_on_mgl
            words = words or (f"the gateway's loop switches the aerator on below "
                              f"{plan.do_on_mgl:.1f} mg/L")
        if held is None:
            return est
        return replace(est, state="aerated", do_mgl=round(held, 2), reason=(
            f"{words}: {held:.1f} mg/L until it runs; {low:.1f} mg/L at dawn without it"),
            why=("aerated", why))

    def _waiting(self, now: int, n: int) -> DawnEstimate:
        if self._settle is not None and now < self._settle[0]:
            return DawnEstimate("unreliable", self.sunrise_ms, points=n, reason=self._settle[1],
                                why=self._settle[2])
        return DawnEstimate("wait", self.sunrise_ms, points=n)

    def _joint(self) -> bool:
        """The current regime began at a confirmed stop and tonight's unaerated evening is
        known: both are fitted as one pond without air (``ensemble_stretches``)."""
        return self._known is False and self._still is not None

    def _members(self, x: Series, c: Series) -> list[tuple[float, NightFit, list[float]]]:
        before = self._before
        if self._joint():
            return self._with_evening(x, c)
        if before is None:
            return ensemble(x, c)
        fit, resid = self._fit_regime(x, c)
        return [(1.0, fit, resid)]

    def _with_evening(self, x: Series,
                      c: Series) -> list[tuple[float, NightFit, list[float]]]:
        """The regime since a confirmed stop fitted with tonight's unaerated evening."""
        assert self._still is not None
        t_e, c_e = self._still
        # ``x`` is hours before now; the evening is placed on the same clock.
        now = self.points[-1][0]
        evening: Stretch = ([(t - now) / _H_MS for t in t_e], c_e, STILL_AIR)
        return ensemble_stretches([evening, (x, c, STILL_AIR)])

    def _fit_regime(self, x: Series, c: Series) -> tuple[NightFit, list[float]]:
        """After a change, the better of its two usual causes: the aerators changed (the
        pond breathes as before, aeration is new) or they stopped (back to still water,
        and respiration — unknown while an aerator held DO level — is what the fall says)."""
        before = self._before
        if before is None:
            return fit_night(x, c)
        if self._joint():
            _, fit, resid = max(self._with_evening(x, c), key=lambda m: m[0])
            return fit, resid
        if self._known is not None:
            # A confirmed switch says which.
            if self._known:
                return fit_night(x, c, NEW_AERATION, Prior(before.r_mgl_h, SAME_RESPIRATION),
                                 before.k_mgl)
            return fit_night(x, c, STILL_AIR, None, before.k_mgl)
        switched = fit_night(x, c, NEW_AERATION, Prior(before.r_mgl_h, SAME_RESPIRATION),
                             before.k_mgl)
        stopped = fit_night(x, c, STILL_AIR, None, before.k_mgl)
        return min(switched, stopped, key=lambda f: f[0].rms_mgl)

    def _change(self, x: Series, c: Series, t: Sequence[int]) -> int | None:
        """The start of a new regime, if the last ``test_ms`` left the regime's model."""
        cut = bisect_left(x, -self.test_ms / _H_MS)
        if cut < 20:
            return None
        fit, resid_in = self._fit_regime(x[:cut], c[:cut])
        x_new = [xi - x[cut - 1] for xi in x[cut:]]
        c_new = c[cut:]
        resid = resid_in + [ci - pi for ci, pi in zip(c_new, predict(fit, x_new, c_new),
                                                        strict=True)]
        at = signs.bend(x, t, resid, len(x) - cut, fit.rms_mgl)
        pending, self._pending = self._pending, at
        # A change must show in two fits running (five minutes apart) at about the same
        # place: correlated probe noise makes single bends now and then.
        if at is None or pending is None or abs(at - pending) > 10 * _MIN_MS:
            return None
        self._before, self._pending, self._known = fit, None, None
        return min(at, pending)
