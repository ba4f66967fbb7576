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

The gateway's own "aerator not working" problems (``kolam.control.problems``, ingest's
``aerator_problems``) feed the same alert: the relay's state cannot tell a motor that
turns but moves no air (DO still falling 20 minutes after switching on), nor a command
the relay never confirmed. While the gateway holds such a problem raised on an output the
alert stays up whatever the relay says (its level the highest of the relay's failure and
the problems'), and clears when the gateway clears the last one and the relay is fine. A
problem that means the output moves no air (``no_current``, ``do_still_falling``) also
tells the forecast the aerator has failed, and its clearing that it runs again.

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
from kolam.control import PROBLEMS, AeratorProblem
from kolam.protocol import DeviceRef, OutputState
from kolam.science.sun import last_sunset_ms, next_sunrise_ms

RULE = "aerator_failed"
_H_MS = 3_600_000


def problem_detail(p: AeratorProblem) -> str:
    """The alert's detail for a gateway problem: its code (kolam.alerts.messages says it in
    words), with the DO at switch-on and now for ``do_still_falling``."""
    if p.problem == "do_still_falling" and p.do_mgl is not None \
            and p.switched_on_do_mgl is not None:
        return f"{p.problem}: {p.switched_on_do_mgl:.2f} -> {p.do_mgl:.2f} mg/L"
    return p.problem


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
        self._looped: set[tuple[str, str, str, str]] = set()
        """(site, pond, device, output) a gateway reported a loop's problem on: an aerator,
        whatever it is called and whether or not the centre knows the loops."""

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
        if (ref.site, ref.pond, ref.device, output) in self._looped:
            return True
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
            ps.forecast.aerator(t, _running(ps), failed=why is not None
                                or _not_aerating(ps, key))
            self._judge(ps, rule, key, t, out)

    def problem(self, ps: PondState, rule: Rule | None, site: str, p: AeratorProblem,
                out: list[Transition]) -> None:
        """A gateway's problem raised or cleared: the rule, and the forecast when the
        problem means the output moves no air. An event not newer than the last one
        applied for its output and problem (a resend, a redelivery) changes nothing."""
        key, pkey = (p.device, p.output), (p.device, p.output, p.problem)
        last = ps.problem_t.get(pkey)
        if last is not None and p.t <= last:
            return
        ps.problem_t[pkey] = p.t
        self._looped.add((site, ps.pond, p.device, p.output))
        active = ps.problems.setdefault(key, {})
        if p.raised:
            active[p.problem] = p
        else:
            active.pop(p.problem, None)
        if not active:
            del ps.problems[key]
        if p.not_aerating:
            state = ps.outputs.get(key)
            ps.forecast.aerator(p.t, _running(ps), failed=p.raised or (
                state is not None and state[1] is not None))
        alert = ps.conditions.get(f"{RULE}/{p.device}/{p.output}")
        # The gateway's clock is not the relay's: the alert never goes back in time.
        t = p.t if alert is None else max(p.t, alert.last_t + 1)
        self._judge(ps, rule, key, t, out)

    def _judge(self, ps: PondState, rule: Rule | None, key: tuple[str, str], t: int,
               out: list[Transition]) -> None:
        """The output's ``aerator_failed`` at ``t``: the relay's failure and the gateway's
        problems on it, critical at night and a warning by day (an unconfirmed switch-off
        leaves the aerator running: a warning)."""
        if rule is None:
            return
        device, name = key
        alert = f"{RULE}/{device}/{name}"
        state = ps.outputs.get(key)
        whys = [state[1]] if state is not None and state[1] is not None else []
        problems = sorted(ps.problems.get(key, {}).values(), key=lambda p: PROBLEMS.index(
            p.problem))
        whys += [problem_detail(p) for p in problems]
        if not whys and alert not in ps.conditions:
            return
        night = 2.0 if self._night(ps, t) else 1.0
        level = night if state is not None and state[1] is not None else 0.0
        for p in problems:
            level = max(level, 1.0 if p.problem == "not_confirmed" and p.wanted is False
                        else night)
        for ch in ps.condition(alert, rule).update_many([t], [level]):
            out.append(transition(AlertKey(ps.site, ps.pond, alert), rule, ch[1],
                                  device=f"{device}/{name}", detail="; ".join(whys)))

    @staticmethod
    def _night(ps: PondState, t: int) -> bool:
        fc = ps.forecast
        return (next_sunrise_ms(t, fc.lat_deg, fc.lon_deg)
                - last_sunset_ms(t, fc.lat_deg, fc.lon_deg)) < 16 * _H_MS


def _not_aerating(ps: PondState, key: tuple[str, str]) -> bool:
    """Does the gateway hold a problem on this output that means it moves no air?"""
    return any(p.not_aerating for p in ps.problems.get(key, {}).values())


def _running(ps: PondState) -> bool:
    """Any of the pond's aerators on, not failed and not said by its gateway to move no air."""
    return any(s.on and w is None and not _not_aerating(ps, k)
               for k, (s, w) in ps.outputs.items())
