"""A pond's status: one judgement shared by the API, the kiosk, the pond page and the overview.

The level is the worst severity among the pond's open (or acknowledged) alerts, never one
raw reading. The alert engine holds a breach for its rule's minimum duration and clears it
only past the rule's hysteresis (``ingest/alerts/rules.py``: pH above 9.0 must last 4 h, a
green-water pond's afternoon peak does not), so a pH hovering around 9.0 does not flip the
status with every reading, and the traffic light says what the advice and ``/alerts`` say.

Freshness is the other half: a pond whose newest reading is older than
``offline_after_intervals`` report intervals, or whose every device has gone (Last Will), has
no data (``offline``), whatever its alerts said before: they judge water nobody is measuring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kolam.store.base import Latest

DEFAULT_INTERVAL_S = 60.0
LOADING_WINDOW_MS = 15 * 60_000
"""How long after a device comes online its old readings count as history still arriving;
past that, with nothing fresh, its data stopped."""


class AlertFacts(Protocol):
    """What the status reads of an alert: the registry's ``AlertInfo``, or an alarm the
    gateway raised (``kolam.kiosk.LocalAlarm``) on the kiosk at the pond."""

    @property
    def severity(self) -> str: ...
    @property
    def state(self) -> str: ...


class DeviceFacts(Protocol):
    """What the status reads of a device (``DeviceInfo``, ``kolam.kiosk.LocalDevice``)."""

    @property
    def online(self) -> bool | None: ...
    @property
    def status_at(self) -> int | None: ...
    @property
    def interval_s(self) -> float | None: ...


class Status(StrEnum):
    """Pond statuses and alert severities, declared from calm to trouble: the one ranking."""

    OK = "ok"
    INFO = "info"
    OFFLINE = "offline"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Status)}


def rank(status: str) -> int:
    """The rank of a status or alert severity by name; an unknown name ranks as ``info``."""
    try:
        return Status(status).rank
    except ValueError:
        return Status.INFO.rank


def worst_severity(alerts: Sequence[AlertFacts]) -> Status:
    """The most severe of the alerts (``ok`` when there are none)."""
    return max((Status(a.severity) for a in alerts if a.severity in _RANK),
               key=lambda s: s.rank, default=Status.OK)


@dataclass(frozen=True, slots=True)
class PondStatus:
    alert_level: Status
    """The worst open alert: ``ok`` (none), ``info``, ``warning`` or ``critical``."""
    fresh: bool
    """A reading within the freshness window, and not every device gone."""
    last_t: int | None
    """The newest reading of the pond (epoch ms), or ``None`` when it never had one."""
    loading: bool = False
    """Not fresh, but a device came online after the newest reading, a short while ago:
    its history is still arriving (a gateway draining its outbox, ``kolam demo``'s
    backfill), so the page says "loading history", not "data stopped"."""

    @property
    def value(self) -> Status:
        """``ok | warning | critical | offline``: what the API's ``status`` field says."""
        if not self.fresh:
            return Status.OFFLINE
        return Status.OK if self.alert_level is Status.INFO else self.alert_level

    @property
    def rank(self) -> int:
        return self.value.rank

    @property
    def word_key(self) -> str:
        """The i18n key of the word shown with the light: a pond with old readings says
        its data stopped (``st_stale``), not that there is none (``st_offline``)."""
        if self.value is Status.OFFLINE and self.loading:
            return "st_loading"
        if self.value is Status.OFFLINE and self.last_t is not None:
            return "st_stale"
        return f"st_{self.value.value}"


def fresh_after(devices: Sequence[DeviceFacts], now: int,
                offline_after_intervals: float) -> int:
    """The oldest reading time (epoch ms) that still counts as fresh."""
    intervals = [d.interval_s for d in devices if d.interval_s]
    interval_s = max(intervals) if intervals else DEFAULT_INTERVAL_S
    return now - int(offline_after_intervals * interval_s * 1000)


def pond_status(latest: Sequence[Latest], alerts: Sequence[AlertFacts],
                devices: Sequence[DeviceFacts],
                now: int, offline_after_intervals: float) -> PondStatus:
    """The status of a pond from its latest readings, open alerts and devices' health."""
    last_t = max((x.t for x in latest), default=None)
    all_gone = bool(devices) and all(d.online is False for d in devices)
    fresh = (last_t is not None and last_t >= fresh_after(devices, now, offline_after_intervals)
             and not all_gone)
    open_alerts = [a for a in alerts if a.state != "resolved"]
    loading = not fresh and any(
        d.online and d.status_at is not None and d.status_at > (last_t or 0)
        and now - d.status_at < LOADING_WINDOW_MS for d in devices)
    return PondStatus(worst_severity(open_alerts), fresh, last_t, loading)
