"""The gateway's control thread: every configured loop, the site's power budget, commands
to the relay nodes and the loops' state on the local broker.

Inputs come from the receiver thread after each outbox commit (``observe``): DO samples and
faulty DO values of the loops' ponds, relay states and device statuses. Nothing here needs
the uplink: the loops run on the local broker alone. Commands are ``set_output`` with
``by: gateway:auto`` on the relay's ``cmd`` topic (QoS 1) with an expiry, resent until the
relay's retained ``state`` confirms them, and at once when the relay comes back online.

Each pond with loops gets ``kolam/v1/{site}/{pond}/control`` on the local broker (retained,
republished on change): per loop the output, its confirmed and wanted state, why, whether
the power budget holds it back, and its "aerator not working" problems.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from gateway.control import Loop, Manual, Problem, Want, do_fault_times
from kolam.config import GatewayConfig
from kolam.errors import KolamError
from kolam.protocol import (
    ROOT,
    VERSION,
    DeviceRef,
    PondRef,
    Rejected,
    RelayState,
    Sample,
    SetOutput,
    cmd_topic,
    encode_command,
)
from kolam.timeutil import now_ms

log = logging.getLogger(__name__)

TICK_S = 1.0
COMMAND_TTL_MS = 10 * 60_000
"""A command a node receives this late (queued while it was offline) is not obeyed: the
loop has sent a newer one by then if it still wants it."""
MANUAL_DEFAULT_MS = 3_600_000
"""A person's override without ``until_t`` lasts an hour, then the loop takes over again."""
MANUAL_MAX_MS = 24 * 3_600_000
"""...and never longer than a day: a forgotten override must not stop the loop for good."""
MAX_LATENESS_MS = 15 * 60_000
"""Older DO samples (a node catching up) are history: they never move a loop."""

Publish = Callable[[str, bytes, bool], None]
ProblemHook = Callable[[str, Loop, Problem, bool], None]
"""(pond, loop, problem, raised): an 'aerator not working' alarm raised or cleared."""


def control_topic(pond: PondRef) -> str:
    return f"{ROOT}/{pond.site}/{pond.pond}/control"


def _forecast_threshold() -> float | None:
    # The central do_forecast rule's threshold (kolam/alerts/defaults.py), so the gateway
    # starts aerators where the centre would warn.
    from kolam.alerts.defaults import DEFAULT_RULES

    return DEFAULT_RULES["do_forecast"].warning


