"""The gateway's kiosk app over an in-memory site (the protocol the gateway implements):
every word in both languages, the status from the site's alarms, a manual loop and a dead
motor on the tile, and the login rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import i18n
from api.site_kiosk import SiteKiosk, create_app
from kolam.config import GatewayKioskConfig
from kolam.kiosk import KioskLog, LocalAlarm, LocalDevice, LocalOutput, LocalPond
from kolam.store.base import Latest, SeriesKey
from kolam.timeutil import now_ms
from tests.utils.gateway_kiosk import PASSWORD, password_hash


class Site:
    site, timezone = "serang", "Asia/Makassar"

    def __init__(self) -> None:
        self.logs: list[KioskLog] = []

    def site_name(self) -> str:
        return "Rutan Serang"

    def ponds(self) -> list[LocalPond]:
        t = now_ms()
        key = SeriesKey("serang", "kolam-2", "node-2", "do_mgl")
        return [
            LocalPond("serang", "kolam-1", "Kolam 1", (), (), (), (), tuple(self.logs)),
            LocalPond("serang", "kolam-2", "Kolam 2", (Latest(key, t, 1.4),),
                      (LocalDevice("node-2", True, t, 60.0),),
                      (LocalAlarm("do_low", "do_mgl", "node-2", t),),
                      (LocalOutput("relay-2", "aerator-1", True, t, 0.0, "user:budi", "manual",
                                   "manual", ("no_current",)),), ())]

    def add_log(self, log: KioskLog) -> None:
        self.logs.append(log)


@pytest.fixture
def site() -> Site:
    return Site()


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    cfg = GatewayKioskConfig.model_validate({"listen": "127.0.0.1:1",
                                             "password_hash": password_hash()})
    with TestClient(create_app(SiteKiosk(site, cfg, "k" * 48, 3.0)),
                    follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, password: str = PASSWORD) -> int:
    form = client.get("/login").text
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": "kiosk", "password": password,
                                    "csrf": csrf, "next": "/kiosk/serang"})
    return int(r.status_code)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_word_in_both_languages(client: TestClient, lang: str) -> None:
    client.cookies.set(i18n.LANG_COOKIE, lang)
    assert log_in(client) == 303
    i18n.MISSING.clear()
    html = client.get("/kiosk/serang").text
    assert set() == i18n.MISSING
    tile = html[html.index('id="tile-kolam-2"'):]
    assert 'data-status="critical"' in tile[:60]
    words = {"id": ("manual", "aerator tidak bekerja (arus nol)", "Nyalakan aerator"),
             "en": ("manual", "aerator not working (no current)", "aerator")}[lang]
    assert all(w in tile for w in words), tile[:2000]
    assert 'href="/sites/' not in html and "live.js" not in html  # no central pages here


def test_the_login_guards_the_page_and_the_form(client: TestClient, site: Site) -> None:
    assert client.get("/kiosk/serang").status_code == 303
    assert log_in(client, "not the password") == 401
    assert client.post("/kiosk/serang/logs", data={"pond": "kolam-1", "kind": "feeding",
                                                   "amount": "1"}).status_code == 303
    assert site.logs == []
    assert log_in(client) == 303
    page = client.get("/kiosk/serang").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/kiosk/serang/logs", data={"csrf": csrf, "pond": "kolam-1",
                                                "kind": "mortality", "amount": "3"})
    assert r.status_code == 303
    [log] = site.logs
    assert (log.pond, log.kind, log.dead_count, log.by) == ("kolam-1", "mortality", 3, "kiosk")
    assert len(log.client_id) == 32
    echo = client.get(r.headers["location"]).text
    assert "3 ekor mati, Kolam 1" in echo and "/undo" not in echo
    assert client.post("/kiosk/serang/logs", data={"csrf": csrf, "pond": "kolam-9",
                                                   "kind": "feeding",
                                                   "amount": "1"}).status_code == 422
    assert client.post("/logout").status_code == 303
