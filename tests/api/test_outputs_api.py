"""The outputs API's own rules (issue #18): where a command stands, a broker that does not
answer, and bad switch requests. End to end through a gateway:
tests/gateway/test_centre_commands.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.outputs import command_status
from kolam.config import KolamConfig
from kolam.protocol import DeviceRef, OutputState
from kolam.registry.outputs import ACK, AUTO, COMMAND, SWITCH, OutputEvent, Outputs
from kolam.registry.repo import Registry
from kolam.security.auth import Role
from kolam.store import open_store
from kolam.timeutil import now_ms
from tests.utils.auth import add_user, login
from tests.utils.net import free_port

RELAY = DeviceRef("serang", "kolam-1", "relay-1")
OUTPUTS_URL = "/api/v1/sites/serang/ponds/kolam-1/outputs"
SWITCH_URL = OUTPUTS_URL + "/relay-1/aerator-1"


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


def test_back_to_automatic_is_confirmed_by_the_gateways_answer_only() -> None:
    auto = OutputEvent(COMMAND, 1000, "serang", "kolam-1", "relay-1", "aerator-1", True,
                       "user:x", id="c1", expires_t=5000, mode=AUTO)
    same_state = _event(SWITCH, 900, True)  # a set_output's rule would call this confirmed
    assert command_status(auto, same_state, 2000) == "pending"
    assert command_status(auto, same_state, 2000, frozenset({"other"})) == "pending"
    assert command_status(auto, same_state, 2000, frozenset({"c1"})) == "confirmed"
    assert command_status(auto, same_state, 5000) == "expired"


def test_the_gateways_answer_gives_the_mode_once_per_command(
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=f"mqtt://127.0.0.1:{free_port()}")
    registry, store = Registry(config.registry_url), open_store(config)
    try:
        registry.check_device(RELAY, auto_provision=True)
        outputs = Outputs(registry.engine)
        since, now = now_ms() - 60_000, now_ms()
        on = OutputState(True, since, 1.1, "user:budi", "manual")
        assert outputs.record_switches(RELAY, {"aerator-1": on}, now) == 1
        manual = replace(on, mode="manual", until_t=now + 600_000, ack="c1")
        assert outputs.record_switches(RELAY, {"aerator-1": manual}, now) == 0  # no switch
        outputs.record_switches(RELAY, {"aerator-1": manual}, now + 1)  # redelivered
        assert [e.id for e in outputs.events("serang", "kolam-1", kinds=(ACK,))] == ["c1"]
        add_user(registry, "dinas-1", Role.DINAS, ["serang"])
        with TestClient(create_app(config, store, registry)) as client:
            dinas = login(client, "dinas-1")
            [out] = client.get(OUTPUTS_URL, headers=dinas).json()
            assert (out["on"], out["mode"], out["manual_until"]) == (True, "manual", now + 600_000)
            expired = replace(manual, until_t=now - 1, ack="c2")  # the override ran out
            outputs.record_switches(RELAY, {"aerator-1": expired}, now + 2)
            [out] = client.get(OUTPUTS_URL, headers=dinas).json()
            assert (out["mode"], out["manual_until"]) == ("auto", None)
            kinds = [h["kind"] for h in client.get(OUTPUTS_URL + "/history",
                                                   headers=dinas).json()]
            assert kinds == ["ack", "ack", "switch"]
            # set_auto for an output nobody reported, and the interval of a node unknown.
            add_user(registry, "pak-budi", Role.OFFICER, ["serang"])
            officer = login(client, "pak-budi")
            r = client.post(SWITCH_URL.replace("aerator-1", "pump-9") + "/auto",
                            headers=officer)
            assert r.status_code == 404, r.text
            r = client.post(SWITCH_URL + "/auto", json={"expires_s": 1}, headers=officer)
            assert r.status_code == 422, r.text
            r = client.post(SWITCH_URL + "/auto", headers=officer)
            assert r.status_code == 503, r.text  # no broker: nothing recorded
            url = "/api/v1/sites/serang/ponds/kolam-1/devices/node-9/interval"
            assert client.post(url, json={"interval_s": 60}, headers=officer).status_code == 404
            assert client.get(url, headers=dinas).status_code == 404
        assert outputs.events("serang", "kolam-1", kinds=(COMMAND,)) == []
    finally:
        registry.close()
        store.close()
