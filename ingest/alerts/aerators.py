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

from ingest.alerts.condition import transition
from ingest.alerts.state import PondState
from kolam.alerts.aerators import MIN_AMPS, AeratorPlan, failure, is_aerator, plan_from_loops
from kolam.alerts.model import AlertKey, Rule, Transition
from kolam.config import ControlLoop
from kolam.protocol import DeviceRef, OutputState
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

RULE = "aerator_failed"
_H_MS = 3_600_000


class AeratorWatch:
    """The engine's view of relay outputs (see the module docstring)."""

    def __init__(self, loops: Sequence[ControlLoop] = (), timezone: str = "Asia/Jakarta",
                 site: str | None = None) -> None:
        """``loops``: the gateway's control loops, on ponds of ``site`` (any site when
        None: a centre configured without a site runs one)."""
        self._site = site
        self._timezone = timezone
        self._all = list(loops)
        self._loops = {(loop.pond, loop.device, loop.output_name): loop for loop in loops}

    def plan(self, site: str, pond: str) -> AeratorPlan | None:
        """The pond's aerator plan from its loops (kolam.alerts.aerators.plan_from_loops)."""
        if self._site is not None and site != self._site:
            return None
        return plan_from_loops(self._all, self._timezone, pond)

    def _loop(self, ref: DeviceRef, output: str) -> ControlLoop | None:
        if self._site is not None and ref.site != self._site:
            return None
        return self._loops.get((ref.pond, ref.device, output))

    def is_aerator(self, ref: DeviceRef, output: str) -> bool:
        loops = self._all if self._site is None or ref.site == self._site else []
        return is_aerator(output, loops, ref.pond, ref.device)

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
