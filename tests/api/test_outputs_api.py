"""The outputs API's own rules (issue #18): where a command stands, a broker that does not
answer, and bad switch requests. End to end through a gateway:
tests/gateway/test_centre_commands.py."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.outputs import command_status
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, OutputState
from kolam.registry.outputs import COMMAND, SWITCH, OutputEvent, Outputs
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.store import open_store
from kolam.timeutil import now_ms
from tests.utils.auth import add_user, login
from tests.utils.net import free_port

RELAY = DeviceRef("serang", "kolam-1", "relay-1")
SWITCH_URL = "/api/v1/sites/serang/ponds/kolam-1/outputs/relay-1/aerator-1"


def _event(kind: str, at: int, on: bool, expires_t: int | None = None) -> OutputEvent:
    return OutputEvent(kind, at, "serang", "kolam-1", "relay-1", "aerator-1", on, "user:x",
                       expires_t=expires_t)


def test_command_status() -> None:
    sent = _event(COMMAND, 1000, True, expires_t=5000)
    assert command_status(sent, _event(SWITCH, 900, False), 2000) == "pending"
    assert command_status(sent, None, 2000) == "pending"
    assert command_status(sent, _event(SWITCH, 900, False), 5000) == "expired"
    assert command_status(sent, _event(SWITCH, 1500, True), 9000) == "confirmed"
    assert command_status(sent, _event(SWITCH, 900, True), 2000) == "confirmed"  # already on
    assert command_status(sent, _event(SWITCH, 1500, False), 2000) == "superseded"


def test_broker_down_is_a_503_and_nothing_is_recorded(
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=f"mqtt://127.0.0.1:{free_port()}")
    registry, store = Registry(config.registry_url), open_store(config)
    try:
        registry.check_device(RELAY, auto_provision=True)
        outputs = Outputs(registry.engine)
        outputs.record_switches(RELAY, {"aerator-1": OutputState(False, now_ms())}, now_ms())
        add_user(registry, "pak-budi", Role.OFFICER, ["serang"])
        with TestClient(create_app(config, store, registry)) as client:
            officer = login(client, "pak-budi")
            r = client.post(SWITCH_URL, json={"on": True}, headers=officer)
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "5"
            for bad in ({"on": "yes"}, {"on": True, "reason": "DROP TABLE"},
                        {"on": True, "expires_s": 0}, {"on": True, "extra": 1}):
                assert client.post(SWITCH_URL, json=bad, headers=officer).status_code == 422
            r = client.post(SWITCH_URL.replace("relay-1", "relay-9"), json={"on": True},
                            headers=officer)
            assert r.status_code == 404
        assert outputs.events("serang", "kolam-1", kinds=(COMMAND,)) == []
    finally:
        registry.close()
        store.close()
