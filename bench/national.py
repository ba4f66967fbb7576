"""National scale benchmark (issue #19 item 4): the registry side at 500 sites × 10 ponds.

Seeds one registry (SQLite by default, ``--registry-url`` for PostgreSQL) with SITES sites
in 10 provinces and 3 time zones, PONDS ponds each; per pond one cycle stocked 60 days ago
with a feeding log a day and a sampling, half of them ended by a final harvest this month;
one reading of DO, temperature and pH per pond in the time-series store, and an open alert
on one pond in ten. Each site's team also keeps a business (issue #20, ``seed_business``):
last month and this month so far, 31 cash book entries a month (capital, fish and product
sales, feed by the sack with its stock card delivery, 1.2 sacks a pond a week, seed,
medicine, transport, electricity, packaging, equipment, and a transport entry reversed),
one production batch of kerupuk kulit a month and six sales of its packs, so the report's
business sums (``kolam.registry.business_totals``) read a realistic book. Then, as a Dinas
login of every site would, it times (medians of RUNS):

- ``national_report``: the national monthly report as a function (every site's cycles);
- ``GET /api/v1/reports/national``: the same through the API (JSON);
- ``GET /national``: the national page (every site's worst pond, alerts, production);
- ``GET /``: the overview (every pond of every site, with its 24-hour uptime);
- the overview's rows, and the same rows built as the code before this change built them
  (``before_overview_rows``), side by side on the same data.

Targets: < 1 s each (issue #19). Raw time series and their roll-ups are the storage
benchmark's (``bench/storage.py``); this one is about the registry and the pages.

Run: .venv/bin/python bench/national.py [--sites 500] [--ponds 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import median, write_results
from fastapi.testclient import TestClient
from sqlalchemy import insert

from api.app import create_app
from api.pages.overview import (
    PONDS_SHOWN,
    ranked_ponds,
    site_rows,
    uptime_pct,
    with_uptime,
)
from api.pond_view import PondViews
from kolam.config import load_config
from kolam.farming.monthly import month_span
from kolam.farming.national import national_report
from kolam.places import site_zone
from kolam.registry.alert_models import AlertRow
from kolam.registry.alerts import Alerts
from kolam.registry.business_models import CashEntryRow, ProductBatchRow, StockMoveRow
from kolam.registry.cycles import Cycles
from kolam.registry.farm_models import Cycle, Harvest, LogEntry, Team
from kolam.registry.models import Pond, Site
from kolam.registry.repo import Registry
from kolam.registry.totals import MonthSums
from kolam.security.auth import Role
from kolam.store.base import SeriesKey
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import WIB, local_month, now_ms
from tests.utils.auth import PASSWORD, add_user, page_login

DAY_MS = 86_400_000
PROVINCES = (("Banten", "Asia/Jakarta"), ("Jawa Barat", "Asia/Jakarta"),
             ("Jawa Tengah", "Asia/Jakarta"), ("Jawa Timur", "Asia/Jakarta"),
             ("Sumatera Utara", "Asia/Jakarta"), ("Kalimantan Timur", "Asia/Makassar"),
             ("Sulawesi Selatan", "Asia/Makassar"), ("Bali", "Asia/Makassar"),
             ("Maluku", "Asia/Jayapura"), ("Papua", "Asia/Jayapura"))
KINDS = ("rutan", "lapas", "lpka")


def _log(cycle: int, at: int, kind: str, now: int, **values: float) -> dict[str, Any]:
    """A cycle_logs row with every column an executemany needs."""
    return {"cycle_id": cycle, "at": at, "kind": kind, "recorded_by": "bench", "note": "",
            "created_at": now, "feed_kg": None, "sample_count": None, "sample_weight_g": None,
            **values}


def seed(registry: Registry, store: SqliteStore, sites: int, ponds: int,
         now: int) -> tuple[int, int]:
    """Bulk rows straight into the registry's tables (the ORM one by one would take the
    benchmark's whole budget); returns the number of feeding logs and of book entries."""
    start = now - 60 * DAY_MS
    month_start = now - 10 * DAY_MS
    with registry.engine.begin() as c:
        c.execute(insert(Site), [
            {"id": i + 1, "slug": f"upt-{i:03d}", "name": f"UPT Fiktif {i:03d}",
             "altitude_m": 10.0, "kind": KINDS[i % 3], "province": PROVINCES[i % 10][0],
             "regency": f"Kabupaten {i % 37}", "timezone": PROVINCES[i % 10][1],
             "created_at": now} for i in range(sites)])
        c.execute(insert(Pond), [
            {"id": i * ponds + j + 1, "site_id": i + 1, "slug": f"kolam-{j + 1}",
             "name": f"Kolam {j + 1}", "area_m2": 20.0, "depth_cm": 100.0, "created_at": now}
            for i in range(sites) for j in range(ponds)])
        c.execute(insert(Team), [
            {"id": i + 1, "site_id": i + 1, "name": "Lele Jaya", "programme": "lele_growout",
             "instructors": ["Instruktur"], "starts_at": start, "created_at": now}
            for i in range(sites)])
        cycles, feeding, harvests = [], [], []
        for i in range(sites):
            for j in range(ponds):
                cid = i * ponds + j + 1
                ended = j % 2 == 0
                cycles.append({"id": cid, "pond_id": cid, "team_id": i + 1, "stocked_at": start,
                               "seed_count": 3000, "seed_weight_g": 5.0, "seed_source": "",
                               "seed_cost_rp": 450_000.0, "target_fish_per_kg": 8.0,
                               "ended_at": month_start if ended else None,
                               "end_reason": "final harvest" if ended else None,
                               "created_at": now})
                for d in range(50):
                    feeding.append(_log(cid, start + d * DAY_MS, "feeding", now,
                                        feed_kg=2.0 + d * 0.1))
                feeding.append(_log(cid, start + 30 * DAY_MS, "sampling", now, sample_count=30,
                                    sample_weight_g=1500.0))
                if ended:
                    harvests.append({"cycle_id": cid, "at": month_start, "final": True,
                                     "kg": 250.0, "fish_per_kg": 10.0, "count": 2500,
                                     "count_measured": True, "buyer": "Pengepul",
                                     "price_per_kg_rp": 22_000.0, "recorded_by": "bench",
                                     "created_at": now})
        c.execute(insert(Cycle), cycles)
        c.execute(insert(LogEntry), feeding)
        c.execute(insert(Harvest), harvests)
        logs = len(feeding)
        c.execute(insert(AlertRow), [
            {"site": f"upt-{i:03d}", "pond": "kolam-1", "rule_key": "do_low", "rule": "do_low",
             "severity": "critical" if i % 20 == 0 else "warning", "state": "open",
             "since_t": now - 3_600_000, "last_t": now, "value": 2.4, "unit": "mg/L",
             "threshold": 3.0, "metric": "do_mgl", "created_at": now,
             "updated_at": now}
            for i in range(0, sites, 10)])
        book = seed_business(c, sites, ponds, now)
    rows = [(SeriesKey(f"upt-{i:03d}", f"kolam-{j + 1}", "node-1", m), now - 60_000, v)
            for i in range(sites) for j in range(ponds)
            for m, v in (("do_mgl", 5.1), ("temp_c", 28.4), ("ph", 7.6))]
    store.write(rows)
    return logs, book


