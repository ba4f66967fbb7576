"""Back to automatic and ``set_interval`` from the centre (issue #18 item 3): API → central
broker → gateway → loop or node → the gateway's answer or the node's status → ingest → the
API shows it confirmed. Two real Mosquitto brokers, a real gateway and ingest worker,
simulated nodes; each node is offline when a command is sent to it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from firmware_sim.node import MqttLink, SimNode
from firmware_sim.relay import RelayNode
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, Sample
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import now_ms
from tests.gateway.test_centre_commands import OUTPUTS, RELAY, SWITCH, aerator, config_for, relay_on
from tests.utils.auth import add_user, login
from tests.utils.gateway import SITE, Node, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

SENSOR = DeviceRef(SITE, "kolam-1", "node-1")
INTERVAL = f"/api/v1/sites/{SITE}/ponds/kolam-1/devices/node-1/interval"
LOOP = {"pond": "kolam-1", "output": "relay-1/aerator-1", "min_on_s": 0, "min_off_s": 0,
        "stale_after_s": 86_400, "forecast": False}


@contextmanager
def api(config: KolamConfig, store: SqliteStore, registry: Registry) -> Iterator[TestClient]:
    app = create_app(config, store, registry)
    client = TestClient(app)
    try:
        yield client
    finally:
        client.close()
        publisher = getattr(app.state, "command_publisher", None)
        if publisher is not None:
            publisher.close()


def test_back_to_automatic_from_the_centre_with_the_relay_offline(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    """DO 6 mg/L: the loop wants the aerator off. An officer puts it on by hand for ten
    minutes, then ends that early while the relay is offline: the gateway answers at once
    (mode auto), and the loop switches it off when the relay is back."""
    config = config_for(make_config, central, local, [LOOP])
    board = RelayNode(RELAY, ["aerator-1"], now_ms() - 3_600_000, on=False)
    probe = Node(local.mqtt, "probe")
    with running_ingest(config) as (_worker, store, registry), \
            running_gateway(config) as gw, api(config, store, registry) as client:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        loop = gw.controller.loops[0]
        with relay_on(local, board):
            probe.send(SENSOR, [Sample(now_ms(), {"do_mgl": 6.0})])
            wait_for(lambda: loop.do_mgl == 6.0, 10, what="the loop's DO")
            wait_for(lambda: any(d.slug == "relay-1" for d in registry.devices(SITE)), 10,
                     what="the relay registered")
            add_user(registry, "pak-budi", Role.OFFICER, [SITE])
            add_user(registry, "dinas-1", Role.DINAS, [SITE])
            officer, dinas = login(client, "pak-budi"), login(client, "dinas-1")
            wait_for(lambda: aerator(client, officer).get("on") is False, 10,
                     what="the relay's first state at the centre")
            assert aerator(client, officer)["mode"] is None  # the centre knows no loop yet

            board.now_ms = now_ms()
            r = client.post(SWITCH, json={"on": True, "manual_s": 600}, headers=officer)
            assert r.status_code == 202, r.text
            wait_for(lambda: aerator(client, officer).get("mode") == "manual", 15,
                     what="the gateway's answer: manual")
            wait_for(lambda: aerator(client, officer).get("on") is True, 15,
                     what="the manual switch confirmed")
            manual = aerator(client, officer)
            assert now_ms() + 500_000 < manual["manual_until"] <= now_ms() + 600_000
            assert manual["by"] == "user:pak-budi"
            time.sleep(1.5)  # the loop would switch off at once if it were automatic
            assert board.is_on("aerator-1") and loop.mode(now_ms()) == "manual"

            r = client.post(SWITCH + "/auto", headers=dinas)
            assert r.status_code == 403, r.text
        wait_for(lambda: gw.downlink._online.get(RELAY) is False, 10,
                 what="the gateway to see the relay offline")
        r = client.post(SWITCH + "/auto", json={}, headers=officer)
        assert r.status_code == 202, r.text
        sent = r.json()["command"]
        assert (sent["kind"], sent["status"], sent["by"]) == ("auto", "pending", "user:pak-budi")
        wait_for(lambda: aerator(client, officer)["command"]["status"] == "confirmed", 15,
                 what="the gateway's answer to back-to-automatic")
        now = aerator(client, officer)
        assert now["mode"] == "auto" and now["manual_until"] is None
        assert now["on"] is True and board.is_on("aerator-1")  # the relay has not heard yet
        assert loop.mode(now_ms()) == "auto"
        board.now_ms = now_ms()
        with relay_on(local, board):
            wait_for(lambda: aerator(client, officer).get("on") is False, 20,
                     what="the loop's switch-off once the relay is back")
        now = aerator(client, officer)
        assert (now["by"], now["reason"]) == ("gateway:auto", "do_ok")
        history = client.get(OUTPUTS + "/history?kind=ack", headers=officer).json()
        assert (history[0]["mode"], history[0]["id"]) == ("auto", sent["id"])
        add_user(registry, "admin-x")
        audit = client.get("/api/v1/audit", headers=login(client, "admin-x")).json()
        assert {"command", "ack", "switch"} <= {a["action"] for a in audit}
    probe.close()


def interval(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(INTERVAL, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_set_interval_from_the_api_waits_for_a_node_offline(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [])
    sensor = SimNode(SENSOR, 60.0)

    def connect() -> MqttLink:
        link = MqttLink(local.mqtt, SENSOR, sensor.handle_command, persistent=True)
        link.on_connect(sensor.on_connect)
        sensor.attach(link)
        link.connect(wait=True)
        return link

    with running_ingest(config) as (_worker, store, registry), \
            running_gateway(config) as gw, api(config, store, registry) as client:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        link = connect()
        try:
            sensor.record(Sample(now_ms(), {"do_mgl": 5.0}))
            sensor.flush()
            wait_for(lambda: any(d.slug == "node-1" and d.online
                                 for d in registry.devices(SITE)), 15,
                     what="the node registered and online")
            add_user(registry, "pak-budi", Role.OFFICER, [SITE])
            add_user(registry, "kiosk-1", Role.KIOSK, [SITE])
            officer, kiosk = login(client, "pak-budi"), login(client, "kiosk-1")
            assert interval(client, kiosk)["interval_s"] == 60 and \
                interval(client, kiosk)["command"] is None
            for bad in (5, 601, "60"):
                r = client.post(INTERVAL, json={"interval_s": bad}, headers=officer)
                assert r.status_code == 422, (bad, r.text)
            r = client.post(INTERVAL, json={"interval_s": 30}, headers=kiosk)
            assert r.status_code == 403, r.text
            r = client.post(INTERVAL, json={"interval_s": 30}, headers=officer)
            assert r.status_code == 202, r.text
            assert r.json()["command"]["status"] == "pending"
            wait_for(lambda: sensor.interval_s == 30, 10, what="the node to obey")
            wait_for(lambda: interval(client, officer)["command"]["status"] == "confirmed",
                     15, what="the node's status at the centre")
        finally:
            link.close()
        wait_for(lambda: gw.downlink._online.get(SENSOR) is False, 10,
                 what="the gateway to see the node offline")
        r = client.post(INTERVAL, json={"interval_s": 120, "expires_s": 600}, headers=officer)
        assert r.status_code == 202, r.text
        sent = r.json()["command"]
        time.sleep(1.0)
        assert sensor.interval_s == 30
        assert interval(client, officer)["command"]["status"] == "pending"
        link = connect()
        try:
            wait_for(lambda: sensor.interval_s == 120, 10, what="the held command obeyed")
            wait_for(lambda: interval(client, officer)["command"]["status"] == "confirmed",
                     15, what="confirmed once the node is back")
            assert interval(client, officer)["command"]["id"] == sent["id"]
        finally:
            link.close()
        add_user(registry, "admin-x")
        audit = client.get("/api/v1/audit", headers=login(client, "admin-x")).json()
        assert [a["username"] for a in audit if a["action"] == "set_interval"] == [
            "user:pak-budi"] * 2
