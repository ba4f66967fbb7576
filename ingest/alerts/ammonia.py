"""The ``do_nh3`` signal: the un-ionized ammonia a pond's TAN will give this afternoon,
watched while its oxygen is low.

Low DO comes at dawn, when photosynthesis has not yet taken up the night's CO2 and pH,
and with it the share of TAN present as toxic NH3 (Emerson et al. 1975), is at its lowest;
low DO and high NH3 therefore almost never coincide in a reading. What coincides is worse:
below ~3 mg/L nitrifiers slow and below ~2 they stop (DOMAIN.md), so the TAN the fish
excrete overnight is not removed, feeding has collapsed, and when the sun lifts pH again
that TAN turns into NH3. The farmer can act on this at dawn — skip the morning feed,
exchange water, keep the aerators on — hours before ``nh3_high`` would see it.

The signal, at every DO or TAN reading while the pond's newest DO is below ``do_low``'s
warning threshold: newest TAN × the largest NH3 share of TAN seen in the last 24 h (the
afternoon's pH and temperature; tomorrow's afternoon is like today's). Otherwise 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

_H_MS = 3_600_000


@dataclass(slots=True)
class PeakShare:
    """The largest NH3 share of TAN (NH3-N / TAN) in the last ``window_h`` hours, kept as
    one maximum per clock hour so that a day of readings is 25 numbers."""

    window_h: int = 24
    hours: dict[int, float] = field(default_factory=dict)

    def add_many(self, ts: Sequence[int], shares: Sequence[float]) -> None:
        hours = self.hours
        for t, share in zip(ts, shares, strict=True):
            h = t // _H_MS
            if share > hours.get(h, -1.0):
                hours[h] = share
        if len(hours) > self.window_h + 1:
            newest = max(hours)
            for h in [h for h in hours if h < newest - self.window_h]:
                del hours[h]

    def at(self, t: int) -> float:
        """The largest share in the window ending at ``t`` (0 when none is known)."""
        h = t // _H_MS
        return max((s for hh, s in self.hours.items() if h - self.window_h <= hh <= h),
                   default=0.0)


@dataclass(slots=True)
class PotentialNH3:
    """State of the ``do_nh3`` signal for one pond (see the module docstring)."""

    share: PeakShare = field(default_factory=PeakShare)
    do: float | None = None
    tan: float | None = None

    def low(self, do_limit: float) -> bool:
        return self.do is not None and self.do < do_limit

    def signal_many(self, events: Sequence[tuple[int, str, float]], do_limit: float
                    ) -> tuple[list[int], list[float], list[str]]:
        """Feed (t, kind, value) events in time order — kind ``share`` (a sample's NH3
        share of TAN), ``do_mgl`` or ``tan_mgl`` — and return the signal after each
        reading (its time, value, and what it was computed from)."""
        ts: list[int] = []
        out: list[float] = []
        why: list[str] = []
        for t, kind, value in events:
            if kind == "share":
                self.share.add_many((t,), (value,))
                continue
            if kind == "do_mgl":
                self.do = value
            else:
                self.tan = value
            ts.append(t)
            if self.tan is not None and self.do is not None and self.do < do_limit:
                share = self.share.at(t)
                out.append(self.tan * share)
                why.append(f"DO {self.do:g} mg/L, TAN-N {self.tan:g} mg/L, "
                           f"up to {100 * share:.1f}% as NH3 in the last 24 h")
            else:
                out.append(0.0)
                why.append("")
        return ts, out, why
