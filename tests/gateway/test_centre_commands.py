"""Switching an aerator from the centre (issue #18): API → central broker → gateway →
relay node → its retained state → the gateway's switch log → central broker → ingest →
the API shows it confirmed. Two real Mosquitto brokers, a real gateway and ingest worker,
a simulated relay node."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from firmware_sim.node import MqttLink
from firmware_sim.relay import RelayNode
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef
from kolam.security.auth import Role
from kolam.timeutil import now_ms
from tests.utils.auth import add_user, login
from tests.utils.gateway import SITE, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest

RELAY = DeviceRef(SITE, "kolam-1", "relay-1")
OUTPUTS = f"/api/v1/sites/{SITE}/ponds/kolam-1/outputs"
SWITCH = OUTPUTS + "/relay-1/aerator-1"


def config_for(make_config: Callable[..., KolamConfig], central: Mosquitto, local: Mosquitto,
               control: list[dict[str, Any]], **extra: Any) -> KolamConfig:
    return make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                       gateway_id="gw-1", ingest={"flush_interval_ms": 50},
                       gateway={"flush_interval_ms": 10, "control": control}, **extra)


@contextmanager
def relay_on(local: Mosquitto, board: RelayNode) -> Iterator[MqttLink]:
    link = MqttLink(local.mqtt, RELAY, board.handle_command, persistent=True)
    link.on_connect(board.on_connect)
    board.attach(link)
    link.connect(wait=True)
    try:
        yield link
    finally:
        link.close()


def aerator(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(OUTPUTS, headers=headers)
    assert r.status_code == 200, r.text
    found = {(o["device"], o["output"]): o for o in r.json()}
    return found.get(("relay-1", "aerator-1"), {})


def test_officer_switches_the_aerator_and_sees_it_confirmed_even_for_a_node_offline(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = config_for(make_config, central, local, [])
    board = RelayNode(RELAY, ["aerator-1"], now_ms() - 3_600_000, on=False)
    with running_ingest(config) as (_worker, store, registry), \
            running_gateway(config) as gw:
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        app = create_app(config, store, registry)
        client = TestClient(app)
        try:
            with relay_on(local, board):
                wait_for(lambda: any(d.slug == "relay-1" for d in registry.devices(SITE)), 10,
                         what="the relay registered by its first state")
                add_user(registry, "pak-budi", Role.OFFICER, [SITE])
                add_user(registry, "kiosk-1", Role.KIOSK, [SITE])
                officer, kiosk = login(client, "pak-budi"), login(client, "kiosk-1")
                wait_for(lambda: aerator(client, officer).get("on") is False, 10,
                         what="the relay's first state at the centre")

                # The kiosk may not switch here (the site is not in kiosk_switch_sites).
                r = client.post(SWITCH, json={"on": True}, headers=kiosk)
                assert r.status_code == 403, r.text
                r = client.post(OUTPUTS + "/relay-1/pump-9", json={"on": True}, headers=officer)
                assert r.status_code == 404, r.text

                board.now_ms = now_ms()
                r = client.post(SWITCH, json={"on": True, "reason": "manual"}, headers=officer)
                assert r.status_code == 202, r.text
                sent = r.json()["command"]
                assert sent["status"] == "pending" and sent["by"] == "user:pak-budi"
                assert sent["expires_t"] > now_ms()
                wait_for(lambda: aerator(client, officer).get("on") is True, 15,
                         what="the switch confirmed at the centre")
                now = aerator(client, officer)
                assert now["by"] == "user:pak-budi" and now["reason"] == "manual"
                assert now["amps"] > 0
                assert now["command"]["status"] == "confirmed"
                assert now["command"]["id"] == sent["id"]
                assert board.is_on("aerator-1")

            # The node is gone (its Last Will says offline): the command waits.
            wait_for(lambda: gw.downlink._online.get(RELAY) is False, 10,
                     what="the gateway to see the relay offline")
            r = client.post(SWITCH, json={"on": False}, headers=officer)
            assert r.status_code == 202, r.text
            time.sleep(1.0)
            assert aerator(client, officer)["command"]["status"] == "pending"
            assert board.is_on("aerator-1")
            board.now_ms = now_ms()
            with relay_on(local, board):
                wait_for(lambda: aerator(client, officer).get("on") is False, 15,
                         what="the held command obeyed once the node is back")
                assert aerator(client, officer)["command"]["status"] == "confirmed"
            history = client.get(OUTPUTS + "/history", headers=kiosk).json()
            assert [(h["kind"], h["on"], h["by"]) for h in history] == [
                ("switch", False, "user:pak-budi"), ("command", False, "user:pak-budi"),
                ("switch", True, "user:pak-budi"), ("command", True, "user:pak-budi"),
                ("switch", False, "local:boot")]
            add_user(registry, "admin-x")
            audit = client.get("/api/v1/audit", headers=login(client, "admin-x")).json()
            assert sum(1 for a in audit if a["action"] == "command") == 2
        finally:
            client.close()
            publisher = getattr(app.state, "command_publisher", None)
            if publisher is not None:
                publisher.close()


def test_kiosk_of_a_site_that_allows_it_switches_a_loop_to_manual(
        central: Mosquitto, local: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    """With a loop on the output the centre's command is a manual override: the relay
    says who switched it, the loop leaves it so."""
    loop = {"pond": "kolam-1", "output": "relay-1/aerator-1", "min_on_s": 0, "min_off_s": 0,
            "stale_after_s": 86_400, "forecast": False}
    config = config_for(make_config, central, local, [loop], kiosk_switch_sites=[SITE])
    board = RelayNode(RELAY, ["aerator-1"], now_ms() - 3_600_000, on=True)
    with running_ingest(config) as (_worker, store, registry), \
            running_gateway(config) as gw, relay_on(local, board):
        wait_for(lambda: gw.uplink.connected, 10, what="the uplink")
        app = create_app(config, store, registry)
        client = TestClient(app)
        try:
            wait_for(lambda: any(d.slug == "relay-1" for d in registry.devices(SITE)), 10,
                     what="the relay registered")
            add_user(registry, "kiosk-1", Role.KIOSK, [SITE])
            kiosk = login(client, "kiosk-1")
            wait_for(lambda: aerator(client, kiosk).get("on") is True, 10,
                     what="the relay's first state at the centre")
            board.now_ms = now_ms()
            r = client.post(SWITCH, json={"on": False, "manual_s": 600}, headers=kiosk)
            assert r.status_code == 202, r.text
            assert r.json()["command"]["until_t"] > now_ms() + 500_000
            wait_for(lambda: aerator(client, kiosk).get("on") is False, 15,
                     what="the manual switch confirmed")
            assert aerator(client, kiosk)["by"] == "user:kiosk-1"
            assert not board.is_on("aerator-1")
        finally:
            client.close()
            publisher = getattr(app.state, "command_publisher", None)
            if publisher is not None:
                publisher.close()
