"""``/admin/sites``: admins register a site and complete it and its ponds from a page; the
registry's checks are shown beside the form, in Indonesian or English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, form_csrf


def test_an_admin_registers_and_completes_a_site(client: TestClient, site: DemoSite) -> None:
    log_in(client, "admin")
    index = client.get("/admin/sites")
    assert index.status_code == 200 and "Daftarkan lokasi" in index.text and SITE in index.text
    r = client.post("/admin/sites", data={
        "csrf": form_csrf(index.text), "slug": "lapas-jayapura", "name": "Lapas Abepura",
        "kind": "lapas", "province": "Papua", "lat": "-2,60", "lon": "140,67",
        "timezone": "Asia/Jayapura"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/sites/lapas-jayapura?saved=1"
    s = site.registry.site("lapas-jayapura")
    assert (s.name, s.kind, s.province, s.lat, s.lon, s.timezone) == (
        "Lapas Abepura", "lapas", "Papua", -2.6, 140.67, "Asia/Jayapura")
    page = client.get("/admin/sites/lapas-jayapura?saved=1")
    assert "Tersimpan." in page.text and 'value="Asia/Jayapura" selected' in page.text
    r = client.post("/admin/sites/lapas-jayapura/ponds", data={
        "csrf": form_csrf(page.text), "slug": "kolam-1", "kind": "tarpaulin", "area_m2": "7,07",
        "depth_cm": "120", "min_level_cm": "60"})
    assert r.status_code == 303
    r = client.post("/admin/sites/lapas-jayapura/ponds/kolam-1", data={
        "csrf": form_csrf(page.text), "name": "Bundar 1", "depth_cm": "110"})  # box unticked
    assert r.status_code == 303
    p = site.registry.pond("lapas-jayapura", "kolam-1")
    assert (p.name, p.kind, p.area_m2, p.depth_cm, p.min_level_cm, p.active) == (
        "Bundar 1", "tarpaulin", 7.07, 110, 60, False)


def test_what_cannot_be_true_is_shown_beside_the_form(client: TestClient,
                                                      site: DemoSite) -> None:
    log_in(client, "admin")
    csrf = form_csrf(client.get(f"/admin/sites/{SITE}").text)
    r = client.post(f"/admin/sites/{SITE}", data={"csrf": csrf, "lat": "106,15"})
    assert r.status_code == 422 and "Data tidak valid" in r.text and "lat must be" in r.text
    assert site.registry.site(SITE).lat is None
    client.cookies.set("lang", "en")
    r = client.post(f"/admin/sites/{SITE}/ponds/kolam-1", data={
        "csrf": csrf, "depth_cm": "80", "min_level_cm": "95", "active": "1"})
    assert r.status_code == 422 and "Invalid data" in r.text and "below the pond" in r.text
    r = client.post(f"/admin/sites/{SITE}", data={"csrf": csrf, "timezone": "Mars/Base"})
    assert r.status_code == 422 and "unknown time zone" in r.text
    r = client.post(f"/admin/sites/{SITE}", data={"csrf": "0" * 32, "name": "x"})
    assert r.status_code == 403 and site.registry.site(SITE).name != "x"


def test_only_admins_open_it(client: TestClient) -> None:
    for user in ("officer", "dinas", "kiosk"):
        log_in(client, user)
        assert client.get("/admin/sites").status_code == 403, user
        assert client.get(f"/admin/sites/{SITE}").status_code == 403, user
    log_in(client, "officer")
    teams = client.get(f"/teams/{SITE}")
    assert teams.status_code == 200 and "/admin/sites" not in teams.text  # no link for them
    log_in(client, "admin")
    assert 'href="/admin/sites"' in client.get(f"/teams/{SITE}").text
