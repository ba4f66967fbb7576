"""What the dawn forecast said at a given moment, rebuilt from the stored readings.

Ingest runs ``DawnForecast`` on the live stream; anyone checking it later (the pond page,
the Dinas, ``GET .../forecast?at=``) replays the same code over the pond's DO readings from
that night's dusk up to the moment, so both see the same fits at the same readings.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from kolam.alerts.aerators import MIN_AMPS, AeratorPlan, is_aerator, plan_from_loops, pond_signal
from kolam.alerts.forecast import DawnEstimate, DawnForecast
from kolam.config import KolamConfig
from kolam.control.problems import NOT_AERATING
from kolam.protocol import OutputState
from kolam.registry.alerts import Alerts
from kolam.registry.outputs import MAX_ROWS, SWITCH, Outputs
from kolam.registry.repo import Registry
from kolam.science.sun import SERANG_LAT_DEG, SERANG_LON_DEG, last_sunset_ms, next_sunrise_ms
from kolam.store.base import TimeSeriesReader

_MIN_MS = 60_000
STALE_MS = 30 * _MIN_MS
"""A night forecast whose newest reading is older than this is not a forecast any more."""
MAX_READINGS = 200_000
"""A night of one reading a second from a few probes; more is refused by the store limit."""


def forecast_at(store: TimeSeriesReader, site: str, pond: str, at_ms: int,
                lat_deg: float = SERANG_LAT_DEG, lon_deg: float = SERANG_LON_DEG,
                aerators: Sequence[tuple[int, bool, bool]] = (),
                plan: AeratorPlan | None = None) -> DawnEstimate:
    """The forecast's estimate at ``at_ms`` from the pond's ``do_mgl`` readings up to it,
    told the pond's aerator signal (``aerator_signal``) and plan as ingest's is."""
    sunrise = next_sunrise_ms(at_ms, lat_deg, lon_deg)
    dusk = last_sunset_ms(at_ms, lat_deg, lon_deg)
    if sunrise - dusk > 16 * 3_600_000:
        return DawnEstimate("day", sunrise)
    points = store.raw(site, pond, "do_mgl", dusk, at_ms + 1, MAX_READINGS)
    fc = DawnForecast(lat_deg=lat_deg, lon_deg=lon_deg, plan=plan)
    feed(fc, [p.t for p in points], [p.value for p in points],
         [e for e in aerators if e[0] <= at_ms])
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


def feed(fc: DawnForecast, ts: Sequence[int], vs: Sequence[float],
         events: Sequence[tuple[int, bool, bool]]) -> None:
    """Readings and aerator switches (t, running, failed) in time order."""
    i = 0
    for t, on, failed in sorted(events):
        j = bisect_left(ts, t, i)
        if j > i:
            fc.add_many(ts[i:j], vs[i:j])
        fc.aerator(t, on, failed)
        i = j
    if i < len(ts):
        fc.add_many(ts[i:], vs[i:])


def aerator_signal(config: KolamConfig, registry: Registry, site: str,
                   pond: str) -> tuple[list[tuple[int, bool, bool]], AeratorPlan | None]:
    """The pond's aerator signal from its recorded switches, and its gateway plan."""
    gw = config.gateway
    loops = gw.control if config.site is None or config.site == site else []
    mine = {(lp.device, lp.output_name): lp.min_amps for lp in loops if lp.pond == pond}
    switches = sorted((e for e in Outputs(registry.engine).events(
        site, pond, kinds=(SWITCH,), limit=MAX_ROWS)
        if is_aerator(e.output, loops, pond, e.device)), key=lambda e: e.since or e.at)
    signal = pond_signal((f"{e.device}/{e.output}", OutputState(
        e.on, e.since or e.at, e.amps, e.by, e.reason),
        mine.get((e.device, e.output), MIN_AMPS)) for e in switches)
    dead = [(a.since_t, a.resolved_t) for a in Alerts(registry.engine).find(
        [site], pond=pond, rule=AERATOR_FAILED, limit=MAX_ALERTS)
        if _GATEWAY_NOT_AERATING.search(a.detail)]
    return with_dead_spans(signal, dead), plan_from_loops(loops, gw.timezone, pond)


AERATOR_FAILED = "aerator_failed"
MAX_ALERTS = 500
_GATEWAY_NOT_AERATING = re.compile(rf"\b(?:{'|'.join(sorted(NOT_AERATING))})\b")
"""An ``aerator_failed`` alert raised by the gateway's "on but moving no air" problems
(ingest/alerts/aerators.py writes their codes into the detail): the relay says "on", so
only the alert tells the replay the pond had no air, as ingest's forecast was told."""


def with_dead_spans(signal: Sequence[tuple[int, bool, bool]],
                    dead: Sequence[tuple[int, int | None]]) -> list[tuple[int, bool, bool]]:
    """``signal`` with the pond's aerators not aerating through each (start, end) span: a
    failure at its start, nothing running inside it, the relay's own state again at its end
    (as ingest's forecast is told a gateway problem raised and cleared). A pond's aerators
    are taken as one: a span stops them all."""
    if not dead:
        return list(signal)

    def inside(t: int) -> bool:
        return any(a <= t and (b is None or t < b) for a, b in dead)

    def running_at(t: int) -> bool:
        before = [e for e in signal if e[0] <= t]
        return before[-1][1] if before else False

    out = [(t, on and not inside(t), failed) for t, on, failed in signal]
    out += [(a, False, True) for a, _ in dead]
    out += [(b, running_at(b), False) for _, b in dead if b is not None and not inside(b)]
    return sorted(out)


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
