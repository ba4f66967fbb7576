"""What the dawn forecast knows of a pond's aerators: how they are run, and what they do.

The centre learns a relay output's confirmed state (``…/state``, ingest/outputs.py) and
how the gateway runs it (``gateway.control``: a ``keep_on`` window of site time, and the
DO below which the loop switches on). With that the forecast (kolam.alerts.forecast)
need not extrapolate an unaerated evening past the hour the aerator is scheduled to start
— the false warnings of dense ponds before their 22:00 aerators — and can start a new
regime at a confirmed switch instead of waiting to see it in the readings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from kolam.config import ControlLoop
from kolam.protocol import OutputState
from kolam.timeutil import WIB

_MIN_MS = 60_000
COVER_SLACK_MS = 30 * _MIN_MS
"""A window covers "the rest of the night" when it lasts to within this of sunrise: the
night minimum comes ~20 min after sunrise, but by then light is already adding oxygen
(DOMAIN.md: minimum about 05:00–06:00 WIB)."""
STOP_HOLD_S = 600.0
"""The ``do_forecast`` hold (s) once an aerator holding the pond is confirmed stopped (off,
a power cut, a dead motor) and nothing will restart it: the cause is known, so the warning
need not wait the rule's 30 min to tell a real decline from the forecast's noise. Ten
minutes still takes two fits to agree."""


@dataclass(frozen=True, slots=True)
class AeratorPlan:
    """How a pond's aerators are run, from the gateway's control loops."""

    keep_on: tuple[int, int] | None = None
    """Minutes of the site's day (start, end) the aerator is never off in, e.g. 22:00–06:00."""
    tz: tzinfo = WIB
    do_on_mgl: float | None = None
    """A control loop switches the aerator on when DO falls below this."""

    def window_ms(self, now_ms: int, sunrise_ms: int) -> tuple[int, int] | None:
        """The ``keep_on`` window (start, end; epoch ms) still to come or running at
        ``now_ms`` that lasts the rest of the night (to within ``COVER_SLACK_MS`` of
        ``sunrise_ms``), if any."""
        if self.keep_on is None:
            return None
        start_min, end_min = self.keep_on
        today = datetime.fromtimestamp(now_ms / 1000, self.tz).replace(
            hour=0, minute=0, second=0, microsecond=0)
        for days in (-1, 0, 1):
            day = today + timedelta(days=days)
            start = day + timedelta(minutes=start_min)
            end = day + timedelta(minutes=end_min + (1440 if end_min <= start_min else 0))
            s, e = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
            if e > now_ms and s < sunrise_ms:
                return (s, e) if e >= sunrise_ms - COVER_SLACK_MS else None
        return None


def hhmm(t_ms: int, tz: tzinfo = WIB) -> str:
    return datetime.fromtimestamp(t_ms / 1000, tz).strftime("%H:%M")


AERATOR_WORDS = ("aerat", "blower", "kincir")
"""An output named with one of these is an aerator even without a loop (kincir: the
paddlewheel of Indonesian ponds)."""
MIN_AMPS = 0.2
"""A running motor draws more than this (A): the control loop's default ``min_amps``."""
POWER_CUT_BY = "local:power"
"""The ``by`` of a relay that lost its power (firmware_sim.relay, docs/protocol.md)."""


def failure(o: OutputState, min_amps: float = MIN_AMPS) -> str | None:
    """Why ``o`` is an aerator that stopped without anyone meaning it to, if it is: off
    after a power cut, or on but drawing less than ``min_amps`` (a dead motor)."""
    if o.on and o.amps is not None and o.amps < min_amps:
        return f"no current: {o.amps:g} A < {min_amps:g} A"
    if not o.on and (o.by == POWER_CUT_BY or o.reason == "power_blip"):
        return "power cut"
    return None


def is_aerator(output: str, loops: Sequence[ControlLoop], pond: str, device: str) -> bool:
    return any(lp.pond == pond and lp.device == device and lp.output_name == output
               for lp in loops) or any(w in output.lower() for w in AERATOR_WORDS)


def plan_from_loops(loops: Sequence[ControlLoop], timezone: str,
                    pond: str) -> AeratorPlan | None:
    """A pond's aerator plan from the gateway's loops on it: the first ``keep_on``
    window, the highest switch-on DO."""
    mine = [lp for lp in loops if lp.pond == pond]
    if not mine:
        return None
    window = next((lp.window for lp in mine if lp.window is not None), None)
    return AeratorPlan(window, ZoneInfo(timezone), max(lp.do_on_mgl for lp in mine))


def pond_signal(states: Iterable[tuple[str, OutputState, float]]) -> list[tuple[int, bool, bool]]:
    """A pond's aerator signal from its aerator outputs' confirmed states in time order
    ((output, state, min_amps)): (t, any running, the change a failure) at each."""
    current: dict[str, tuple[OutputState, str | None]] = {}
    out: list[tuple[int, bool, bool]] = []
    for name, o, min_amps in states:
        why = failure(o, min_amps)
        current[name] = (o, why)
        out.append((o.since, any(s.on and w is None for s, w in current.values()),
                    why is not None))
    return out
