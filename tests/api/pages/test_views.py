"""The kiosk, pond, overview, alerts and teams pages and their forms, server-side."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from pydantic import SecretStr

from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.registry.alerts import Alerts, Receipt
from kolam.registry.cycles import Cycles
from kolam.registry.records import LogKind
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import PONDS, SITE, DemoSite, form_csrf, raise_alert, raise_seeded_alerts


def _tile(html: str, pond: str) -> str:
    start = html.index(f'id="tile-{pond}"')
    return html[start:html.index("</article>", start)]




def test_kiosk_tiles_readings_and_advice(client: TestClient, site: DemoSite) -> None:
    body = log_in(client, "kiosk").get(f"/kiosk/{SITE}").text
    assert body.count('class="tile ') == len(PONDS)
    # The warm pond's readings are above the optimum, but no alert is open: calm.
    assert 'id="tile-kolam-3" data-status="ok"' in body
    assert 'id="tile-kolam-4" data-status="offline"' in body
    assert "mg/L" in body and "°C" in body and "menit lalu" in body
    assert "Beri pakan" in body and "Sensor tidak mengirim data" in body
    raise_seeded_alerts(site)
    body = client.get(f"/kiosk/{SITE}").text
    assert 'id="tile-kolam-3" data-status="warning"' in body
    tile = _tile(body, "kolam-4")
    # Old readings are shown greyed with their time, under "data stopped", not "no data";
    # the device alert names the device, once: no second, general "sensor sends nothing".
    assert "Data terhenti" in tile and "Tidak ada data" not in tile
    assert 'class="readings stale"' in tile and "data terakhir" in tile
    assert tile.count("tidak mengirim data") == 1 and "node-4" in tile


def test_kiosk_log_form_saves_and_validates(client: TestClient, site: DemoSite) -> None:
    log_in(client, "kiosk")
    csrf = form_csrf(client.get(f"/kiosk/{SITE}").text)
    r = client.post(f"/kiosk/{SITE}/logs", data={"csrf": csrf, "pond": "kolam-1",
                                                 "kind": "mortality", "amount": "2"})
    assert r.status_code == 303
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-1")
    assert cycle is not None
    last = cycles.records(SITE, cycle.id).logs[-1]
    assert (last.kind, last.dead_count, last.recorded_by) == (LogKind.MORTALITY, 2, "kiosk")
    for form, message in (({"kind": "feeding", "amount": "-1"}, "Pakan: harus lebih dari 0"),
                          ({"kind": "feeding", "amount": "abc"}, "Pakan: “abc” bukan angka"),
                          ({"kind": "mortality", "amount": "99999"}, "lebih banyak dari"),
                          ({"kind": "sampling", "amount": "3"}, "pakan atau ikan mati"),
                          ({"kind": "feeding", "amount": "1", "pond": "nope"}, "Pilih kolam")):
        r = client.post(f"/kiosk/{SITE}/logs", data={"csrf": csrf, "pond": "kolam-1"} | form)
        assert r.status_code == 422 and message in r.text, (form, r.text[-2000:])
    r = client.post(f"/kiosk/{SITE}/logs", data={"pond": "kolam-1", "kind": "feeding",
                                                 "amount": "1"})
    assert r.status_code == 403


def test_pond_page_and_chart_data(client: TestClient) -> None:
    log_in(client, "admin")
    body = client.get(f"/sites/{SITE}/ponds/kolam-1").text
    assert "uPlot.iife.min.js" in body and "node-1" in body and "dBm" in body
    assert "Kinerja siklus" in body and "Perkiraan oksigen saat subuh" in body
    data = client.get(f"/sites/{SITE}/ponds/kolam-1/charts.json?range=7d").json()
    keys = [m["key"] for m in data["metrics"]]
    assert keys[:3] == ["temp_c", "ph", "do_mgl"] and "nh3_mgl" in keys
    do = next(m for m in data["metrics"] if m["key"] == "do_mgl")
    assert do["optimal"] == [4, None] and do["unit"] == "mg/L"
    assert 300 <= len(do["t"]) <= 750 and len(do["t"]) == len(do["mean"]) == len(do["max"])
    assert data["step_s"] == 900  # a multiple of the 5-minute roll-ups
    assert {e["kind"] for e in data["events"]} >= {"feeding"}
    assert client.get(f"/sites/{SITE}/ponds/kolam-1/charts.json?range=1y").status_code == 422


def test_overview_sorts_sites_and_counts(client: TestClient, site: DemoSite) -> None:
    raise_seeded_alerts(site)
    body = log_in(client, "admin").get("/").text
    assert body.index("Rutan Kelas IIB Serang") < body.index("Lapas Pandeglang")
    assert "Produksi bulan ini" in body and "Sensor aktif (24 jam)" in body
    assert 'data-sort="num"' in body


def test_alerts_page_acknowledge_and_silence(client: TestClient, site: DemoSite) -> None:
    raise_alert(site, "kolam-3", "temp_high", Severity.WARNING, 32.6, "temp_c", "°C", 32.0)
    log_in(client, "dinas")
    body = client.get("/alerts").text
    assert "Suhu air tinggi" in body and "32,6 °C" in body
    alert_id = int(re.search(r'id="alert-(\d+)" data-state="open"', body).group(1))  # type: ignore[union-attr]
    # The Dinas watches: it neither acknowledges (alerts.dinas_may_acknowledge is off,
    # tests/api/pages/test_roles.py) nor silences (admin and officers only, as the API).
    r = client.post(f"/sites/{SITE}/alerts/{alert_id}/ack", data={"csrf": form_csrf(body)})
    assert r.status_code == 403
    r = client.post(f"/sites/{SITE}/silences", data={"csrf": form_csrf(body), "hours": "2"})
    assert r.status_code == 403
    log_in(client, "officer")
    body = client.get("/alerts").text
    r = client.post(f"/sites/{SITE}/alerts/{alert_id}/ack", data={"csrf": form_csrf(body)})
    assert r.status_code == 303
    assert f'id="alert-{alert_id}" data-state="acknowledged"' in client.get("/alerts").text
    csrf = form_csrf(client.get("/alerts").text)
    r = client.post(f"/sites/{SITE}/silences", data={"csrf": csrf, "pond": "kolam-3",
                                                     "hours": "999", "reason": "x"})
    assert r.status_code == 422 and "Jam: paling banyak 720 jam" in r.text
    r = client.post(f"/sites/{SITE}/silences", data={"csrf": csrf, "pond": "kolam-3",
                                                     "hours": "1,5", "reason": "kuras kolam"})
    assert r.status_code == 303 and "kuras kolam" in client.get(r.headers["location"]).text


def test_team_forms_show_validation_messages(client: TestClient) -> None:
    log_in(client, "officer")
    body = client.get(f"/teams/{SITE}").text
    r = client.post(f"/teams/{SITE}", data={"csrf": form_csrf(body), "name": " "})
    assert r.status_code == 422 and "Kelompok perlu nama." in r.text
    r = client.post(f"/teams/{SITE}", data={"csrf": form_csrf(body), "name": "Lele Baru"})
    assert r.status_code == 303
    team = r.headers["location"].split("/")[-1].split("?")[0]
    page = client.get(f"/teams/{SITE}/{team}").text
    r = client.post(f"/teams/{SITE}/{team}/cycles", data={
        "csrf": form_csrf(page), "pond": "kolam-1", "seed_count": "1000", "seed_weight_g": "2"})
    assert r.status_code == 422 and "masih punya siklus aktif" in r.text
    r = client.post(f"/teams/{SITE}/{team}/cycles", data={
        "csrf": form_csrf(page), "pond": "kolam-1", "seed_count": "10.5", "seed_weight_g": "2"})
    assert r.status_code == 422 and "Jumlah benih: harus bilangan bulat" in r.text
    r = client.post(f"/teams/{SITE}/1/logs", data={
        "csrf": form_csrf(page), "cycle": "1", "kind": "feeding", "value": "1"})
    assert r.status_code == 422 and "di luar siklus" in r.text  # finished in the demo
    log_in(client, "dinas")
    assert client.post(f"/teams/{SITE}", data={"csrf": "x", "name": "y"}).status_code == 403


def test_live_stream_sends_changed_fragments(client: TestClient) -> None:
    log_in(client, "kiosk")
    with client.stream("GET", f"/live/sites/{SITE}") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]
    assert {e["id"] for e in events} == {f"tile-{p}" for p in PONDS}  # each once: unchanged
    assert all('class="tile ' in e["html"] for e in events)
    with client.stream("GET", f"/live/sites/{SITE}/ponds/kolam-1") as r:
        text = "".join(r.iter_text())
    assert '"id": "readings"' in text and '"id": "devices"' in text


def test_live_stream_needs_a_login(client: TestClient) -> None:
    assert client.get(f"/live/sites/{SITE}").status_code == 401


def test_alerts_page_shows_what_each_channel_confirmed(client: TestClient,
                                                       site: DemoSite) -> None:
    config = site.config.model_copy(update={"telegram_bot_token": SecretStr("1:x"),
                                            "telegram_chat_ids": "5550001,5550002"})
    outbox = AlertOutbox(site.registry.engine, config, Router(config))
    now = now_ms()
    outbox.apply([Transition(Change.RAISED, AlertKey(SITE, "kolam-2", "ph_low"), "ph_low",
                             Severity.CRITICAL, now, now, 5.1, "", 5.5, "ph")], now)
    sent, failed = [p for p in outbox.due(now) if p.channel == "telegram"]
    outbox.delivered([sent.id], now, "telegram message_id 77")
    outbox.given_up([failed.id], now, "telegram chat 5550002: 400 Bad Request: chat not found")
    log_in(client, "officer")
    body = client.get("/alerts").text
    assert "telegram 5550001: terkirim · telegram message_id 77" in body
    assert "telegram 5550002: gagal · telegram chat 5550002: 400 Bad Request: chat not" in body
    # A status the service reported later (WhatsApp's webhook does this) shows instead.
    Alerts(site.registry.engine).record_receipts([Receipt("telegram message_id 77", "read",
                                                          now)])
    assert "telegram 5550001: dibaca · telegram message_id 77" in client.get("/alerts").text