PRODUCT = "kerupuk kulit lele"
SACK_RP = 380_000.0
FEED_SACKS_PER_POND = 1.2
"""Sacks a pond eats per week: the bench's feeding logs, 2-7 kg a day, are about 4.5 kg."""
BOOK = (  # a month of one team's book: category, direction, Rp, quantity, unit
    # Prices: DOMAIN.md (Rp 380,000 per 30 kg sack, about Rp 300 a seed, Rp 18,000-25,000/kg
    # at the farm gate); a pack of kerupuk kulit at Rp 15,000 as the demo sells it.
    ("other", "in", 3_000_000.0, None, None),
    *[("fish_sales", "in", kg * 22_000.0, kg, "kg") for kg in (25.0, 30.0, 20.0, 28.0)],
    *[("feed", "out", SACK_RP, 1.0, "sak")] * 4,  # x FEED_SACKS_PER_POND x ponds
    ("seed", "out", 300_000.0, 1000.0, "ekor"),
    ("medicine", "out", 85_000.0, 1.0, "botol"),
    *[("transport", "out", 25_000.0, None, None)] * 4,
    *[("product_sales", "in", 75_000.0, 5.0, "pak")] * 6,
    *[("other", "out", 40_000.0, 100.0, "pak")] * 2,
    ("electricity", "out", 150_000.0, None, None),
    ("equipment", "out", 120_000.0, 1.0, "buah"),
    *[("fish_sales", "in", 110_000.0, 5.0, "kg")] * 4,
    ("transport", "out", 35_000.0, None, None),  # written wrong: reversed below
)
BATCH_KG, BATCH_PACKS, BATCH_INPUTS_RP = 10.0, 35.0, 80_000.0
"""3,5 packs per kg of fish, within kerupuk's 0,3-4,0 (kolam/business/plausible.py)."""


