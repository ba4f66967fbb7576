"""The team page's forms for members, costs, manual measurements and stocking (issue #17
item 4): each reads numbers the Indonesian way, answers errors in the page's language,
asks before storing what is implausible for the pond, says back what it stored, and
credits the members who did the work."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kolam.places import PondKind, PondShape
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.places import Places
from kolam.registry.records import CycleInfo, LogKind, MemberStatus
from kolam.registry.teams import Teams
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, form_csrf

TEAM = 1




def _team_page(client: TestClient) -> str:
    r = client.get(f"/teams/{SITE}/{TEAM}")
    assert r.status_code == 200
    text: str = r.text
    return text


def _cycle(site: DemoSite) -> CycleInfo:
    cycles = [c for c in Cycles(site.registry.engine).cycles(SITE, team_id=TEAM) if c.active]
    assert cycles
    return cycles[0]


def _echo(client: TestClient, location: str) -> str:
    page = client.get(location).text
    found = re.search(r'<span class="echo">([^<]*)</span>', page)
    assert found is not None, page[-2000:]
    return found.group(1)


def _member_id(site: DemoSite, alias: str) -> int:
    found = [m for m in Teams(site.registry.engine).members(SITE, TEAM) if m.alias == alias]
    assert len(found) == 1
    return found[0].id


# --- members ----------------------------------------------------------------------------

def test_add_a_member_then_an_alias_twice_is_asked_about(client: TestClient,
                                                         site: DemoSite) -> None:
    log_in(client, "officer")
    csrf = form_csrf(_team_page(client))
    url = f"/teams/{SITE}/{TEAM}/members"
    r = client.post(url, data={"csrf": csrf, "registration_no": "REG-901", "alias": "Udin",
                               "full_name": "Udin Saprudin"})
    assert r.status_code == 303, r.text[-1500:]
    assert _echo(client, r.headers["location"]).startswith("Tersimpan: anggota Udin (aktif)")
    m = Teams(site.registry.engine).member(SITE, _member_id(site, "Udin"))
    assert (m.registration_no, m.full_name, m.status) == ("REG-901", "Udin Saprudin",
                                                          MemberStatus.ACTIVE)
    # The same alias for another member: the kiosk would show two "Udin"s, so it asks.
    form = {"csrf": csrf, "registration_no": "REG-902", "alias": "udin"}
    r = client.post(url, data=form)
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "Sudah ada anggota aktif bernama udin" in r.text and 'name="confirm"' in r.text
    assert 'value="REG-902"' in r.text  # the form keeps what was typed
    assert client.post(url, data=form | {"confirm": "1"}).status_code == 303
    assert len([m for m in Teams(site.registry.engine).members(SITE, TEAM)
                if m.alias.lower() == "udin"]) == 2


def test_member_form_errors_in_the_users_language(client: TestClient) -> None:
    log_in(client, "officer")
    csrf = form_csrf(_team_page(client))
    url = f"/teams/{SITE}/{TEAM}/members"
    r = client.post(url, data={"csrf": csrf, "registration_no": "REG-903", "alias": " "})
    assert r.status_code == 422 and "Nama panggilan: wajib diisi" in r.text
    r = client.post(url, data={"csrf": csrf, "registration_no": "DEMO-A001", "alias": "Lagi"})
    assert r.status_code == 422 and "Nomor registrasi DEMO-A001 sudah ada" in r.text
    client.cookies.set("lang", "en")
    r = client.post(url, data={"csrf": csrf, "registration_no": "", "alias": "X"})
    assert r.status_code == 422 and "Registration number: required" in r.text


def test_edit_alias_and_record_a_release(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    member = _member_id(site, "Anggota A5")
    url = f"/teams/{SITE}/{TEAM}/members/{member}"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Anggota A5"' in page.text
    csrf = form_csrf(page.text)
    # Another active member's alias: asked about, nothing changed.
    r = client.post(url, data={"csrf": csrf, "alias": "Anggota A4", "status": "active"})
    assert r.status_code == 422 and 'name="confirm"' in r.text
    assert Teams(site.registry.engine).member(SITE, member).alias == "Anggota A5"
    # Leaving before joining is refused in Indonesian, and changes nothing either.
    r = client.post(url, data={"csrf": csrf, "alias": "Rahmat", "status": "released",
                               "left_at": "2001-01-01"})
    assert r.status_code == 422 and "bergabung lebih lambat" in r.text
    assert Teams(site.registry.engine).member(SITE, member).alias == "Anggota A5"
    r = client.post(url, data={"csrf": csrf, "alias": "Rahmat", "status": "released"})
    assert r.status_code == 303
    assert _echo(client, r.headers["location"]).startswith("Tersimpan: anggota Rahmat (bebas)")
    m = Teams(site.registry.engine).member(SITE, member)
    assert (m.alias, m.status) == ("Rahmat", MemberStatus.RELEASED) and m.left_at


def test_only_officers_manage_members_and_the_dinas_sees_aliases(client: TestClient,
                                                                 site: DemoSite) -> None:
    member = _member_id(site, "Anggota A2")
    log_in(client, "dinas")
    page = _team_page(client)
    assert "Anggota A2" in page and "DEMO-A002" not in page
    assert 'id="form-member"' not in page and "edit-member" not in page
    csrf = form_csrf(page)
    assert client.post(f"/teams/{SITE}/{TEAM}/members",
                       data={"csrf": csrf, "registration_no": "R", "alias": "A"}
                       ).status_code == 403
    assert client.get(f"/teams/{SITE}/{TEAM}/members/{member}").status_code == 403
    log_in(client, "officer")
    assert "edit-member" in _team_page(client)
    log_in(client, "officer-b")  # another site's officer
    assert client.get(f"/teams/{SITE}/{TEAM}/members/{member}").status_code in (403, 404)


# --- costs ------------------------------------------------------------------------------

def test_a_cost_typed_the_indonesian_way_is_echoed_and_credits_members(
        client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site)
    member = _member_id(site, "Anggota A1")
    entries = Entries(site.registry.engine)
    before = len(entries.member_logs(SITE, member))
    csrf = form_csrf(_team_page(client))
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data={
        "csrf": csrf, "cycle": str(cycle.id), "category": "feed", "amount": "380.000",
        "description": "pakan 30 kg", "members": [str(member)]})
    assert r.status_code == 303, r.text[-1500:]
    assert re.match(r"Tersimpan: biaya pakan Rp 380\.000, \d\d:\d\d",
                    _echo(client, r.headers["location"]))
    cost = Cycles(site.registry.engine).records(SITE, cycle.id).costs[-1]
    assert (cost.amount_rp, cost.description) == (380_000, "pakan 30 kg")
    credited = entries.member_logs(SITE, member)
    assert len(credited) == before + 1 and credited[-1].kind is LogKind.NOTE
    assert "Rp 380.000" in credited[-1].note


def test_a_cost_of_22_is_asked_about_and_nonsense_refused(client: TestClient,
                                                          site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site)
    cycles = Cycles(site.registry.engine)
    n = len(cycles.records(SITE, cycle.id).costs)
    form = {"csrf": form_csrf(_team_page(client)), "cycle": str(cycle.id), "category": "other",
            "amount": "22"}
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data=form)
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "Rp 22 kurang dari Rp 1.000: maksudnya Rp 22.000?" in r.text
    assert len(cycles.records(SITE, cycle.id).costs) == n
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data=form | {"amount": "dua puluh"})
    assert r.status_code == 422 and "Jumlah biaya: “dua puluh” bukan angka" in r.text
    assert 'name="confirm"' not in r.text
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data=form | {"amount": "1e999"})
    assert r.status_code == 422 and "bukan angka yang bisa dipakai" in r.text
    # More than the whole harvest could sell for: asked about.
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data=form | {"amount": "400.000.000"})
    assert r.status_code == 422 and "lebih dari nilai seluruh panen" in r.text
    assert len(cycles.records(SITE, cycle.id).costs) == n
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data=form | {"confirm": "1"})
    assert r.status_code == 303
    assert cycles.records(SITE, cycle.id).costs[-1].amount_rp == 22


# --- manual measurements ----------------------------------------------------------------

def test_a_test_kit_reading_with_ammonia_as_nh3(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site)
    member = _member_id(site, "Anggota A3")
    r = client.post(f"/teams/{SITE}/{TEAM}/measurements", data={
        "csrf": form_csrf(_team_page(client)), "cycle": str(cycle.id), "do_mgl": "4,2",
        "ph": "7,5", "temp_c": "28", "tan_mgl": "2", "tan_as": "NH3", "note": "pagi",
        "members": [str(member)]})
    assert r.status_code == 303, r.text[-1500:]
    echo = _echo(client, r.headers["location"])
    assert echo.startswith("Tersimpan: ukur manual: Oksigen terlarut 4,20 mg/L, pH 7,50, "
                           "Suhu 28,0 °C, Amonia total (TAN-N) 1,64 mg/L (kit 2 mg/L NH3), ")
    logs = [e for e in Cycles(site.registry.engine).records(SITE, cycle.id).logs
            if e.kind is LogKind.MEASUREMENT][-4:]
    got = {e.metric: e.value for e in logs}
    assert got["do_mgl"] == 4.2 and got["ph"] == 7.5 and got["temp_c"] == 28
    assert got["tan_mgl"] == pytest.approx(2.0 / 1.216, abs=1e-3)  # stored as N
    assert all(e.member_ids == (member,) for e in logs)
    tan = next(e for e in logs if e.metric == "tan_mgl")
    assert tan.note.startswith("test kit: 2 mg/L as NH3") and tan.note.endswith("pagi")


def test_readings_out_of_range_refused_odd_ones_asked(client: TestClient,
                                                      site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site)
    url = f"/teams/{SITE}/{TEAM}/measurements"
    form = {"csrf": form_csrf(_team_page(client)), "cycle": str(cycle.id)}
    n = len(Cycles(site.registry.engine).records(SITE, cycle.id).logs)
    r = client.post(url, data=form)
    assert r.status_code == 422 and "Isi paling sedikit satu hasil ukur" in r.text
    r = client.post(url, data=form | {"ph": "15"})
    assert r.status_code == 422 and "pH: harus 0 sampai 14" in r.text
    assert 'name="confirm"' not in r.text
    r = client.post(url, data=form | {"do_mgl": "4,2", "ph": "12"})
    assert r.status_code == 422 and 'id="form-doubt"' in r.text and "pH 12 di luar 4–11" in r.text
    assert len(Cycles(site.registry.engine).records(SITE, cycle.id).logs) == n  # none stored
    r = client.post(url, data=form | {"do_mgl": "4,2", "ph": "12", "confirm": "1"})
    assert r.status_code == 303
    assert len(Cycles(site.registry.engine).records(SITE, cycle.id).logs) == n + 2


# --- stocking ---------------------------------------------------------------------------

def _new_pond(site: DemoSite, slug: str, area_m2: float | None) -> None:
    Places(site.registry.engine).add_pond(SITE, slug, PondShape(
        f"Kolam {slug}", PondKind.TARPAULIN, area_m2, 80.0 if area_m2 else None))


def test_stocking_asks_about_a_density_a_tarpaulin_pond_does_not_hold(
        client: TestClient, site: DemoSite) -> None:
    _new_pond(site, "terpal-2", 2.0)
    log_in(client, "officer")
    page = _team_page(client)
    assert 'value="terpal-2"' in page and "Kolam terpal-2 · 2 m²" in page
    member = _member_id(site, "Anggota A1")
    form = {"csrf": form_csrf(page), "pond": "terpal-2", "seed_count": "1.000",
            "seed_weight_g": "1,5", "seed_cost": "300.000", "members": [str(member)]}
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form)
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "1.000 ekor di kolam 2 m² = 500 ekor/m²" in r.text
    assert "100–300 ekor/m²" in r.text and 'value="1.000"' in r.text
    assert Cycles(site.registry.engine).active_cycle(SITE, "terpal-2") is None
    # 250 fish/m² is typical, but Rp 300 for 500 seed (the thousands left off) is not.
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form | {"seed_count": "500",
                                                                  "seed_cost": "300"})
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert "Rp 300 untuk 500 ekor = Rp 1 per ekor" in r.text
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form | {"seed_count": "500",
                                                                  "seed_cost": "150.000"})
    assert r.status_code == 303, r.text[-1500:]
    echo = _echo(client, r.headers["location"])
    assert echo.startswith("Tersimpan: tebar 500 ekor, 1,5 g/ekor, Rp 150.000, "
                           "250 ekor/m² di Kolam terpal-2"), echo
    c = Cycles(site.registry.engine).active_cycle(SITE, "terpal-2")
    assert c is not None and (c.seed_count, c.seed_weight_g, c.seed_cost_rp) == (
        500, 1.5, 150_000)
    note = Entries(site.registry.engine).member_logs(SITE, member)[-1]
    assert note.cycle_id == c.id and "Menebar benih 500 ekor" in note.note


def test_stocking_confirmed_and_a_pond_without_area(client: TestClient,
                                                    site: DemoSite) -> None:
    _new_pond(site, "terpal-3", 2.0)
    _new_pond(site, "tanpa-luas", None)
    log_in(client, "officer")
    csrf = form_csrf(_team_page(client))
    form = {"csrf": csrf, "pond": "terpal-3", "seed_count": "1.000", "seed_weight_g": "2"}
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form | {"confirm": "1"})
    assert r.status_code == 303
    assert Cycles(site.registry.engine).active_cycle(SITE, "terpal-3") is not None
    # No area recorded: nothing to judge the density by, and none is shown.
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form | {"pond": "tanpa-luas"})
    assert r.status_code == 303
    echo = _echo(client, r.headers["location"])
    assert "ekor/m²" not in echo and echo.startswith("Tersimpan: tebar 1.000 ekor, 2,0 g/ekor")
    # The pond page shows the density from the record's area and depth, or nothing.
    page = client.get(f"/sites/{SITE}/ponds/terpal-3").text
    density = re.search(r'<div id="density"><dt>Kepadatan</dt><dd>([^<]*)</dd>', page)
    assert density is not None and re.fullmatch(r"500 ekor/m² · [\d,]+ kg/m³",
                                                density.group(1)), page[-3000:]
    assert 'id="density"' not in client.get(f"/sites/{SITE}/ponds/tanpa-luas").text
    r = client.post(f"/teams/{SITE}/{TEAM}/cycles", data=form | {"pond": "terpal-3",
                                                                  "seed_count": "banyak"})
    assert r.status_code == 422 and "Jumlah benih: “banyak” bukan angka" in r.text


def test_a_saved_cost_is_undone_and_a_cost_voided_with_a_reason(client: TestClient,
                                                                site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site)
    cycles = Cycles(site.registry.engine)
    csrf = form_csrf(_team_page(client))
    r = client.post(f"/teams/{SITE}/{TEAM}/costs", data={
        "csrf": csrf, "cycle": str(cycle.id), "category": "other", "amount": "75.000",
        "description": "ember"})
    cost = cycles.records(SITE, cycle.id).costs[-1]
    page = client.get(r.headers["location"]).text
    undo = f'action="/teams/{SITE}/{TEAM}/costs/{cost.id}/void"'
    assert undo in page and f"/costs/{cost.id}\">Perbaiki" not in page  # no cost edit page
    r = client.post(f"/teams/{SITE}/{TEAM}/costs/{cost.id}/void",
                    data={"csrf": csrf, "reason": "dibatalkan segera setelah dicatat"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#cost-{cost.id}")
    assert cost.id not in {c.id for c in cycles.records(SITE, cycle.id).costs}
    history = client.get(r.headers["location"].split("#")[0]).text
    row = re.search(rf'<tr id="cost-{cost.id}" class="voided">.*?</tr>', history, re.S)
    assert row is not None and "<s>biaya lain-lain Rp 75.000</s>" in row.group(0)
    assert "dibatalkan segera setelah dicatat" in row.group(0)
    # Twice, or without a reason: refused in Indonesian.
    r = client.post(f"/teams/{SITE}/{TEAM}/costs/{cost.id}/void",
                    data={"csrf": csrf, "reason": "lagi"})
    assert r.status_code == 422 and "Catatan ini sudah dibatalkan." in r.text
    assert client.post(f"/teams/{SITE}/{TEAM}/costs/999999/void",
                       data={"csrf": csrf, "reason": "x"}).status_code == 404
