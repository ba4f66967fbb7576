"""Teams, cycles, records, KPIs, reports and skill records through the REST API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest

from kolam.config import KolamConfig
from kolam.farming.kpi import DAY_MS
from kolam.store import SeriesKey
from kolam.timeutil import WIB, from_ms, iso, now_ms
from tests.utils.farm import SECRETS, SITE_A, SITE_B, Farm, farm_app


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def test_a_cycle_from_stocking_to_kpis(farm: Farm) -> None:
    c, officer = farm.client, farm.as_("officer")
    base = f"/api/v1/sites/{SITE_A}"
    team = c.post(f"{base}/teams", headers=officer, json={
        "name": "Kelompok Baru", "instructors": ["Bu Instruktur"]}).json()
    member = c.post(f"{base}/teams/{team['id']}/members", headers=officer, json={
        "registration_no": "R-77", "alias": "Anggota 7", "full_name": "Nama Lengkap"}).json()
    assert member["full_name"] == "Nama Lengkap"
    t0 = now_ms() - 10 * DAY_MS
    r = c.post(f"{base}/ponds/kolam-2/cycles", headers=officer, json={
        "team_id": team["id"], "stocked_at": iso(t0), "seed_count": 1000, "seed_weight_g": 2.0,
        "seed_cost_rp": 300_000})
    assert r.status_code == 201, r.text
    cycle = r.json()
    r = c.post(f"{base}/ponds/kolam-2/cycles", headers=officer, json={
        "team_id": team["id"], "seed_count": 10, "seed_weight_g": 2.0})
    assert r.status_code == 422 and "already has an active cycle" in r.json()["detail"]
    logs = f"{base}/cycles/{cycle['id']}/logs"
    r = c.post(logs, headers=officer, json={"kind": "feeding", "at": iso(t0 + DAY_MS),
                                            "feed_kg": 3.0})
    assert r.status_code == 422 and r.json()["needs_confirmation"] is True  # 2 kg of fish
    assert r.json()["check"] == "feed_high"
    for body in ({"kind": "feeding", "at": iso(t0 + DAY_MS), "feed_kg": 3.0,
                  "member_id": member["id"], "confirm": True},
                 {"kind": "mortality", "at": iso(t0 + 2 * DAY_MS), "dead_count": 100},
                 {"kind": "sampling", "at": iso(t0 + 9 * DAY_MS), "sample_count": 10,
                  "sample_weight_g": 100.0, "confirm": True}):  # 2 → 10 g in 9 days
        r = c.post(logs, headers=officer, json=body)
        assert r.status_code == 201, r.text
    r = c.post(logs, headers=officer, json={"kind": "feeding", "feed_kg": -1})
    assert r.status_code == 422 and "feed_kg" in r.text  # pydantic names the field
    r = c.post(logs, headers=officer, json={"kind": "feeding", "at": iso(t0 - DAY_MS),
                                            "feed_kg": 1})
    assert r.status_code == 422 and "outside cycle" in r.json()["detail"]
    kiosk = farm.as_("kiosk")
    assert c.post(logs, headers=kiosk, json={"kind": "note", "note": "ikan lahap"}
                  ).status_code == 201
    r = c.post(logs, headers=kiosk, json={"kind": "sampling", "sample_count": 1,
                                          "sample_weight_g": 5})
    assert r.status_code == 403 and "kiosk may add only" in r.json()["detail"]
    r = c.post(f"{base}/cycles/{cycle['id']}/harvests", headers=officer,
               json={"kg": 100.0, "count": 901})
    assert r.status_code == 422 and "more than the 900 alive" in r.json()["detail"]

    # Cold water now: today's ration is halved. Compliance from the stored readings.
    pond = ("serang", "kolam-2", "node-9")
    now = now_ms()
    farm.store.write([(SeriesKey(*pond, "temp_c"), t0 + DAY_MS + i * 300_000, v)
                      for i, v in enumerate((27.0, 28.0, 31.0, 24.0))]
                     + [(SeriesKey(*pond, "temp_c"), now - 60_000, 24.0)])
    k = c.get(f"{base}/cycles/{cycle['id']}/kpis", headers=kiosk).json()
    assert k["live_count"] == 900 and k["abw_sampled_g"] == 10
    assert k["abw_sampled_at"] == iso(t0 + 9 * DAY_MS) and k["growth_basis"] == "one_sampling"
    # Sampled a day ago: abw_g is that 10 g grown one day by the curve, labelled so.
    assert k["abw_is_estimate"] is True and k["sampling_age_d"] == pytest.approx(1, abs=0.01)
    assert 10 < k["abw_g"] < 10 * 1.25 and k["biomass_kg"] == pytest.approx(0.9 * k["abw_g"])
    assert k["harvest_date_past"] is False and k["projected_harvest_at"] is not None
    assert k["survival_pct"] == 90 and k["feed_kg"] == 3
    feed = k["feed_today"]
    assert feed["rate_pct"] == 5.5 and feed["reduced"] is True and feed["abw_is_estimate"]
    assert feed["kg_per_day"] == pytest.approx(k["biomass_kg"] * 0.055 / 2)
    assert k["water_now"] == {"temp_c": 24.0, "do_mgl": None}
    assert k["water_compliance_pct"] == {"temp_c": 40.0}  # 27 and 28 of 27, 28, 31, 24, 24
    detail = c.get(f"{base}/ponds/kolam-2", headers=kiosk).json()
    assert detail["current_cycle"]["id"] == cycle["id"]
    assert detail["current_cycle"]["team_name"] == "Kelompok Baru"
    team_k = c.get(f"{base}/teams/{team['id']}/kpis", headers=farm.as_("dinas")).json()
    assert team_k["cycles"] == 1 and team_k["costs_rp"] == 300_000


def test_monthly_report_json_csv_and_print(farm: Farm) -> None:
    c, dinas = farm.client, farm.as_("dinas")
    harvest_at = now_ms() - 10 * DAY_MS  # the seeded partial harvest
    month = from_ms(harvest_at).astimezone(WIB).strftime("%Y-%m")
    base = f"/api/v1/sites/{SITE_A}/reports/monthly"
    r = c.get(base, params={"month": month}, headers=dinas).json()
    assert r["production_kg"] == 5.0 and r["revenue_rp"] == 100_000
    assert r["cycles"][0]["harvested_count"] == 100 and r["alert_count"] == 0
    assert set(r["water_compliance_pct"]) == {"kolam-1", "kolam-2"}
    rows = list(csv.reader(io.StringIO(c.get(f"{base}.csv", params={"month": month},
                                             headers=dinas).text)))
    assert rows[0][:3] == ["cycle_id", "pond", "team_name"] and rows[-1][0] == "total"
    html = c.get(f"{base}.html", params={"month": month}, headers=dinas)
    assert html.status_code == 200 and "Laporan Bulanan" in html.text
    assert "@media print" in html.text and "Rp 100.000" in html.text
    assert c.get(base, params={"month": "2026-13"}, headers=dinas).status_code == 422


def test_skill_record_prints_names_for_officers_only(farm: Farm) -> None:
    c = farm.client
    member = farm.ids[SITE_A]["member"]
    url = f"/api/v1/sites/{SITE_A}/members/{member}/skill-record"
    officer = c.get(url, headers=farm.as_("officer"))
    assert officer.status_code == 200 and SECRETS[SITE_A][0] in officer.text
    assert "Catatan Keterampilan" in officer.text and "Panen dan penjualan" in officer.text
    dinas = c.get(url, headers=farm.as_("dinas"))
    assert dinas.status_code == 200 and SECRETS[SITE_A][0] not in dinas.text
    record = c.get(url + ".json", headers=farm.as_("officer")).json()
    assert [a["kind"] for a in record["activities"]] == ["feeding", "sampling"]
    assert [x["code"] for x in record["competencies"]] == ["harvest"]
    audit = c.get("/api/v1/audit", params={"site": SITE_A}, headers=farm.as_("admin")).json()
    readers = [(a["username"], a["entity"]) for a in audit]
    assert ("dinas", "skill_record") in readers and ("officer", "skill_record") in readers


def test_monthly_report_counts_the_months_alerts(farm: Farm) -> None:
    from ingest.alerts.outbox import AlertOutbox
    from ingest.alerts.routing import Router
    from kolam.alerts.model import AlertKey, Change, Severity, Transition

    config = farm.client.app.state.config  # type: ignore[attr-defined]
    now = now_ms()
    AlertOutbox(farm.registry.engine, config, Router(config)).apply(
        [Transition(Change.RAISED, AlertKey(SITE_A, "kolam-1", "do_low"), "do_low",
                    Severity.CRITICAL, now, now - 600_000, 1.5, "mg/L", 2.0, "do_mgl")], now)
    month = from_ms(now - 600_000).astimezone(WIB).strftime("%Y-%m")
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/reports/monthly", params={"month": month},
                        headers=farm.as_("dinas")).json()
    assert r["alert_count"] == 1
    other = farm.client.get(f"/api/v1/sites/{SITE_B}/reports/monthly", params={"month": month},
                            headers=farm.as_("admin")).json()
    assert other["alert_count"] == 0
