"""What the dawn forecast said at a given moment, rebuilt from the stored readings.

Ingest runs ``DawnForecast`` on the live stream; anyone checking it later (the pond page,
the Dinas, ``GET .../forecast?at=``) replays the same code over the pond's DO readings from
that night's dusk up to the moment, so both see the same fits at the same readings.
"""

from __future__ import annotations

from kolam.alerts.forecast import DawnEstimate, DawnForecast
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.science.sun import SERANG_LAT_DEG, SERANG_LON_DEG, last_sunset_ms, next_sunrise_ms
from kolam.store.base import TimeSeriesReader

_MIN_MS = 60_000
STALE_MS = 30 * _MIN_MS
"""A night forecast whose newest reading is older than this is not a forecast any more."""
MAX_READINGS = 200_000
"""A night of one reading a second from a few probes; more is refused by the store limit."""


def forecast_at(store: TimeSeriesReader, site: str, pond: str, at_ms: int,
                lat_deg: float = SERANG_LAT_DEG, lon_deg: float = SERANG_LON_DEG) -> DawnEstimate:
    """The forecast's estimate at ``at_ms`` from the pond's ``do_mgl`` readings up to it."""
    sunrise = next_sunrise_ms(at_ms, lat_deg, lon_deg)
    dusk = last_sunset_ms(at_ms, lat_deg, lon_deg)
    if sunrise - dusk > 16 * 3_600_000:
        return DawnEstimate("day", sunrise)
    points = store.raw(site, pond, "do_mgl", dusk, at_ms + 1, MAX_READINGS)
    fc = DawnForecast(lat_deg=lat_deg, lon_deg=lon_deg)
    fc.add_many([p.t for p in points], [p.value for p in points])
    est = fc.estimate
    if est is None or est.state == "day":
        return DawnEstimate("wait", sunrise, points=len(fc.points))
    newest = points[-1].t
    if at_ms - newest > STALE_MS:
        return DawnEstimate("unreliable", sunrise, points=est.points, reason=(
            f"no DO reading for {(at_ms - newest) // _MIN_MS} min: the probe or its node is "
            "silent"), regime_start_ms=est.regime_start_ms,
            why=("silent", {"minutes": float((at_ms - newest) // _MIN_MS)}))
    return est


def site_place(config: KolamConfig, registry: Registry, site: str) -> tuple[float, float]:
    """The site's coordinates: its record's (``PATCH /api/v1/sites/{site}``, ``kolam sites
    set``), else the alert config's, else Serang's."""
    info = registry.site(site)
    if info.lat is not None and info.lon is not None:
        return info.lat, info.lon
    cfg = config.alerts.sites.get(site)
    if cfg is not None:
        return cfg.latitude_deg or SERANG_LAT_DEG, cfg.longitude_deg or SERANG_LON_DEG
    return SERANG_LAT_DEG, SERANG_LON_DEG
