"""Roll-ups: 5-minute and 1-hour sum/min/max/count per series, shared by both stores.

A roll-up keeps the *sum* and the count rather than the mean, so a value arriving late
is added to its bucket exactly (the mean is sum / count at read time), and coarser
buckets are sums of finer ones. Reads pick the coarsest roll-up whose width divides the
requested step (docs/storage.md#retention-and-roll-ups).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kolam.store.base import Bucket

FIVE_MIN_MS = 300_000
HOUR_MS = 3_600_000
RESOLUTIONS_MS = (HOUR_MS, FIVE_MIN_MS)
"""Roll-up widths, coarsest first."""

Acc = list[float]
"""[sum, min, max, count] of one bucket, mutated while folding values in."""


@dataclass(frozen=True, slots=True)
class Plan:
    """How a downsample is served: roll-up rows of width ``res_ms`` for [lo, hi), raw
    points for the ragged edges [start, lo) and [hi, end)."""

    res_ms: int
    lo: int
    hi: int


def plan(start_ms: int, end_ms: int, step_ms: int, rolled_up_to: int | None = None
         ) -> Plan | None:
    """The coarsest roll-up that serves ``step``; ``None``: read raw points. Roll-ups are
    read only below ``rolled_up_to`` (a store's watermark) when one is given."""
    for res in RESOLUTIONS_MS:
        if step_ms % res == 0:
            lo = -(-start_ms // res) * res
            hi = min(end_ms, end_ms if rolled_up_to is None else rolled_up_to) // res * res
            if hi > lo:
                return Plan(res, lo, hi)
    return None


def widen(how: Plan) -> Plan:
    """The same plan with the ragged start served by its whole roll-up bucket (for a start
    whose raw values have been pruned)."""
    return Plan(how.res_ms, how.lo - how.res_ms, how.hi)


def fold(acc: dict[tuple[int, int], Acc], sid: int, t: int, value: float, res_ms: int) -> None:
    """Add one value to the bucket of series ``sid`` that holds ``t``."""
    key = (sid, t - t % res_ms)
    a = acc.get(key)
    if a is None:
        acc[key] = [value, value, value, 1]
        return
    a[0] += value
    if value < a[1]:
        a[1] = value
    if value > a[2]:
        a[2] = value
    a[3] += 1


def coarsen(fine: dict[tuple[int, int], Acc], res_ms: int) -> dict[tuple[int, int], Acc]:
    """Fold finer buckets into buckets of ``res_ms``."""
    out: dict[tuple[int, int], Acc] = {}
    for (sid, t), (total, lo, hi, n) in fine.items():
        key = (sid, t - t % res_ms)
        a = out.get(key)
        if a is None:
            out[key] = [total, lo, hi, n]
        else:
            a[0] += total
            a[1] = min(a[1], lo)
            a[2] = max(a[2], hi)
            a[3] += n
    return out


def merge(parts: Iterable[tuple[int, float, float, float, int]]) -> list[Bucket]:
    """Buckets from (t, sum, min, max, count) parts, several parts per bucket allowed."""
    acc: dict[int, Acc] = {}
    for t, total, lo, hi, n in parts:
        if not n:
            continue
        a = acc.get(t)
        if a is None:
            acc[t] = [total, lo, hi, n]
        else:
            a[0] += total
            a[1] = min(a[1], lo)
            a[2] = max(a[2], hi)
            a[3] += n
    return [Bucket(t, a[0] / a[3], a[1], a[2], int(a[3])) for t, a in sorted(acc.items())]
