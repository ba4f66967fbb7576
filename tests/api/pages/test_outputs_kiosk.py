"""The aerators on the kiosk, "back to automatic" on the pond page and the chart's switch
bands (issue #18 items 3, 4): real commands on a real Mosquitto."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.protocol import DeviceRef, OutputState, cmd_topic
from kolam.registry.outputs import Outputs
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.gateway import Recorder
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.pages import SITE, DemoSite, form_csrf

RELAY = DeviceRef(SITE, "kolam-2", "relay-2")
PAGE = f"/sites/{SITE}/ponds/kolam-2"
FORM = PAGE + "/outputs/relay-2/aerator-1"
KIOSK = f"/kiosk/{SITE}"


@pytest.fixture
def outputs(site: DemoSite) -> Outputs:
    site.registry.check_device(RELAY, auto_provision=True)
    outputs = Outputs(site.registry.engine)
    now = now_ms()
    outputs.record_switches(RELAY, {"aerator-1": OutputState(
        True, now - 3 * 3_600_000, 1.2, "gateway:auto", "do_low")}, now)
    outputs.record_switches(RELAY, {"aerator-1": OutputState(
        False, now - 2 * 3_600_000, None, "gateway:auto", "do_ok")}, now)
    outputs.record_switches(RELAY, {"aerator-1": OutputState(
        True, now - 600_000, 1.1, "user:officer", "manual")}, now)
    return outputs


def app_client(site: DemoSite, mosquitto: Mosquitto, **update: object) -> Iterator[TestClient]:
    config = site.config.model_copy(update={"mqtt_url": mosquitto.url(), **update})
    app = create_app(config, site.store, site.registry)
    with TestClient(app, follow_redirects=False) as c:
        yield c
    publisher = getattr(app.state, "command_publisher", None)
    if publisher is not None:
        publisher.close()


@pytest.fixture
def plain(site: DemoSite, mosquitto: Mosquitto, outputs: Outputs) -> Iterator[TestClient]:
    yield from app_client(site, mosquitto)


@pytest.fixture
def kiosk_may(site: DemoSite, mosquitto: Mosquitto, outputs: Outputs
              ) -> Iterator[TestClient]:
    yield from app_client(site, mosquitto, kiosk_switch_sites=[SITE])




def _card(html: str) -> str:
    found = re.search(r'<section class="card" id="outputs">.*?</section>', html, re.S)
    assert found is not None, "no outputs card"
    return found.group(0)


def test_the_kiosk_shows_each_ponds_aerators_without_a_button_by_default(
        plain: TestClient) -> None:
    card = _card(log_in(plain, "kiosk").get(KIOSK).text)
    assert 'data-pond="kolam-2"' in card and 'data-output="relay-2/aerator-1"' in card
    assert "menyala" in card and "1,1 A" in card and "user:officer" in card
    assert "manual" in card and "<form" not in card


def test_the_kiosk_switches_where_the_site_allows_it_and_comes_back(
        kiosk_may: TestClient, mosquitto: Mosquitto) -> None:
    client = log_in(kiosk_may, "kiosk")
    card = _card(client.get(KIOSK).text)
    assert "Matikan" in card and 'name="back" value="kiosk"' in card and "Ya, saya yakin" in card
    csrf = form_csrf(client.get(KIOSK).text)
    watcher = Recorder(mosquitto.mqtt, [cmd_topic(RELAY)], "watcher")
    try:
        r = client.post(FORM, data={"csrf": csrf, "on": "0", "back": "kiosk"})
        assert r.status_code == 303 and r.headers["location"] == KIOSK + "?switched=0#outputs"
        assert "centang" in client.get(r.headers["location"]).text
        r = client.post(FORM, data={"csrf": csrf, "on": "0", "back": "kiosk", "confirm": "1"})
        assert r.status_code == 303 and r.headers["location"] == KIOSK + "?switched=1#outputs"
        wait_for(lambda: watcher.last(cmd_topic(RELAY)) is not None, 5, what="the command")
        cmd = watcher.last(cmd_topic(RELAY))
        assert cmd is not None and (cmd["on"], cmd["by"]) == (False, "user:kiosk")
    finally:
        watcher.close()
    html = client.get(KIOSK + "?switched=1").text
    assert 'data-command="pending"' in _card(html) and "Perintah terkirim" in html


def test_back_to_automatic_from_the_pond_page(
        plain: TestClient, outputs: Outputs, mosquitto: Mosquitto) -> None:
    client = log_in(plain, "officer")
    assert "Kembali ke otomatis" not in _card(client.get(PAGE).text)  # no loop known
    now = now_ms()
    outputs.record_switches(RELAY, {"aerator-1": OutputState(
        True, now - 600_000, 1.1, "user:officer", "manual", "manual", now + 1_800_000,
        "c-manual")}, now)
    html = client.get(PAGE).text
    card = _card(html)
    assert 'data-mode="manual"' in card and "manual sampai" in card
    assert "Kembali ke otomatis" in card and 'name="manual_min"' in card
    csrf = form_csrf(html)
    watcher = Recorder(mosquitto.mqtt, [cmd_topic(RELAY)], "watcher")
    try:
        r = client.post(FORM + "/auto", data={"csrf": csrf})
        assert r.status_code == 303 and "switched=0" in r.headers["location"]
        r = client.post(FORM, data={"csrf": csrf, "on": "0", "manual_min": "45",
                                    "confirm": "1"})
        assert r.status_code == 422  # only the times the page offers
        assert watcher.snapshot() == []
        r = client.post(FORM + "/auto", data={"csrf": csrf, "confirm": "1"})
        assert r.status_code == 303 and r.headers["location"] == PAGE + "?switched=1#outputs"
        wait_for(lambda: watcher.last(cmd_topic(RELAY)) is not None, 5, what="set_auto")
        cmd = watcher.last(cmd_topic(RELAY))
        assert cmd is not None
        assert (cmd["cmd"], cmd["output"], cmd["by"]) == ("set_auto", "aerator-1",
                                                          "user:officer")
        card = _card(client.get(PAGE).text)
        assert 'data-command-kind="auto"' in card and "kembali ke otomatis" in card
        r = client.post(FORM, data={"csrf": csrf, "on": "0", "manual_min": "120",
                                    "confirm": "1"})
        assert r.status_code == 303
        wait_for(lambda: len(watcher.snapshot()) == 2, 5, what="the switch")
        cmd = watcher.last(cmd_topic(RELAY))
        assert cmd is not None and cmd["cmd"] == "set_output"
        assert 7_100_000 < int(str(cmd["until_t"])) - now_ms() <= 7_200_000
    finally:
        watcher.close()


def test_the_chart_has_the_aerators_on_periods(plain: TestClient) -> None:
    client = log_in(plain, "dinas")
    body = client.get(PAGE + "/charts.json?range=24h").json()
    [band] = [b for b in body["switch_bands"] if b["output"] == "relay-2/aerator-1"]
    (a0, a1), (b0, b1) = band["periods"]
    assert a1 - a0 == pytest.approx(3600, abs=1)  # on 3 h ago, off 2 h ago
    assert b1 == pytest.approx(body["end"], abs=1)  # still on: to the chart's end
    assert 600 <= body["end"] - b0 < 660  # on 10 min before the fixture ran
    assert 'data-output-on-label="{output} menyala"' in client.get(PAGE).text
