"""The alerts API: list and filter, acknowledge, silence — with roles and site scoping."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from ingest.alerts.outbox import AlertOutbox
from ingest.alerts.routing import Router
from kolam.alerts.model import AlertKey, Change, Severity, Transition
from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.store import open_store
from kolam.store.base import SeriesKey
from kolam.timeutil import now_ms
from tests.utils.auth import add_user, login


def test_list_acknowledge_and_silence(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config()
    registry = Registry(config.registry_url)
    store = open_store(config)
    registry.ensure_pond("serang", "kolam-1")
    registry.ensure_pond("cilegon", "kolam-1")
    outbox = AlertOutbox(registry.engine, config, Router(config))
    now = now_ms()
    outbox.apply([
        Transition(Change.RAISED, AlertKey("serang", "kolam-1", "do_low"), "do_low",
                   Severity.CRITICAL, now, now - 600_000, 1.5, "mg/L", 2.0, "do_mgl"),
        Transition(Change.RAISED, AlertKey("serang", "kolam-1", "ph_high"), "ph_high",
                   Severity.WARNING, now, now, 8.8, "pH", 8.5, "ph"),
        Transition(Change.RAISED, AlertKey("cilegon", "kolam-1", "do_low"), "do_low",
                   Severity.WARNING, now, now, 2.8, "mg/L", 3.0, "do_mgl")], now)
    for name, role, site in (("off", Role.OFFICER, "serang"), ("kio", Role.KIOSK, "serang"),
                             ("boss", Role.ADMIN, None)):
        add_user(registry, name, role, [site] if site else [])
    client = TestClient(create_app(config, store, registry))
    officer, kiosk, admin = (login(client, n) for n in ("off", "kio", "boss"))

    assert len(client.get("/api/v1/alerts", headers=admin).json()) == 3
    mine = client.get("/api/v1/alerts", headers=officer).json()
    assert {a["site"] for a in mine} == {"serang"} and len(mine) == 2
    crit = client.get("/api/v1/sites/serang/alerts", params={"severity": "critical"},
                      headers=kiosk).json()
    assert [a["rule"] for a in crit] == ["do_low"] and crit[0]["state"] == "open"
    assert client.get("/api/v1/sites/cilegon/alerts", headers=officer).status_code == 403

    store.write([(SeriesKey("serang", "kolam-1", "node-1", "temp_c"), now, 28.0)])
    pond = client.get("/api/v1/sites/serang/ponds/kolam-1", headers=kiosk).json()
    assert pond["latest"]["temp_c"]["level"] == "ok"
    assert pond["status"] == "critical" and len(pond["active_alerts"]) == 2  # from the alerts

    aid = crit[0]["id"]
    assert client.post(f"/api/v1/sites/serang/alerts/{aid}/ack", headers=kiosk).status_code == 403
    r = client.post(f"/api/v1/sites/serang/alerts/{aid}/ack", headers=officer)
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "off"
    other = client.get("/api/v1/alerts", params={"site": "cilegon"}, headers=admin).json()[0]
    assert client.post(f"/api/v1/sites/serang/alerts/{other['id']}/ack",
                       headers=officer).status_code == 404
    acked = client.get("/api/v1/sites/serang/alerts", params={"state": "acknowledged"},
                       headers=officer).json()
    assert [a["id"] for a in acked] == [aid]

    r = client.post("/api/v1/sites/serang/silences", headers=officer,
                    json={"pond": "kolam-1", "duration_s": 3600, "reason": "kuras kolam"})
    assert r.status_code == 201 and r.json()["created_by"] == "off"
    assert client.post("/api/v1/sites/serang/silences", headers=kiosk,
                       json={"duration_s": 60}).status_code == 403
    active = client.get("/api/v1/sites/serang/silences", params={"active": True},
                        headers=kiosk).json()
    assert [s["reason"] for s in active] == ["kuras kolam"]
    sid = active[0]["id"]
    assert client.delete(f"/api/v1/sites/serang/silences/{sid}",
                         headers=officer).status_code == 204
    assert client.get("/api/v1/sites/serang/silences", headers=officer).json() == []
    registry.close()
    store.close()
