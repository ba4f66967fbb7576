"""Removing a pond that should not exist (a mistyped slug from ``kolam devices add``).

Only a pond without farming records can go: a pond with a cycle carries a team's
history (logs, harvests, costs, the members' skill records), which is never deleted.
Its devices and their broker logins go with it. Readings are not in the registry but
in the time-series store, and stay there: the caller decides (``--force``) whether a
pond with readings may go, and says that they stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update

from kolam.errors import NotFound
from kolam.registry.alert_models import AlertRow
from kolam.registry.farm_models import Cycle
from kolam.registry.models import Device, Pond, Site
from kolam.registry.records import InvalidRecord
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms

RESOLVED_BY = "cli:ponds remove"


@dataclass(frozen=True, slots=True)
class RemovedPond:
    site: str
    pond: str
    devices: tuple[str, ...]
    alerts_resolved: int


def remove_pond(registry: Registry, site: str, pond: str) -> RemovedPond:
    """Delete a pond without cycles, with its devices; resolve its open alerts.

    Raises ``NotFound`` for an unknown pond and ``InvalidRecord`` for one with cycles.
    """
    with registry._session() as s, s.begin():
        row = s.scalar(select(Pond).join(Site).where(Site.slug == site, Pond.slug == pond))
        if row is None:
            raise NotFound(f"no pond {pond!r} at site {site!r}")
        cycles = s.scalar(select(func.count(Cycle.id)).where(Cycle.pond_id == row.id)) or 0
        if cycles:
            raise InvalidRecord(
                f"pond {site}/{pond} has {cycles} cycle(s) of farming records (a team's "
                "history): it cannot be removed; nothing changed")
        devices = tuple(s.scalars(select(Device.slug).where(Device.pond_id == row.id)
                                  .order_by(Device.slug)))
        t = now_ms()
        resolved: CursorResult[Any] = s.execute(  # type: ignore[assignment]
            update(AlertRow)
            .where(AlertRow.site == site, AlertRow.pond == pond, AlertRow.state != "resolved")
            .values(state="resolved", resolved_at=t, resolved_t=t, resolved_by=RESOLVED_BY,
                    updated_at=t))
        s.execute(delete(Device).where(Device.pond_id == row.id))
        s.execute(delete(Pond).where(Pond.id == row.id))
    registry.forget_cache()
    return RemovedPond(site, pond, devices, resolved.rowcount)
