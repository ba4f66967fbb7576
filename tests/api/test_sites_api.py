"""Sites and ponds as records through the API (issue #19): who may register and change
them, the plausibility checks, the audit, and a telemetry-made pond completed later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kolam.farming.kpi import DAY_MS
from kolam.protocol import DeviceRef
from kolam.registry.repo import DeviceCheck
from kolam.registry.users import Users
from kolam.timeutil import to_ms
from tests.utils.farm import SITE_A, SITE_B, Farm, module_farm

MAKASSAR = {"slug": "rutan-makassar", "name": "Rutan Kelas I Makassar", "kind": "rutan",
            "province": "Sulawesi Selatan", "regency": "Kota Makassar", "lat": -5.147,
            "lon": 119.432, "timezone": "Asia/Makassar", "altitude_m": 6}


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with module_farm(tmp_path_factory.mktemp("sites") / "data") as f:
        yield f


def test_an_admin_registers_a_site_with_its_place(farm: Farm) -> None:
    c = farm.client
    r = c.post("/api/v1/sites", json=MAKASSAR, headers=farm.as_("admin"))
    assert r.status_code == 201, r.text
    assert r.json() == MAKASSAR | {"pond_count": 0}
    assert c.get("/api/v1/sites/rutan-makassar", headers=farm.as_("admin")).json() == r.json()
    r = c.post("/api/v1/sites", json=MAKASSAR, headers=farm.as_("admin"))
    assert r.status_code == 422 and "exists already" in r.json()["detail"]
    audit = c.get("/api/v1/audit?site=rutan-makassar", headers=farm.as_("admin")).json()
    assert [(a["action"], a["entity"], a["username"]) for a in audit] == [
        ("create", "site", "admin")]
    assert "timezone=Asia/Makassar" in audit[0]["detail"]


def test_a_bare_site_defaults_to_wib(farm: Farm) -> None:
    r = farm.client.post("/api/v1/sites", json={"slug": "lpka-bare"},
                         headers=farm.as_("admin"))
    assert r.status_code == 201
    body = r.json()
    assert (body["name"], body["kind"], body["timezone"], body["lat"]) == (
        "lpka-bare", "other", "Asia/Jakarta", None)


@pytest.mark.parametrize("caller", ["officer", "dinas", "kiosk", "admin_a"])
def test_only_admins_of_the_slug_register_sites(farm: Farm, caller: str) -> None:
    r = farm.client.post("/api/v1/sites", json={"slug": "lapas-elsewhere"},
                         headers=farm.as_(caller))
    assert r.status_code == 403, r.text
    assert "lapas-elsewhere" not in {s.slug for s in farm.registry.sites()}


def test_a_site_admin_completes_its_own_site_only(farm: Farm) -> None:
    c, headers = farm.client, farm.as_("admin_a")
    r = c.patch(f"/api/v1/sites/{SITE_A}", headers=headers,
                json={"province": "Banten", "lat": -6.12, "lon": 106.15, "kind": "rutan"})
    assert r.status_code == 200, r.text
    assert (r.json()["province"], r.json()["lat"], r.json()["name"]) == ("Banten", -6.12,
                                                                          "Serang")
    assert c.patch(f"/api/v1/sites/{SITE_B}", json={"province": "Banten"},
                   headers=headers).status_code == 403
    assert farm.registry.site(SITE_B).province is None
    for caller in ("officer", "dinas", "kiosk"):
        assert c.patch(f"/api/v1/sites/{SITE_A}", json={"name": "x"},
                       headers=farm.as_(caller)).status_code == 403


@pytest.mark.parametrize(("body", "where"), [
    ({"lat": 7.5}, "lat"), ({"lat": 106.15, "lon": -6.12}, "lat"), ({"lon": 150}, "lon"),
    ({"altitude_m": 90_000}, "altitude_m"), ({"kind": "prison"}, "kind"),
    ({"timezone": "Asia/Serang"}, "time zone"), ({"timezone": "WITA"}, "time zone"),
    ({"name": "   "}, "name"), ({"slug": "renamed"}, "cannot change"), ({"colour": 1}, "colour"),
])
def test_implausible_site_changes_are_refused(farm: Farm, body: dict[str, object],
                                              where: str) -> None:
    before = farm.registry.site(SITE_B)
    r = farm.client.patch(f"/api/v1/sites/{SITE_B}", json=body, headers=farm.as_("admin"))
    assert r.status_code == 422 and where in r.text, r.text
    assert farm.registry.site(SITE_B) == before


def test_ponds_are_registered_by_admins_and_shaped_by_officers(farm: Farm) -> None:
    c, ponds = farm.client, f"/api/v1/sites/{SITE_A}/ponds"
    new = {"slug": "kolam-3", "name": "Kolam Bundar 3", "kind": "tarpaulin", "area_m2": 7.07,
           "depth_cm": 120, "min_level_cm": 60}
    for caller in ("officer", "dinas", "kiosk", "officer_b"):
        assert c.post(ponds, json=new, headers=farm.as_(caller)).status_code == 403, caller
    r = c.post(ponds, json=new, headers=farm.as_("admin_a"))
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in new} == new and r.json()["active"] is True
    assert r.json()["status"] == "offline"
    r = c.patch(f"{ponds}/kolam-3", json={"depth_cm": 100, "active": False},
                headers=farm.as_("officer"))
    assert r.status_code == 200 and (r.json()["depth_cm"], r.json()["active"]) == (100, False)
    for caller in ("dinas", "kiosk", "officer_b"):
        assert c.patch(f"{ponds}/kolam-3", json={"active": True},
                       headers=farm.as_(caller)).status_code == 403, caller
    listed = {p["slug"]: p for p in c.get(ponds, headers=farm.as_("kiosk")).json()}
    assert (listed["kolam-3"]["kind"], listed["kolam-3"]["area_m2"],
            listed["kolam-3"]["min_level_cm"], listed["kolam-3"]["active"]) == (
        "tarpaulin", 7.07, 60, False)
    detail = c.get(f"{ponds}/kolam-3", headers=farm.as_("kiosk")).json()
    assert (detail["kind"], detail["depth_cm"]) == ("tarpaulin", 100)
    entries = [(e.username, e.action, e.entity) for e in
               Users(farm.registry.engine).audit_log(site=SITE_A) if e.entity == "pond"]
    assert entries[:2] == [("officer", "update", "pond"), ("admin_a", "create", "pond")]


@pytest.mark.parametrize(("body", "where"), [
    ({"min_level_cm": 130}, "below the pond's depth_cm"), ({"area_m2": 0}, "area_m2"),
    ({"depth_cm": -5}, "depth_cm"), ({"kind": "glass"}, "kind"), ({"slug": "x"}, "cannot"),
])
def test_implausible_pond_changes_are_refused(farm: Farm, body: dict[str, object],
                                              where: str) -> None:
    farm.registry.ensure_pond(SITE_B, "kolam-9", depth_cm=120)
    r = farm.client.patch(f"/api/v1/sites/{SITE_B}/ponds/kolam-9", json=body,
                          headers=farm.as_("officer_b"))
    assert r.status_code == 422 and where in r.text, r.text
    assert farm.registry.pond(SITE_B, "kolam-9").min_level_cm is None


def test_a_pond_made_by_telemetry_is_completed_later(farm: Farm) -> None:
    ref = DeviceRef(SITE_B, "kolam-baru", "node-7")
    assert farm.registry.check_device(ref, auto_provision=True) is DeviceCheck.ACCEPTED
    url = f"/api/v1/sites/{SITE_B}/ponds/kolam-baru"
    assert farm.client.get(url, headers=farm.as_("officer_b")).json()["kind"] is None
    r = farm.client.patch(url, headers=farm.as_("officer_b"), json={
        "name": "Kolam Beton 1", "kind": "concrete", "area_m2": 24, "depth_cm": 110,
        "min_level_cm": 70})
    assert r.status_code == 200, r.text
    got = farm.client.get(url, headers=farm.as_("officer_b")).json()
    assert (got["name"], got["kind"], got["area_m2"], got["devices"][0]["slug"]) == (
        "Kolam Beton 1", "concrete", 24, "node-7")
    farm.registry.forget_cache()
    assert farm.registry.check_device(ref, auto_provision=True) is DeviceCheck.ACCEPTED
    r = farm.client.post(f"/api/v1/sites/{SITE_B}/ponds", json={"slug": "kolam-baru"},
                         headers=farm.as_("admin"))
    assert r.status_code == 422 and "exists already" in r.text


def _harvest_at(farm: Farm, site: str, at_ms: int) -> None:
    from kolam.registry.cycles import Cycles
    from kolam.registry.entries import Entries
    from kolam.registry.records import NewCycle, NewHarvest, NewTeam, Programme
    from kolam.registry.teams import Teams

    farm.registry.ensure_pond(site, "kolam-1")
    start = at_ms - 60 * DAY_MS
    team = Teams(farm.registry.engine).add_team(site, NewTeam("Lele Timur",
                                                              Programme.LELE_GROWOUT, start))
    cycle = Cycles(farm.registry.engine).start(site, "kolam-1",
                                               NewCycle(team.id, start, 1000, 2.0))
    Entries(farm.registry.engine).add_harvest(site, cycle.id, NewHarvest(
        at_ms, 12.0, count=100, price_per_kg_rp=25_000), "test")


# 16:30 UTC on 30 November: still November in Jakarta (23:30 WIB), already 1 December in
# Jayapura (01:30 WIT).
def iso_ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text))


LAST_NIGHT_OF_NOVEMBER = to_ms(datetime(2026, 11, 30, 16, 30, tzinfo=UTC))


@pytest.mark.parametrize(("zone", "month", "abbreviation"), [
    ("Asia/Jayapura", "2026-12", "WIT"), ("Asia/Jakarta", "2026-11", "WIB")])
def test_the_monthly_report_uses_the_sites_month(farm: Farm, zone: str, month: str,
                                                 abbreviation: str) -> None:
    slug = f"lapas-{abbreviation.lower()}"
    c, admin = farm.client, farm.as_("admin")
    assert c.post("/api/v1/sites", json={"slug": slug, "timezone": zone},
                  headers=admin).status_code == 201
    _harvest_at(farm, slug, LAST_NIGHT_OF_NOVEMBER)
    base = f"/api/v1/sites/{slug}/reports/monthly"
    production = {m: c.get(base, params={"month": m}, headers=admin).json()["production_kg"]
                  for m in ("2026-11", "2026-12")}
    assert production == {"2026-11": 0.0, "2026-12": 0.0} | {month: 12.0}
    html = c.get(f"{base}.html", params={"month": month}, headers=admin).text
    assert f"({abbreviation})" in html


def test_the_dawn_forecast_uses_the_sites_coordinates(farm: Farm) -> None:
    c, admin = farm.client, farm.as_("admin")
    c.post("/api/v1/sites", json={"slug": "lapas-sorong", "timezone": "Asia/Jayapura"},
           headers=admin)
    farm.registry.ensure_pond("lapas-sorong", "kolam-1")
    url = "/api/v1/sites/lapas-sorong/ponds/kolam-1/forecast"
    before = c.get(url, headers=admin).json()
    assert (before["lat_deg"], before["lon_deg"]) == (-6.12, 106.15)  # Serang, by default
    c.patch("/api/v1/sites/lapas-sorong", json={"lat": -0.88, "lon": 131.25}, headers=admin)
    after = c.get(url, headers=admin).json()
    assert (after["lat_deg"], after["lon_deg"]) == (-0.88, 131.25)
    # Sunrise in Sorong is about 1 h 40 min before Serang's (25° of longitude east).
    assert 80 <= (iso_ms(before["sunrise"]) - iso_ms(after["sunrise"])) % DAY_MS / 60_000 <= 120
