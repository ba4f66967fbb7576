"""The Mosquitto files ``kolam broker-config`` writes (the real broker runs them in
tests/security/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolam.broker.acl import Account
from kolam.broker.core import MAX_MESSAGE_BYTES
from kolam.broker.mosquitto import Listener, Listeners, Tls, write_broker_files
from kolam.broker.passwd import hash_password, parse_passwd
from kolam.registry.devices import BrokerEntry


def entry(username: str) -> BrokerEntry:
    return BrokerEntry(Account(username, ()), hash_password("pw", iterations=1))


def test_devices_and_services_get_their_own_listener(tmp_path: Path) -> None:
    out = tmp_path / "broker"
    files = write_broker_files([entry("serang.node-a"), entry("ingest")], out,
                               Listeners(Listener.parse("8883"),
                                         Listener.parse("127.0.0.1:1884"),
                                         Tls(Path("/ca"), Path("/crt"), Path("/key"))))
    assert sorted(parse_passwd((out / "passwd").read_text())) == ["ingest", "serang.node-a"]
    assert list(parse_passwd((out / "passwd-devices").read_text())) == ["serang.node-a"]
    assert list(parse_passwd((out / "passwd-services").read_text())) == ["ingest"]
    conf = files.conf.read_text().splitlines()
    devices, services = conf.index("listener 8883"), conf.index("listener 1884 127.0.0.1")
    assert "per_listener_settings true" in conf[:devices]
    assert f"message_size_limit {MAX_MESSAGE_BYTES}" in conf[:devices]
    assert any(line.startswith("max_packet_size ") for line in conf[:devices])
    device_part, service_part = conf[devices:services], conf[services:]
    assert "use_username_as_clientid true" in device_part
    assert "use_username_as_clientid true" not in service_part
    assert f"password_file {out.resolve() / 'passwd-devices'}" in device_part
    assert f"password_file {out.resolve() / 'passwd-services'}" in service_part
    for part in (device_part, service_part):
        assert "allow_anonymous false" in part and "certfile /crt" in part
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {"0o640"}
    assert oct(out.stat().st_mode & 0o777) == "0o750"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temp left


@pytest.mark.parametrize("text", ["", "x", "0", "70000", "host:", "1883:host"])
def test_a_bad_listener_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="listener"):
        Listener.parse(text)


def test_listener_forms() -> None:
    assert Listener.parse("1883") == Listener(1883)
    assert Listener.parse("0.0.0.0:8883").line() == "listener 8883 0.0.0.0"
    assert Listener.parse("[::1]:1884").line() == "listener 1884 ::1"
