"""Relay outputs as the alert engine sees them: aerators running, stopped or failed.

Each relay ``state`` ingest records (ingest/outputs.py) reaches the engine too. For an
aerator output — one a gateway control loop drives, or one named like an aerator — it

- tells the pond's dawn forecast whether an aerator runs (``DawnForecast.aerator``), so
  the forecast refits from a confirmed switch at once, and whether a stop was a failure;
- raises ``aerator_failed`` (``aerator_failed/{device}/{output}``) when a running aerator
  stops without anyone meaning it to: off after a power cut (``by`` ``local:power``, as
  a relay reports a blip), or on but drawing less than the loop's ``min_amps`` (a dead
  motor, the gateway's "aerator not working: no current"). Critical at night, a warning
  by day; it clears when the output runs again or a person switches it.

The gateway's control loops (``gateway.control``) also give each pond's forecast its
plan: the ``keep_on`` window and the DO below which the loop switches on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from ingest.alerts.condition import transition
from ingest.alerts.state import PondState
from kolam.alerts.aerators import AeratorPlan
from kolam.alerts.model import AlertKey, Rule, Transition
from kolam.config import ControlLoop
from kolam.protocol import DeviceRef, OutputState
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

RULE = "aerator_failed"
AERATOR_WORDS = ("aerat", "blower", "kincir")
"""An output named with one of these is an aerator even without a loop (kincir: the
paddlewheel of Indonesian ponds)."""
MIN_AMPS = 0.2
"""A running motor draws more than this (A): the control loop's default ``min_amps``."""
POWER_CUT_BY = "local:power"
_H_MS = 3_600_000


def failure(o: OutputState, min_amps: float = MIN_AMPS) -> str | None:
    """Why ``o`` is an aerator that stopped without anyone meaning it to, if it is."""
    if o.on and o.amps is not None and o.amps < min_amps:
        return f"no current: {o.amps:g} A < {min_amps:g} A"
    if not o.on and (o.by == POWER_CUT_BY or o.reason == "power_blip"):
        return "power cut"
    return None


class AeratorWatch:
    """The engine's view of relay outputs (see the module docstring)."""

    def __init__(self, loops: Sequence[ControlLoop] = (), timezone: str = "Asia/Jakarta",
                 site: str | None = None) -> None:
        """``loops``: the gateway's control loops, on ponds of ``site`` (any site when
        None: a centre configured without a site runs one)."""
        self._site = site
        self._tz = ZoneInfo(timezone)
        self._loops = {(loop.pond, loop.device, loop.output_name): loop for loop in loops}

    def plan(self, site: str, pond: str) -> AeratorPlan | None:
        """The pond's aerator plan from its loops: the first ``keep_on`` window, the
        highest switch-on DO."""
        if self._site is not None and site != self._site:
            return None
        loops = [lp for (p, _, _), lp in self._loops.items() if p == pond]
        if not loops:
            return None
        window = next((lp.window for lp in loops if lp.window is not None), None)
        return AeratorPlan(window, self._tz, max(lp.do_on_mgl for lp in loops))

    def _loop(self, ref: DeviceRef, output: str) -> ControlLoop | None:
        if self._site is not None and ref.site != self._site:
            return None
        return self._loops.get((ref.pond, ref.device, output))

    def is_aerator(self, ref: DeviceRef, output: str) -> bool:
        return self._loop(ref, output) is not None or any(
            w in output.lower() for w in AERATOR_WORDS)

    def update(self, ps: PondState, rule: Rule | None, ref: DeviceRef,
               outputs: Mapping[str, OutputState], at: int, out: list[Transition]) -> None:
        """One relay state received at ``at``: the forecast's aerator signal, the rule."""
        for name, o in sorted(outputs.items()):
            if not self.is_aerator(ref, name):
                continue
            loop = self._loop(ref, name)
            why = failure(o, loop.min_amps if loop is not None else MIN_AMPS)
            key = (ref.device, name)
            prev = ps.outputs.get(key)
            switched = prev is None or prev[0].on != o.on or prev[0].since != o.since
            t = o.since if switched else at
            ps.outputs[key] = (o, why)
            running = any(s.on and w is None for s, w in ps.outputs.values())
            ps.forecast.aerator(t, running, failed=why is not None)
            if rule is None:
                continue
            alert = f"{RULE}/{ref.device}/{name}"
            if why is None and alert not in ps.conditions:
                continue
            level = 0.0 if why is None else 2.0 if self._night(ps, t) else 1.0
            for ch in ps.condition(alert, rule).update_many([t], [level]):
                out.append(transition(AlertKey(ps.site, ps.pond, alert), rule, ch[1],
                                      device=f"{ref.device}/{name}", detail=why or ""))

    @staticmethod
    def _night(ps: PondState, t: int) -> bool:
        fc = ps.forecast
        return (next_sunrise_ms(t, fc.lat_deg, fc.lon_deg)
                - last_sunset_ms(t, fc.lat_deg, fc.lon_deg)) < 16 * _H_MS
