"""Page forms ask before storing a number implausible for the pond, read Indonesian
numbers as Indonesians write them, and say back what they stored (issue #17)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kolam.registry.cycles import Cycles
from kolam.registry.records import CycleInfo, LogKind
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite, form_csrf


def _cycle(site: DemoSite, pond: str) -> CycleInfo:
    cycle = Cycles(site.registry.engine).active_cycle(SITE, pond)
    assert cycle is not None
    return cycle


def test_kiosk_asks_before_storing_500_kg_then_echoes(client: TestClient,
                                                       site: DemoSite) -> None:
    log_in(client, "kiosk")
    cycles = Cycles(site.registry.engine)
    cycle = _cycle(site, "kolam-3")
    before = len(cycles.records(SITE, cycle.id).logs)
    form = {"csrf": form_csrf(client.get(f"/kiosk/{SITE}").text), "pond": "kolam-3",
            "kind": "feeding", "amount": "500"}
    r = client.post(f"/kiosk/{SITE}/logs", data=form)
    assert r.status_code == 422 and 'id="form-doubt"' in r.text
    assert re.search(r"500 kg pakan membuat [\d.,]+ kg hari ini, [\d.]+ % dari ±[\d,]+ kg ikan",
                     r.text) and 'name="confirm"' in r.text
    assert 'value="500"' in r.text  # the form keeps what was typed
    assert len(cycles.records(SITE, cycle.id).logs) == before
    r = client.post(f"/kiosk/{SITE}/logs", data=form | {"amount": "0,5"})
    assert r.status_code == 303 and "saved=" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert re.search(r"Tersimpan: pakan 0,5 kg, \d\d:\d\d · Kolam 3", page), page[-3000:]
    last = cycles.records(SITE, cycle.id).logs[-1]
    assert (last.kind, last.feed_kg) == (LogKind.FEEDING, 0.5)
    r = client.post(f"/kiosk/{SITE}/logs", data=form | {"confirm": "1"})
    assert r.status_code == 303  # confirmed: stored as typed
    assert cycles.records(SITE, cycle.id).logs[-1].feed_kg == 500


def test_sampling_total_weight_and_the_abw_check(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site, "kolam-2")
    cycles = Cycles(site.registry.engine)
    last = [e for e in cycles.records(SITE, cycle.id).logs if e.kind is LogKind.SAMPLING][-1]
    assert last.sample_weight_g and last.sample_count
    abw = last.sample_weight_g / last.sample_count
    page = client.get(f"/teams/{SITE}/{cycle.team_id}").text
    assert "Jumlah ikan ditimbang (ekor)" in page and "Berat total (g)" in page
    assert "Nilai 2" not in page
    form = {"csrf": form_csrf(page), "cycle": str(cycle.id), "kind": "sampling",
            "sample_count": "30"}
    # The per-fish weight typed where the total goes: refused, saying why.
    r = client.post(f"/teams/{SITE}/{cycle.team_id}/logs",
                    data=form | {"sample_weight_g": f"{abw:.1f}".replace(".", ",")})
    assert r.status_code == 422 and "BERAT TOTAL" in r.text
    assert 'name="confirm"' not in r.text  # not a question: it cannot be true
    total = round(30 * abw * 1.02, 1)
    typed = f"{total:.1f}".replace(".", ",")
    r = client.post(f"/teams/{SITE}/{cycle.team_id}/logs", data=form | {"sample_weight_g": typed})
    assert r.status_code == 303, r.text[-2000:]
    echo = client.get(r.headers["location"]).text
    per_fish = f"{total / 30:.1f}".replace(".", ",")
    assert f"sampling 30 ekor, total {typed} g → {per_fish} g/ekor" in echo
    assert cycles.records(SITE, cycle.id).logs[-1].sample_weight_g == total


def test_harvest_price_22000_is_twenty_two_thousand(client: TestClient, site: DemoSite) -> None:
    log_in(client, "officer")
    cycle = _cycle(site, "kolam-4")
    cycles = Cycles(site.registry.engine)
    page = client.get(f"/teams/{SITE}/{cycle.team_id}").text
    form = {"csrf": form_csrf(page), "cycle": str(cycle.id), "kg": "1,5", "count": "20",
            "price": "22.000"}
    r = client.post(f"/teams/{SITE}/{cycle.team_id}/harvests", data=form)
    assert r.status_code == 303, r.text[-2000:]
    assert "panen 1,5 kg, 20 ekor, Rp 22.000/kg" in client.get(r.headers["location"]).text
    assert cycles.records(SITE, cycle.id).harvests[-1].price_per_kg_rp == 22_000
    r = client.post(f"/teams/{SITE}/{cycle.team_id}/harvests", data=form | {"price": "22"})
    assert r.status_code == 422 and "Harga Rp 22/kg di luar Rp 5.000–60.000/kg" in r.text
    assert 'value="22"' in r.text and 'name="confirm"' in r.text
    client.cookies.set("lang", "en")
    r = client.post(f"/teams/{SITE}/{cycle.team_id}/harvests",
                    data=form | {"price": "22,000", "kg": "1.5"})
    assert r.status_code == 303
    assert cycles.records(SITE, cycle.id).harvests[-1].price_per_kg_rp == 22_000
    assert len(cycles.records(SITE, cycle.id).harvests) == 2