class Controller:
    """All loops of one gateway; thread-safe (``observe`` on the receiver's thread)."""

    def __init__(self, config: GatewayConfig, site: str, publish: Publish, *,
                 clock: Callable[[], int] = now_ms,
                 mono: Callable[[], float] = time.monotonic) -> None:
        self.cfg = config
        self.site = site
        self._publish = publish
        self.clock = clock
        self.mono = mono
        tz = ZoneInfo(config.timezone)
        start, start_mono = clock(), mono()
        # The forecast lives in kolam.alerts, whose package brings the alert engine along
        # (SQLAlchemy, httpx: ~40 MB): imported only when a loop uses it.
        threshold = _forecast_threshold() if any(c.forecast for c in config.control) else None
        self.loops = [Loop(c, DeviceRef(site, c.pond, c.device), tz, start, start_mono,
                           threshold) for c in config.control]
        self._by_pond: dict[str, list[Loop]] = defaultdict(list)
        self._by_relay: dict[tuple[str, str], list[Loop]] = defaultdict(list)
        for loop in self.loops:
            self._by_pond[loop.cfg.pond].append(loop)
            self._by_relay[(loop.cfg.pond, loop.cfg.device)].append(loop)
        self._forecasts: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._shown: dict[str, bytes] = {}
        self._ready = threading.Event()
        self.on_problem: ProblemHook | None = None
        self._problems: dict[int, set[Problem]] = {}
        self.commands_sent = 0
        self.last_command_mono: float | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.loops)

    # ------------------------------------------------------------ inputs (receiver thread)

    def observe(self, samples: Sequence[tuple[DeviceRef, Sample]],
                rejected: Sequence[tuple[DeviceRef, Sequence[Rejected]]],
                states: Sequence[tuple[DeviceRef, RelayState]],
                online: Sequence[DeviceRef]) -> None:
        moved = False
        horizon = self.clock() - MAX_LATENESS_MS
        with self._lock:
            for ref, sample in samples:
                do = sample.values.get("do_mgl")
                loops = self._by_pond.get(ref.pond)
                if do is None or not loops or ref.site != self.site or sample.t < horizon:
                    continue
                dawn = self._dawn(ref.pond, sample.t, do)
                for loop in loops:
                    loop.observe_do(sample.t, do)
                    loop.dawn_mgl = dawn
                moved = True
            for ref, rejects in rejected:
                loops = self._by_pond.get(ref.pond)
                if loops:
                    for t in do_fault_times(rejects):
                        if t >= horizon:
                            for loop in loops:
                                loop.observe_fault(t)
                            moved = True
            for ref, state in states:
                for loop in self._by_relay.get((ref.pond, ref.device), ()):
                    loop.observe_state(state.outputs.get(loop.output))
                    moved = True
            for ref in online:
                for loop in self._by_relay.get((ref.pond, ref.device), ()):
                    if loop.pending is not None:
                        loop.pending.last_sent = -1e18  # resend now: the node is back
                        moved = True
        if moved:
            self.wake.set()

    def _dawn(self, pond: str, t: int, do: float) -> float | None:
        """Tonight's forecast dawn DO of the pond, or None (day, too early, unreliable): the
        centre's forecast (kolam.alerts.forecast) fed with the gateway's own readings."""
        from kolam.alerts.forecast import DawnForecast

        forecast = self._forecasts.get(pond)
        if forecast is None:
            forecast = self._forecasts[pond] = DawnForecast()
        forecast.add(t, do)
        est = forecast.estimate
        return est.do_mgl if est is not None and est.state == "forecast" else None

    def owns(self, ref: DeviceRef, output: str) -> bool:
        """Does a loop drive this output?"""
        return any(loop.output == output
                   for loop in self._by_relay.get((ref.pond, ref.device), ()))

    def override(self, ref: DeviceRef, cmd: SetOutput) -> bool:
        """A person's ``set_output`` for a loop's output: manual until ``until_t`` (default
        ``MANUAL_DEFAULT_MS``), then automatic again. False if no loop drives it."""
        now = self.clock()
        until = cmd.until_t if cmd.until_t is not None else now + MANUAL_DEFAULT_MS
        until = min(until, now + MANUAL_MAX_MS)
        found = False
        with self._lock:
            for loop in self._by_relay.get((ref.pond, ref.device), ()):
                if loop.output == cmd.output:
                    loop.set_manual(Manual(cmd.on, until, cmd.by or "centre",
                                           cmd.reason or "manual"))
                    found = True
        if found:
            log.info("control %s/%s/%s: manual %s until t=%d (by %s)", ref.pond, ref.device,
                     cmd.output, "on" if cmd.on else "off", until, cmd.by)
            self.wake.set()
        return found

    def resume(self, ref: DeviceRef, output: str, by: str | None) -> bool:
        """A person's ``set_auto``: the loop driving this output is automatic again at
        once (its manual override, if any, ends). False if no loop drives it."""
        found = False
        with self._lock:
            for loop in self._by_relay.get((ref.pond, ref.device), ()):
                if loop.output == output:
                    loop.set_manual(None)
                    found = True
        if found:
            log.info("control %s/%s/%s: back to automatic (by %s)", ref.pond, ref.device,
                     output, by)
            self.wake.set()
        return found

    def mode_of(self, ref: DeviceRef, output: str) -> tuple[str, int | None] | None:
        """(``auto`` or ``manual``, manual until) of the loop driving this output."""
        with self._lock:
            for loop in self._by_relay.get((ref.pond, ref.device), ()):
                if loop.output == output:
                    manual = loop.manual if loop.mode(self.clock()) == "manual" else None
                    return ("manual", manual.until_ms) if manual else ("auto", None)
        return None

    def restore_problems(self, active: Sequence[tuple[str, str, str, str]]) -> None:
        """Problems raised before a restart and not cleared ((pond, device, output,
        problem)): the loops hold them again, so that they are cleared by the loops' own
        rules (and the centre told) rather than forgotten."""
        with self._lock:
            for k, loop in enumerate(self.loops):
                for pond, device, output, problem in active:
                    if (pond, device, output) == (loop.cfg.pond, loop.cfg.device, loop.output) \
                            and problem in {p.value for p in Problem}:
                        loop.problems.add(Problem(problem))
                self._problems[k] = set(loop.problems)

    def set_ready(self) -> None:
        """The local subscription is in force: retained states have been seen."""
        self._ready.set()
        self.wake.set()

    # ------------------------------------------------------------ the thread

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()

    def run(self) -> None:
        while not self._stop.is_set():
            self.wake.wait(TICK_S)
            self.wake.clear()
            if self._stop.is_set():
                break
            try:
                self.step()
            except Exception:
                log.exception("control step failed; the loops carry on at the next tick")

    def step(self) -> None:
        """Decide every loop, apply the power budget, send commands, show the state."""
        if not self._ready.is_set():
            return
        now, mono = self.clock(), self.mono()
        sends: list[tuple[Loop, Want]] = []
        with self._lock:
            wants = [(loop, loop.decide(now, mono)) for loop in self.loops]
            budget = self.cfg.max_outputs_on
            on_now = sum(1 for loop in self.loops if loop.current())
            starting = sorted(((loop, w) for loop, w in wants
                               if w is not None and w.on and not loop.current()),
                              key=lambda lw: _need(lw[0], now))
            for loop, want in wants:
                loop.queued = False
                if want is None or (want.on and not loop.current()):
                    continue
                sends.append((loop, want))
            for loop, want in starting:
                if budget is not None and on_now >= budget:
                    loop.queued = True
                    continue
                on_now += 1
                sends.append((loop, want))
            for loop, want in sends:
                loop.sent(want, mono)
            changes = []
            for k, loop in enumerate(self.loops):
                problems = set(loop.check(now, mono))
                before = self._problems.get(k, set())
                changes += [(loop, p, True) for p in sorted(problems - before)]
                changes += [(loop, p, False) for p in sorted(before - problems)]
                self._problems[k] = problems
        for loop, want in sends:
            self._send(loop, want, now)
        self._show(now)
        for loop, problem, raised in changes:
            if raised:
                log.warning("ALARM aerator not working: %s/%s (%s)", loop.cfg.pond,
                            loop.cfg.output, problem.value)
            else:
                log.warning("aerator alarm cleared: %s/%s (%s)", loop.cfg.pond,
                            loop.cfg.output, problem.value)
            if self.on_problem is not None:
                self.on_problem(loop.cfg.pond, loop, problem, raised)

    def _send(self, loop: Loop, want: Want, now: int) -> None:
        cmd = SetOutput(loop.output, want.on, want.by, want.reason or want.why.value,
                        id=f"{loop.cfg.output}@{now}", expires_t=now + COMMAND_TTL_MS)
        try:
            self._publish(cmd_topic(loop.relay), encode_command(cmd), False)
        except KolamError as exc:
            log.warning("could not send %s %s: %s", loop.cfg.output,
                        "on" if want.on else "off", exc)
            return
        self.commands_sent += 1
        self.last_command_mono = self.mono()
        pending = loop.pending
        if pending is not None and pending.count == 1:
            log.info("control %s/%s: switch %s (%s)", loop.cfg.pond, loop.cfg.output,
                     "on" if want.on else "off", want.why.value)

    # ------------------------------------------------------------ local display

    def snapshot(self, pond: str) -> dict[str, Any]:
        with self._lock:
            loops = []
            for loop in self._by_pond[pond]:
                state = loop.confirmed
                loops.append({
                    "output": loop.cfg.output,
                    "mode": loop.mode(self.clock()),
                    "manual_until": loop.manual.until_ms if loop.manual else None,
                    "on": None if state is None else state.on,
                    "since": None if state is None else state.since,
                    "amps": None if state is None else state.amps,
                    "wanted": loop.current(),
                    "reason": loop.last_why.value if loop.last_why else None,
                    "pending": loop.pending is not None,
                    "queued": loop.queued,
                    "problems": sorted(p.value for p in loop.problems),
                    "do_mgl": loop.do_mgl, "do_t": loop.do_t, "dawn_mgl": loop.dawn_mgl})
        return {"v": VERSION, "pond": pond, "loops": loops}

    def problems(self) -> dict[str, set[Problem]]:
        with self._lock:
            return {loop.cfg.output: set(loop.problems) for loop in self.loops if loop.problems}

    def _show(self, now: int) -> None:
        for pond in self._by_pond:
            body = json.dumps(self.snapshot(pond), separators=(",", ":")).encode()
            if self._shown.get(pond) == body:
                continue
            try:
                self._publish(control_topic(PondRef(self.site, pond)), body, True)
            except KolamError as exc:
                log.warning("could not publish the control state of %s: %s", pond, exc)
                continue
            self._shown[pond] = body


def _need(loop: Loop, now: int) -> tuple[int, float]:
    """Power budget order: a blind loop (no usable DO) first, then the lowest DO."""
    if loop.do_mgl is None or loop.sensor_problem(now) is not None:
        return (0, 0.0)
    return (1, loop.do_mgl)
