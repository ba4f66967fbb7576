"""A demo site for the dashboard tests: 4 ponds, the demo farming records, 30 days of
5-minute water readings written straight into a SQLite store, and a user per role."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.farming.demo_data import seed_demo_data
from kolam.protocol import DeviceRef, Status
from kolam.registry.repo import Registry
from kolam.science.derive import derived_values
from kolam.security.auth import Role
from kolam.store import SeriesKey, SqliteStore
from kolam.timeutil import now_ms
from tests.utils.auth import add_user

SITE = "serang"
PONDS = [f"kolam-{i}" for i in range(1, 5)]
STEP_MS = 300_000
DAYS = 30
USERS = {"admin": (Role.ADMIN, ()), "officer": (Role.OFFICER, (SITE,)),
         "dinas": (Role.DINAS, (SITE,)), "kiosk": (Role.KIOSK, (SITE,)),
         "officer-b": (Role.OFFICER, ("pandeglang",)), "trainer": (Role.TRAINER, (SITE,))}


@dataclass
class DemoSite:
    config: KolamConfig
    registry: Registry
    store: SqliteStore
    now: int

    def close(self) -> None:
        self.store.close()
        self.registry.close()


def water(pond_index: int, t_ms: np.ndarray) -> dict[str, np.ndarray]:
    """Daily cycles like a green-water pond (DOMAIN.md): DO and pH peak in the afternoon."""
    hour = ((t_ms / 3_600_000) + 7) % 24  # WIB
    phase = np.sin((hour - 9) / 24 * 2 * math.pi)
    out = {"do_mgl": 5.0 + 2.0 * phase - 0.3 * pond_index,
           "temp_c": 28.0 + 1.2 * phase,
           "ph": 7.3 + 0.4 * phase,
           "tan_mgl": np.full(t_ms.shape, 0.4 + 0.1 * pond_index)}
    if pond_index == 2:  # a warm pond: temperature above the optimal band
        out["temp_c"] = out["temp_c"] + 3.5
    derived = [derived_values({k: float(v[i]) for k, v in out.items()})
               for i in range(t_ms.size)]
    for key in ("nh3_mgl", "do_sat_pct"):
        out[key] = np.array([d[key] for d in derived])
    return out


def raise_alert(site: DemoSite, pond: str, rule: str, severity: Severity, value: float,
                metric: str | None, unit: str, threshold: float, device: str | None = None,
                change: Change = Change.RAISED) -> None:
    """An alert through the alerting engine's own outbox, as ingest would raise it (or
    resolve it, with ``change``); a device's alert is keyed by rule and device."""
    outbox = AlertOutbox(site.registry.engine, site.config, Router(site.config))
    now = now_ms()
    key = f"{rule}/{device}" if device else rule
    outbox.apply([Transition(change, AlertKey(SITE, pond, key), rule, severity, now,
                             now - 600_000, value, unit, threshold, metric, device)], now)


def raise_seeded_alerts(site: DemoSite) -> None:
    """The alerts ingest's engine holds over the seeded water (a pond's status is its open
    alerts, ``api.status``): the warm pond's temp_high warning (above 32 °C every afternoon)
    and the offline pond's device alert."""
    raise_alert(site, "kolam-3", "temp_high", Severity.WARNING, 32.6, "temp_c", "°C", 32.0)
    raise_alert(site, "kolam-4", "offline", Severity.WARNING, 1.0, None, "", 0.5,
                device="node-4")


def seed_site(config: KolamConfig, *, offline_pond: str | None = "kolam-4",
              days: int = DAYS) -> DemoSite:
    registry = Registry(config.registry_url)
    store = SqliteStore(config.samples_path, synchronous="OFF")
    now = now_ms()
    for i, pond in enumerate(PONDS, start=1):
        registry.ensure_pond(SITE, pond, site_name="Rutan Kelas IIB Serang",
                             pond_name=f"Kolam {i}", area_m2=50.0, depth_cm=100.0)
    registry.ensure_pond("pandeglang", "kolam-1", site_name="Lapas Pandeglang")
    seed_demo_data(registry, SITE, PONDS, now)
    t = np.arange(now - days * 86_400_000, now, STEP_MS, dtype=np.int64) // STEP_MS * STEP_MS
    for i, pond in enumerate(PONDS):
        device = f"node-{i + 1}"
        ref = DeviceRef(SITE, pond, device)
        registry.check_device(ref, auto_provision=True)
        times = t if pond != offline_pond else t[t < now - 3 * 3_600_000]
        rows = []
        for metric, values in water(i, times).items():
            key = SeriesKey(SITE, pond, device, metric)
            rows += [(key, int(a), round(float(b), 3)) for a, b in zip(times, values, strict=True)]
        store.write(rows)
        online = pond != offline_pond
        registry.record_status(ref, Status(online, "sim-1.0", 3, 3.9 - 0.1 * i, -60 - 5 * i, 300)
                               if online else Status(False), now - (0 if online else 3 * 3_600_000))
    for name, (role, sites) in USERS.items():
        add_user(registry, name, role, sites)
    return DemoSite(config, registry, store, now)


def data_dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def form_csrf(html: str) -> str:
    """The CSRF token a page's form carries (``<input name="csrf" value=…>``)."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def business_team(site: DemoSite) -> int:
    """The id of the demo's entrepreneurship team, whose business the demo seeds."""
    from kolam.registry.teams import Teams

    (team,) = [t.id for t in Teams(site.registry.engine).teams(SITE) if "Usaha" in t.name]
    return team
