"""The state machine behind every rule: minimum duration and hysteresis, on event time.

A level (1 warning, 2 critical) is entered once the signal has stayed past its threshold
for ``min_duration_s`` of sample time, and left once it has stayed back past the threshold
*plus the hysteresis* for as long. A probe hovering at a threshold therefore raises one
alert, and a single odd sample raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kolam.alerts.model import LEVEL_SEVERITY, AlertKey, Change, Rule, Transition


@dataclass(frozen=True, slots=True)
class LevelChange:
    old: int
    new: int
    t: int
    since: int
    value: float


@dataclass(slots=True)
class Condition:
    rule: Rule
    level: int = 0
    since: int = 0
    """Event time the current level's breach began."""
    last_t: int = -1
    _run: list[int | None] = field(default_factory=lambda: [None, None])
    _down_since: int | None = None

    def _breach(self, value: float, level: int) -> bool:
        thr = self.rule.threshold(level)
        if thr is None:
            return False
        margin = self.rule.hysteresis if self.level >= level else 0.0
        if self.rule.direction == "below":
            return value < thr + margin
        return value > thr - margin

    def update(self, t: int, value: float) -> LevelChange | None:
        """Feed one sample (older samples than the last one are ignored)."""
        if t <= self.last_t:
            return None
        self.last_t = t
        min_ms = int(self.rule.min_duration_s * 1000)
        for level in (1, 2):
            if self._breach(value, level):
                if self._run[level - 1] is None:
                    self._run[level - 1] = t
            else:
                self._run[level - 1] = None
        target, since = 0, t
        for level in (2, 1):
            start = self._run[level - 1]
            if start is not None and (self.level >= level or t - start >= min_ms):
                target, since = level, start
                break
        if target > self.level:
            return self._move(target, t, since, value)
        if target < self.level:
            if self._down_since is None:
                self._down_since = t
            if t - self._down_since >= min_ms:
                return self._move(target, t, since, value)
        else:
            self._down_since = None
        return None

    def update_many(self, ts: Sequence[int], vs: Sequence[float]) -> list[tuple[int, LevelChange]]:
        """Feed samples in time order; return (index, change) for each level change.

        Nearly always nothing can change — the values stay on the side of every threshold
        they were on — and then only ``last_t`` moves, without a loop over the samples."""
        if ts and self._steady(min(vs), max(vs)):
            self.last_t = max(self.last_t, ts[-1])
            return []
        out = []
        for i, (t, value) in enumerate(zip(ts, vs, strict=True)):
            ch = self.update(t, value)
            if ch is not None:
                out.append((i, ch))
        return out

    def _steady(self, lo: float, hi: float) -> bool:
        """Whether values in [lo, hi] leave the state as it is: each threshold's run stays
        (every value breaches it) or stays absent (none does), and the level already is
        the level those runs give."""
        if self._down_since is not None:
            return False
        rule = self.rule
        for level in (1, 2):
            thr = rule.threshold(level)
            if thr is None:
                continue
            margin = rule.hysteresis if self.level >= level else 0.0
            if rule.direction == "below":
                every, none = hi < thr + margin, lo >= thr + margin
            else:
                every, none = lo > thr - margin, hi <= thr - margin
            if self._run[level - 1] is None:
                if not none:
                    return False
            elif not every or level > self.level:
                return False
        return self.level == 0 or self._run[self.level - 1] is not None

    def _move(self, target: int, t: int, since: int, value: float) -> LevelChange:
        change = LevelChange(self.level, target, t, since, value)
        self.level, self._down_since = target, None
        self.since = since if target > change.old else self.since
        return change

    def restore(self, level: int, since: int, last_t: int) -> None:
        """Resume an alert that was active before a restart."""
        self.level, self.since, self.last_t = level, since, last_t


def transition(alert: AlertKey, rule: Rule, ch: LevelChange, *, metric: str | None = None,
               device: str | None = None, detail: str = "") -> Transition:
    """The alert transition a level change means."""
    if ch.new > ch.old:
        change = Change.RAISED if ch.old == 0 else Change.UPGRADED
    else:
        change = Change.RESOLVED if ch.new == 0 else Change.DOWNGRADED
    level = max(ch.new, ch.old) if change is Change.RESOLVED else ch.new
    return Transition(change, alert, rule.id, LEVEL_SEVERITY[level], ch.t, ch.since,
                      round(ch.value, 4), rule.unit, rule.threshold(level), metric, device,
                      detail)
