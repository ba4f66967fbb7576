"""One aerator control loop at the gateway: what the output should be, and whether it works.

Pure logic, no I/O: :class:`Loop` is fed the pond's DO readings, probe faults and the relay
node's confirmed state, and ``decide`` says what to command. Two clocks: ``now`` (epoch ms)
is the process time that the readings, ``since`` and the site's night are on; ``mono``
(seconds, monotonic) times the network round trip of a command. In the field both are the
wall clock; a simulation that runs a night in a minute moves only the first.

Rules, in order (docs/gateway.md#aerator-control):

1. the probe is silent (no valid DO for ``stale_after_s``) or faulty (sentinel or
   out-of-range DO, or a flatline) → **on** (fail-safe: an aerator running for nothing
   costs power, one stopped in a crash costs the fish);
2. DO below ``do_on_mgl`` → on; the dawn forecast below the forecast rule's threshold →
   on (ahead of the crash); DO above ``do_off_mgl`` → off; in between: as it is (hysteresis);
3. never off inside ``keep_on`` (site time);
4. motor protection: not off before ``min_on_s`` of running, not on before ``min_off_s`` of
   rest, counted from the confirmed state's ``since``;
   (a person's override, ``manual`` until a set time, replaces 1–3 and keeps 4);
5. nothing is commanded until the relay's confirmed state is known (the retained state, or
   ``STATE_WAIT_S`` without one): a restart resumes from what the relays really are.

"Aerator not working" (:class:`Problem`): a command not confirmed within
``CONFIRM_AFTER_S``; confirmed on but drawing less than ``min_amps``; DO still below its
value at switch-on ``FALLING_AFTER_MS`` after switching on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from kolam.config import ControlLoop
from kolam.protocol import DeviceRef, OutputState, Reason, Rejected

RESEND_AFTER_S = 15.0
"""An unconfirmed command is sent again this often (QoS 1 covers the link, not a node that
was rebooting or offline when it arrived)."""
CONFIRM_AFTER_S = 60.0
"""A command still unconfirmed after this is an 'aerator not working' alarm."""
STATE_WAIT_S = 30.0
"""Without a retained state, act after this long: the relay may simply never have spoken."""
FALLING_AFTER_MS = 20 * 60_000
"""DO still below its switch-on value this long after switching on: the aerator moves no
air (issue #18: "DO still falling 20 minutes after switching on")."""
FALLING_TOLERANCE_MGL = 0.05
FLATLINE_MS = 90 * 60_000
"""DO repeating one value exactly this long is a stuck probe: the central flatline rule's
default (ingest/alerts/rules.py, 90 minutes unchanged)."""
FAULT_REASONS = frozenset({Reason.SENTINEL, Reason.OUT_OF_RANGE, Reason.NOT_FINITE,
                           Reason.WRONG_TYPE})
"""A DO value rejected for one of these is the probe reporting a fault."""
BY = "gateway:auto"


class Why(StrEnum):
    """The ``reason`` of a command the loop sends."""

    DO_LOW = "do_low"
    DO_OK = "do_ok"
    STALE = "stale_sensor"
    FAULT = "sensor_fault"
    FORECAST = "forecast_low"
    MANUAL = "manual"


class Problem(StrEnum):
    """Why an output is 'not working'."""

    NOT_CONFIRMED = "not_confirmed"
    NO_CURRENT = "no_current"
    DO_STILL_FALLING = "do_still_falling"


@dataclass(frozen=True, slots=True)
class Want:
    on: bool
    why: Why
    by: str = BY
    reason: str | None = None
    """The reason sent, when not ``why`` (a person's own words in manual)."""


@dataclass(frozen=True, slots=True)
class Manual:
    """A person's override: the output stays ``on`` (or off) until ``until_ms``."""

    on: bool
    until_ms: int
    by: str
    reason: str


@dataclass(slots=True)
class Pending:
    """A command sent and not yet confirmed."""

    on: bool
    why: Why
    first_sent: float
    last_sent: float
    count: int = 1
    want: Want = Want(False, Why.DO_OK)
    """What was sent, to send again."""


def do_fault_times(rejected: Iterable[Rejected]) -> list[int]:
    """Instants at which a telemetry message carried a faulty DO value."""
    out = []
    for rej in rejected:
        if rej.reason not in FAULT_REASONS or '"do_mgl"' not in rej.fragment:
            continue
        try:
            body = json.loads(rej.fragment)
        except ValueError:
            continue
        t = body.get("t") if isinstance(body, dict) else None
        if type(t) is int:
            out.append(t)
    return out


def in_window(window: tuple[int, int] | None, now_ms: int, tz: ZoneInfo) -> bool:
    if window is None:
        return False
    local = datetime.fromtimestamp(now_ms / 1000, tz)
    minute = local.hour * 60 + local.minute
    start, end = window
    return start <= minute < end if start < end else minute >= start or minute < end


@dataclass
class Loop:
    """State of one loop (one relay output driven by one pond's DO)."""

    cfg: ControlLoop
    relay: DeviceRef
    tz: ZoneInfo
    started_ms: int
    started_mono: float
    forecast_threshold: float | None = None
    do_t: int | None = None
    do_mgl: float | None = None
    fault_t: int | None = None
    flat: tuple[int, float] | None = None
    """Since when the probe has read exactly this value."""
    dawn_mgl: float | None = None
    confirmed: OutputState | None = None
    state_known: bool = False
    pending: Pending | None = None
    switched_on: tuple[int, float | None] | None = None
    """(since, DO then) of the current confirmed 'on', for the still-falling check."""
    falling_checked: bool = False
    problems: set[Problem] = field(default_factory=set)
    queued: bool = False
    """Wants on, held back by the site's power budget."""
    last_why: Why | None = None
    manual: Manual | None = None

    @property
    def output(self) -> str:
        return self.cfg.output_name

    # ------------------------------------------------------------ inputs

    def observe_do(self, t: int, value: float) -> None:
        if self.do_t is not None and t <= self.do_t:
            return
        self.do_t, self.do_mgl = t, value
        if self.flat is None or self.flat[1] != value:
            self.flat = (t, value)
        if self.switched_on is not None and self.switched_on[1] is None:
            self.switched_on = (self.switched_on[0], value)

    def observe_fault(self, t: int) -> None:
        if self.fault_t is None or t > self.fault_t:
            self.fault_t = t

    def observe_state(self, state: OutputState | None) -> None:
        """The relay's confirmed state of our output (None: the node does not report it)."""
        was_on = self.confirmed.on if self.confirmed is not None else None
        self.confirmed, self.state_known = state, True
        if state is None:
            return
        if self.pending is not None and self.pending.on == state.on:
            self.pending = None
            self.problems.discard(Problem.NOT_CONFIRMED)
        if state.on and was_on is not True:
            self.switched_on = (state.since, self.do_mgl)
            self.falling_checked = False
        elif not state.on:
            self.switched_on = None
            self.problems.discard(Problem.DO_STILL_FALLING)

    # ------------------------------------------------------------ decisions

    def sensor_problem(self, now: int) -> Why | None:
        if self.do_t is None:
            return Why.STALE if now - self.started_ms >= self.cfg.stale_after_s * 1000 else None
        if self.fault_t is not None and self.fault_t > self.do_t:
            return Why.FAULT
        if now - self.do_t >= self.cfg.stale_after_s * 1000:
            return Why.STALE
        if self.flat is not None and self.do_t - self.flat[0] >= FLATLINE_MS:
            return Why.FAULT
        return None

    def set_manual(self, manual: Manual | None) -> None:
        self.manual = manual

    def mode(self, now: int) -> str:
        if self.manual is not None and now >= self.manual.until_ms:
            self.manual = None  # expired: back to automatic
        return "auto" if self.manual is None else "manual"

    def want(self, now: int) -> Want | None:
        """What the water (or a person's override) asks for, before the guards; None: leave
        it as it is."""
        if self.mode(now) == "manual":
            m = self.manual
            assert m is not None
            return Want(m.on, Why.MANUAL, m.by, m.reason)
        problem = self.sensor_problem(now)
        if problem is not None:
            return Want(True, problem)
        if self.do_mgl is None:
            return None  # not heard yet, not stale yet
        if self.do_mgl < self.cfg.do_on_mgl:
            return Want(True, Why.DO_LOW)
        if (self.cfg.forecast and self.forecast_threshold is not None
                and self.dawn_mgl is not None and self.dawn_mgl < self.forecast_threshold):
            return Want(True, Why.FORECAST)
        if self.do_mgl > self.cfg.do_off_mgl:
            return Want(False, Why.DO_OK)
        return None

    def current(self) -> bool | None:
        """The output as far as the loop knows: the command in flight, else confirmed."""
        if self.pending is not None:
            return self.pending.on
        return self.confirmed.on if self.confirmed is not None else None

    def allowed(self, want: Want, now: int) -> bool:
        """Guards 3 and 4: may the output be switched to ``want.on`` now?"""
        if not want.on and want.why is not Why.MANUAL and in_window(self.cfg.window, now,
                                                                    self.tz):
            return False
        state = self.confirmed
        if state is None or state.on == want.on:
            return True
        held_ms = now - state.since
        limit_s = self.cfg.min_on_s if state.on else self.cfg.min_off_s
        return held_ms >= limit_s * 1000

    def ready(self, mono: float) -> bool:
        return self.state_known or mono - self.started_mono >= STATE_WAIT_S

    def decide(self, now: int, mono: float) -> Want | None:
        """The switch to command now (new or a resend), or None."""
        if not self.ready(mono):
            return None
        want = self.want(now)
        if want is not None and want.on != self.current() and self.allowed(want, now):
            return want
        pending = self.pending
        if pending is not None and mono - pending.last_sent >= RESEND_AFTER_S:
            return pending.want
        return None

    def sent(self, want: Want, mono: float) -> None:
        p = self.pending
        if p is not None and p.on == want.on:
            p.last_sent, p.count = mono, p.count + 1
        else:
            self.pending = Pending(want.on, want.why, mono, mono, want=want)
        self.last_why = want.why

    # ------------------------------------------------------------ health

    def check(self, now: int, mono: float) -> set[Problem]:
        """Update and return the 'aerator not working' problems."""
        p = self.pending
        if p is not None and mono - p.first_sent >= CONFIRM_AFTER_S:
            self.problems.add(Problem.NOT_CONFIRMED)
        elif p is None:
            self.problems.discard(Problem.NOT_CONFIRMED)  # one restored after a restart
        state = self.confirmed
        if state is not None and state.on and state.amps is not None \
                and state.amps < self.cfg.min_amps:
            self.problems.add(Problem.NO_CURRENT)
        else:
            self.problems.discard(Problem.NO_CURRENT)
        on, do = self.switched_on, self.do_mgl
        if on is None or on[1] is None or do is None or self.do_t is None:
            return self.problems
        # Judged once, at the first reading 20 minutes on; cleared once DO is back above.
        if not self.falling_checked and self.do_t - on[0] >= FALLING_AFTER_MS:
            self.falling_checked = True
            if do < on[1] - FALLING_TOLERANCE_MGL:
                self.problems.add(Problem.DO_STILL_FALLING)
        elif do > on[1] + FALLING_TOLERANCE_MGL:
            self.problems.discard(Problem.DO_STILL_FALLING)
        return self.problems
