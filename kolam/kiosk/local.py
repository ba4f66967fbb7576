"""The gateway's own view of its site, which the pond-side kiosk is built from.

The gateway receives every reading, device status and relay state of its site on the local
broker; it raises the critical alarms itself and runs the aerator loops. A ``LocalPond`` is
what it knows of one pond now, shaped so that the kiosk's view code
(``api.kiosk_view``) reads it as it reads the central store and registry: ``latest`` are
``kolam.store.base.Latest``, devices and alarms carry the fields ``api.status`` looks at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kolam.kiosk.logs import KioskLog
from kolam.store.base import Latest


@dataclass(frozen=True, slots=True)
class LocalDevice:
    slug: str
    online: bool | None
    status_at: int | None
    interval_s: float | None


@dataclass(frozen=True, slots=True)
class LocalAlarm:
    """A critical alarm the gateway raised (``gateway.alarms``), as an alert the kiosk's
    advice understands: ``rule`` names the central rule with the same advice."""

    rule: str
    metric: str | None
    device: str | None
    since: int
    severity: str = "critical"
    state: str = "active"


@dataclass(frozen=True, slots=True)
class LocalOutput:
    """A relay output of the pond, as the gateway's loop or the relay's state says."""

    device: str
    output: str
    on: bool | None
    since: int | None
    amps: float | None = None
    by: str | None = None
    reason: str | None = None
    mode: str | None = None
    """``auto`` or ``manual`` for an output a loop drives; ``None`` otherwise."""
    problems: tuple[str, ...] = ()
    """"Aerator not working" problems (``not_confirmed``, ``no_current``,
    ``do_still_falling``)."""


@dataclass(frozen=True, slots=True)
class LocalPond:
    site: str
    slug: str
    name: str
    latest: tuple[Latest, ...]
    devices: tuple[LocalDevice, ...]
    alarms: tuple[LocalAlarm, ...]
    outputs: tuple[LocalOutput, ...]
    logs: tuple[KioskLog, ...]
    """The logs entered at this kiosk recently (today's tasks tick off by them)."""


class SiteSource(Protocol):
    """What the gateway offers its kiosk page (implemented by ``gateway.kiosk_site``)."""

    site: str
    timezone: str

    def site_name(self) -> str: ...

    def ponds(self) -> list[LocalPond]: ...

    def add_log(self, log: KioskLog) -> None:
        """Keep a log durably for the centre (the outbox); raise ``KolamError`` if not."""
        ...
