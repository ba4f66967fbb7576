"""Manual measurements from the farming logs (``kind = measurement``), matched with what
the pond's sensor read at the same time, for the drift rule."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kolam.registry.farm_models import Cycle, LogEntry
from kolam.registry.models import Pond, Site
from kolam.store.base import TimeSeriesReader

MATCH_WINDOW_MS = 15 * 60_000
"""A sensor reading within this of the manual measurement is compared with it."""
LOOKBACK_MS = 86_400_000

ManualCheck = tuple[str, str, str, str, int, float, float]
"""(site, pond, device, metric, t, sensor value, manual value)"""


class ManualChecks:
    def __init__(self, engine: Engine, reader: TimeSeriesReader | None) -> None:
        self._sessions = sessionmaker(engine)
        self.reader = reader
        self.last_id: int | None = None

    def new_checks(self, now: int) -> list[ManualCheck]:
        """Measurements logged since the last call (the last day's at start-up) that have
        a sensor reading to compare with."""
        if self.reader is None:
            return []
        with self._sessions() as s:
            q = (select(LogEntry.id, Site.slug, Pond.slug, LogEntry.metric, LogEntry.value,
                        LogEntry.at)
                 .join(Cycle, LogEntry.cycle_id == Cycle.id).join(Pond, Cycle.pond_id == Pond.id)
                 .join(Site, Pond.site_id == Site.id)
                 .where(LogEntry.kind == "measurement", LogEntry.metric.is_not(None),
                        LogEntry.value.is_not(None), LogEntry.voided_at.is_(None))
                 .order_by(LogEntry.id))
            if self.last_id is None:
                q = q.where(LogEntry.at >= now - LOOKBACK_MS)
            else:
                q = q.where(LogEntry.id > self.last_id)
            rows = s.execute(q).all()
        if self.last_id is None:
            self.last_id = 0
        out: list[ManualCheck] = []
        for id_, site, pond, metric, value, at in rows:
            self.last_id = max(self.last_id, id_)
            if value is None:
                continue
            found = self._sensor(site, pond, str(metric), at)
            if found is not None:
                out.append((site, pond, found[0], str(metric), at, found[1], float(value)))
        return out

    def _sensor(self, site: str, pond: str, metric: str, at: int) -> tuple[str, float] | None:
        assert self.reader is not None
        points = self.reader.raw(site, pond, metric, at - MATCH_WINDOW_MS, at + MATCH_WINDOW_MS)
        if not points:
            return None
        nearest = min(points, key=lambda p: abs(p.t - at))
        devices = [k.device for k in self.reader.series(site, pond) if k.metric == metric]
        return (devices[0] if devices else "sensor"), nearest.value