def _entry(eid: int, team: int, at: int, now: int, category: str, direction: str,
           amount: float, quantity: float | None, unit: str | None,
           **more: Any) -> dict[str, Any]:
    """A cash_entries row with every column an executemany needs."""
    return {"id": eid, "team_id": team, "cycle_id": None, "at": at, "direction": direction,
            "category": category, "amount_rp": amount, "quantity": quantity, "unit": unit,
            "counterparty": "", "note": "", "recorded_by": "bench", "created_at": now,
            "product": PRODUCT if category == "product_sales" else None, "reverses": None,
            "reason": None, **more}


def seed_business(c: Any, sites: int, ponds: int, now: int) -> int:
    """Last month's and this month's books (so far) of every site's team (ids 1..sites),
    bulk. Both are WIB months with last month's first and last day left empty, so every
    entry is in the same month in WITA and WIT (which start theirs an hour or two earlier).
    Returns the number of book entries."""
    cur_start, _ = month_span(local_month(now, WIB), WIB)
    prev_start, _ = month_span(local_month(cur_start - 1, WIB), WIB)
    spans = ((prev_start + DAY_MS, cur_start - DAY_MS), (cur_start + 60_000, now - 60_000))
    entries, moves, batches = [], [], []
    eid, sacks = 0, max(1, round(FEED_SACKS_PER_POND * ponds))
    for i in range(sites):
        team = i + 1
        for first, last in spans:
            step = max(1, (last - first) // (len(BOOK) + 1))
            for k, (cat, way, rp, qty, unit) in enumerate(BOOK):
                eid += 1
                at = first + k * step
                if cat == "feed":  # the sacks onto the stock card, paid by this entry
                    rp, qty = SACK_RP * sacks, float(sacks)
                    moves.append({"team_id": team, "at": at, "kind": "delivery",
                                  "item_kind": "feed", "item": "pelet apung",
                                  "quantity": 30.0 * sacks, "unit": "kg", "protein_pct": 31.0,
                                  "sack_kg": 30.0, "cash_entry_id": eid, "note": "",
                                  "recorded_by": "bench", "created_at": now})
                entries.append(_entry(eid, team, at, now, cat, way, rp, qty, unit))
            eid += 1
            entries.append(_entry(eid, team, first + len(BOOK) * step, now, "transport", "in",
                                  35_000.0, None, None, reverses=eid - 1,
                                  reason="salah tulis", note=f"koreksi entri {eid - 1}"))
            batches.append({"team_id": team, "at": first, "product": PRODUCT,
                            "harvest_id": None, "fish_kg": BATCH_KG,
                            "fish_rp": BATCH_KG * 22_000.0, "inputs_rp": BATCH_INPUTS_RP,
                            "packs": BATCH_PACKS, "note": "", "recorded_by": "bench",
                            "created_at": now})
    c.execute(insert(CashEntryRow), entries)
    c.execute(insert(StockMoveRow), moves)
    c.execute(insert(ProductBatchRow), batches)
    return len(entries)


def before_overview_rows(views: PondViews, sites: list[str], now: int) -> list[Any]:
    """The overview's rows as the code before this change built them (kept here to measure
    it side by side): a pond's view, uptime and site's alerts one query at a time, and the
    month's harvest by reading every record of every cycle (``Cycles.records``)."""
    rows = []
    for site in sites:
        info = views.registry.site(site)
        ponds = [views.pond(p, now, with_cycle=False) for p in views.registry.ponds(site)]
        uptime = {v.pond.slug: uptime_pct(views.store, site, v.pond.slug, now) for v in ponds}
        tz = site_zone(info.timezone)
        start, end = month_span(local_month(now, tz), tz)
        harvested = 0.0
        for c in views.cycles.cycles(site):
            if c.stocked_at >= end or (c.ended_at is not None and c.ended_at < start):
                continue
            harvested += sum(h.kg for h in views.cycles.records(site, c.id).harvests
                             if start <= h.at < end)
        rows.append((info, ponds, uptime, views.alerts.find(
            [site], states=("open", "acknowledged"), limit=50), harvested))
    return rows


def timed(fn: Any, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(median(times), 1), "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--ponds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before-runs", type=int, default=1,
                    help="runs of the code before this change (about a minute each at 500)")
    ap.add_argument("--registry-url", default=None,
                    help="an empty PostgreSQL database (default: a new SQLite file)")
    args = ap.parse_args()
    for key in [k for k in os.environ if k.startswith("KOLAM_")]:
        del os.environ[key]
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"data_dir": Path(tmp) / "data"}
        if args.registry_url:
            overrides["registry_url"] = args.registry_url
        config = load_config(None, **overrides)
        store = SqliteStore(config.samples_path)
        registry = Registry(config.registry_url)
        now = now_ms()
        t0 = time.perf_counter()
        logs, book = seed(registry, store, args.sites, args.ponds, now)
        seed_s = time.perf_counter() - t0
        add_user(registry, "dinas", Role.DINAS)
        month = local_month(now, WIB)
        results: dict[str, Any] = {}
        try:
            results["national_report"] = timed(
                lambda: national_report(MonthSums(registry.engine), registry.sites(), month),
                args.runs)
            with TestClient(create_app(config, store, registry), follow_redirects=False) as c:
                r = c.post("/api/v1/auth/token", data={"username": "dinas",
                                                        "password": PASSWORD})
                h = {"Authorization": f"Bearer {r.json()['access_token']}"}
                body = c.get(f"/api/v1/reports/national?month={month}", headers=h).json()
                assert body["total"]["site_count"] == args.sites, body["total"]
                assert body["total"]["business_teams"] == args.sites, body["total"]
                results["api_national"] = timed(
                    lambda: c.get(f"/api/v1/reports/national?month={month}", headers=h),
                    args.runs)
                assert page_login(c, "dinas").status_code == 303
                page = c.get("/national")
                assert page.status_code == 200, page.status_code
                assert f"UPT Fiktif {args.sites - 1:03d}" in page.text
                results["page_national"] = timed(lambda: c.get("/national"), args.runs)
                results["page_overview"] = timed(lambda: c.get("/"), args.runs)
            views = PondViews(store, registry, Alerts(registry.engine),
                              Cycles(registry.engine), config)
            slugs = [x.slug for x in registry.sites()]
            results["overview_rows"] = timed(lambda: with_uptime(
                store, ranked_ponds(site_rows(views, slugs, now))[:PONDS_SHOWN], now), args.runs)
            results["overview_rows_before"] = timed(
                lambda: before_overview_rows(views, slugs, now), args.before_runs)
        finally:
            store.close()
            registry.close()
    write_results("national", {
        "sites": args.sites, "ponds_per_site": args.ponds, "feeding_logs": logs,
        "cash_entries": book,
        "registry": "postgresql" if args.registry_url else "sqlite", "seed_s": round(seed_s, 1),
        "runs": args.runs, "target_ms": 1000, **results})


if __name__ == "__main__":
    main()
