"""The pond page's aerators (issue #18): each output's confirmed state, a pending command,
and a switch button with a confirmation box for those who may switch; the switch is a real
``set_output`` on a real Mosquitto."""

from __future__ import annotations

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

RELAY = DeviceRef(SITE, "kolam-1", "relay-1")
PAGE = f"/sites/{SITE}/ponds/kolam-1"
FORM = PAGE + "/outputs/relay-1/aerator-1"


@pytest.fixture
def relay_client(site: DemoSite, mosquitto: Mosquitto) -> Iterator[TestClient]:
    site.registry.check_device(RELAY, auto_provision=True)
    Outputs(site.registry.engine).record_switches(RELAY, {"aerator-1": OutputState(
        False, now_ms() - 600_000, None, "gateway:auto", "do_ok")}, now_ms())
    config = site.config.model_copy(update={"mqtt_url": mosquitto.url()})
    app = create_app(config, site.store, site.registry)
    with TestClient(app, follow_redirects=False) as c:
        yield c
    publisher = getattr(app.state, "command_publisher", None)
    if publisher is not None:
        publisher.close()




def test_officer_sees_the_aerator_and_switches_it_with_a_confirmation(
        relay_client: TestClient, mosquitto: Mosquitto) -> None:
    client = log_in(relay_client, "officer")
    html = client.get(PAGE).text
    assert 'id="outputs"' in html and 'data-output="relay-1/aerator-1"' in html
    assert "mati" in html and "Nyalakan" in html and "gateway:auto" in html
    csrf = form_csrf(html)
    watcher = Recorder(mosquitto.mqtt, [cmd_topic(RELAY)], "watcher")
    try:
        r = client.post(FORM, data={"csrf": csrf, "on": "1"})  # no confirmation box
        assert r.status_code == 303 and "switched=0" in r.headers["location"]
        r = client.post(FORM, data={"csrf": "bad", "on": "1", "confirm": "1"})
        assert r.status_code == 403
        assert watcher.snapshot() == []
        r = client.post(FORM, data={"csrf": csrf, "on": "1", "confirm": "1"})
        assert r.status_code == 303 and "switched=1" in r.headers["location"]
        wait_for(lambda: watcher.last(cmd_topic(RELAY)) is not None, 5, what="the command")
        cmd = watcher.last(cmd_topic(RELAY))
        assert cmd is not None
        assert (cmd["cmd"], cmd["output"], cmd["on"], cmd["by"]) == (
            "set_output", "aerator-1", True, "user:officer")
    finally:
        watcher.close()
    assert 'data-command="pending"' in client.get(PAGE).text


@pytest.mark.parametrize("who", ["dinas", "kiosk"])
def test_others_see_the_state_but_no_button(relay_client: TestClient, who: str) -> None:
    client = log_in(relay_client, who)
    html = client.get(PAGE).text
    assert 'data-output="relay-1/aerator-1"' in html and "Nyalakan" not in html
    csrf = form_csrf(client.get(f"/kiosk/{SITE}").text)  # a valid token of this login
    r = client.post(FORM, data={"csrf": csrf, "on": "1", "confirm": "1"})
    assert r.status_code == 403


def test_the_kiosk_shows_the_aerator_as_the_gateways_kiosk_does(
        relay_client: TestClient) -> None:
    """One page, two places (#18 item 4): the central kiosk's tile shows the pond's outputs
    as the relay last confirmed them, as the gateway's kiosk at the pond does."""
    html = log_in(relay_client, "kiosk").get(f"/kiosk/{SITE}").text
    tile = html[html.index('id="tile-kolam-1"'):]
    tile = tile[:tile.index("</article>")]
    assert 'data-output="relay-1/aerator-1" data-on="False"' in tile
    assert "aerator-1: mati" in tile
