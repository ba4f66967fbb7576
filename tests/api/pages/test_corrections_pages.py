"""Correcting, voiding and undoing records from the pages, and the members who did the
work reaching their skill record (issue #17)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kolam.farming.kpi import cycle_kpis
from kolam.registry.corrections import Corrections
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import CycleInfo, LogKind, NewLog
from kolam.registry.teams import Teams
from kolam.registry.users import AuditRecord, Users
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, form_csrf


def _cycle(site: DemoSite, pond: str) -> CycleInfo:
    cycle = Cycles(site.registry.engine).active_cycle(SITE, pond)
    assert cycle is not None
    return cycle


def _feed_total(site: DemoSite, cycle: CycleInfo) -> float:
    return cycle_kpis(Cycles(site.registry.engine).records(SITE, cycle.id), now_ms()).feed_kg


def test_log_with_members_then_correct_then_void(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site, "kolam-1")
    team = f"/teams/{SITE}/{cycle.team_id}"
    members = Teams(site.registry.engine).members(SITE, cycle.team_id)
    page = client.get(team).text
    assert "Siapa yang mengerjakan?" in page and members[0].alias in page
    entries = Entries(site.registry.engine)
    before = len(entries.member_logs(SITE, members[1].id))
    before2 = len(entries.member_logs(SITE, members[2].id))
    feed = _feed_total(site, cycle)
    r = client.post(f"{team}/logs", data={
        "csrf": form_csrf(page), "cycle": str(cycle.id), "kind": "feeding", "feed_kg": "0,3",
        "members": [str(members[1].id), str(members[2].id)]})
    assert r.status_code == 303, r.text[-2000:]
    log_id = int(r.headers["location"].split("saved=log-")[1].split("#")[0])
    echo = client.get(r.headers["location"]).text
    assert "Tersimpan: pakan 0,3 kg" in echo and f"{team}/logs/{log_id}" in echo
    assert entries.log(SITE, log_id).member_ids == (members[1].id, members[2].id)
    assert len(entries.member_logs(SITE, members[1].id)) == before + 1
    assert len(entries.member_logs(SITE, members[2].id)) == before2 + 1
    assert _feed_total(site, cycle) == feed + 0.3

    edit = client.get(f"{team}/logs/{log_id}").text
    assert 'value="0,3"' in edit and "Alasan (wajib" in edit
    r = client.post(f"{team}/logs/{log_id}", data={"csrf": form_csrf(edit), "feed_kg": "0,35"})
    assert r.status_code == 422 and "Alasan perbaikan wajib diisi." in r.text
    assert 'value="0,35"' in r.text  # what was typed is kept
    r = client.post(f"{team}/logs/{log_id}", data={
        "csrf": form_csrf(edit), "feed_kg": "0,35", "reason": "ditimbang ulang",
        "members": [str(members[1].id)]})
    assert r.status_code == 303, r.text[-2000:]
    new_id = int(r.headers["location"].split("saved=log-")[1].split("#")[0])
    assert "Tersimpan: pakan 0,35 kg" in client.get(r.headers["location"]).text
    assert entries.log(SITE, new_id).replaces_id == log_id
    assert entries.log(SITE, new_id).member_ids == (members[1].id,)
    assert len(entries.member_logs(SITE, members[2].id)) == before2  # no longer credited
    assert abs(_feed_total(site, cycle) - (feed + 0.35)) < 1e-9

    r = client.post(f"{team}/logs/{new_id}/void", data={"csrf": form_csrf(edit),
                                                        "reason": "bukan kolam ini"})
    assert r.status_code == 303 and f"/cycles/{cycle.id}" in r.headers["location"]
    history = client.get(f"{team}/cycles/{cycle.id}").text
    assert "bukan kolam ini" in history and "corrected: ditimbang ulang" in history
    assert f'id="log-{new_id}" class="voided"' in history
    assert abs(_feed_total(site, cycle) - feed) < 1e-9
    audit = [a for a in _audit(site) if a.entity == "log"]
    assert {a.action for a in audit} >= {"correct", "void"}


def _audit(site: DemoSite) -> list[AuditRecord]:
    return Users(site.registry.engine).audit_log(site=SITE, limit=50)


def test_harvest_price_corrected_from_the_page(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site, "kolam-3")
    team = f"/teams/{SITE}/{cycle.team_id}"
    page = client.get(team).text
    r = client.post(f"{team}/harvests", data={"csrf": form_csrf(page), "cycle": str(cycle.id),
                                              "kg": "2", "count": "30", "price": "22",
                                              "confirm": "1"})
    assert r.status_code == 303
    harvest = int(r.headers["location"].split("saved=harvest-")[1].split("#")[0])
    edit = client.get(f"{team}/harvests/{harvest}").text
    assert 'value="22"' in edit
    r = client.post(f"{team}/harvests/{harvest}", data={
        "csrf": form_csrf(edit), "kg": "2", "count": "30", "price": "22.000",
        "reason": "harga salah ketik"})
    assert r.status_code == 303, r.text[-2000:]
    assert "Rp 22.000/kg" in client.get(r.headers["location"]).text
    harvests = Cycles(site.registry.engine).records(SITE, cycle.id).harvests
    assert [h.price_per_kg_rp for h in harvests][-1] == 22_000
    assert harvest not in [h.id for h in harvests]


def test_kiosk_names_members_and_undoes_its_own_log(client: TestClient,
                                                    site: DemoSite) -> None:
    log_in(client, "kiosk")
    cycle = _cycle(site, "kolam-2")
    members = Teams(site.registry.engine).members(SITE, cycle.team_id)
    page = client.get(f"/kiosk/{SITE}").text
    assert 'data-pond="kolam-2"' in page and members[0].alias in page
    assert members[0].registration_no not in page  # aliases only on the shared tablet
    r = client.post(f"/kiosk/{SITE}/logs", data={
        "csrf": form_csrf(page), "pond": "kolam-2", "kind": "mortality", "amount": "2",
        "members": [str(members[0].id)]})
    assert r.status_code == 303, r.text[-1500:]
    log_id = int(r.headers["location"].split("saved=")[1].split("#")[0])
    entries = Entries(site.registry.engine)
    assert entries.log(SITE, log_id).member_ids == (members[0].id,)
    echo = client.get(r.headers["location"]).text
    assert "Tersimpan: ikan mati 2 ekor" in echo and f"/logs/{log_id}/undo" in echo
    r = client.post(f"/kiosk/{SITE}/logs/{log_id}/undo", data={"csrf": form_csrf(echo)})
    assert r.status_code == 303
    assert "Dibatalkan: ikan mati 2 ekor" in client.get(r.headers["location"]).text
    assert entries.log(SITE, log_id).voided_by == "kiosk"
    officers = entries.add_log(SITE, cycle.id, NewLog(LogKind.NOTE, now_ms(), note="cek"),
                               "officer")
    r = client.post(f"/kiosk/{SITE}/logs/{officers.id}/undo", data={"csrf": form_csrf(echo)})
    assert r.status_code == 422 and "tidak bisa dibatalkan di sini lagi" in r.text
    Corrections(site.registry.engine).void_log(SITE, officers.id, "officer", "test")


def test_printable_pages_open_with_the_page_login_for_reading_only(
        client: TestClient, site: DemoSite) -> None:
    cycle = _cycle(site, "kolam-1")
    member = Teams(site.registry.engine).members(SITE, cycle.team_id)[0]
    skill = f"/api/v1/sites/{SITE}/members/{member.id}/skill-record"
    assert client.get(skill).status_code == 401
    log_in(client, "officer")
    team = client.get(f"/teams/{SITE}/{cycle.team_id}").text
    assert skill in team and f"/api/v1/sites/{SITE}/reports/monthly.html?month=" in team
    r = client.get(skill)
    assert r.status_code == 200 and member.alias in r.text
    month = re.search(r"monthly\.html\?month=(\d{4}-\d\d)", team)
    assert month is not None
    r = client.get(f"/api/v1/sites/{SITE}/reports/monthly.html", params={"month": month[1]})
    assert r.status_code == 200 and "Laporan Bulanan" in r.text
    # Writing through the API still needs a bearer token: the cookie is for reading.
    r = client.post(f"/api/v1/sites/{SITE}/cycles/{cycle.id}/logs",
                    json={"kind": "note", "note": "lewat cookie"})
    assert r.status_code == 401
    log_in(client, "kiosk")
    assert client.get(skill).status_code == 403  # the kiosk is not staff
