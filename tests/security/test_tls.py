"""The broker's TLS listener, with a certificate authority made by the test: a Kolam
service configured with ``mqtt_ca_file`` connects and publishes over TLS; a client
that does not trust that CA never gets to send its password."""

from __future__ import annotations

import queue
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kolam.config import load_config
from kolam.errors import MqttError
from kolam.mqtt import MqttClient
from tests.security.conftest import Kolam
from tests.utils.secure_broker import Listener, SecuredMosquitto, connack
from tests.utils.tls import CertAuthority, make_ca

TOPIC = "kolam/v1/serang/kolam-1/node-a/telemetry"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertAuthority:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def tls_broker(kolam: Kolam, tmp_path: Path, ca: CertAuthority,
               provisioned: tuple[Path, dict[str, tuple[str, str]]],
               ) -> Iterator[tuple[SecuredMosquitto, dict[str, tuple[str, str]]]]:
    template, logins = provisioned
    shutil.copytree(template, kolam.data_dir)
    kolam("broker-config", "--out", str(tmp_path / "auth"))
    broker = SecuredMosquitto(tmp_path / "mosquitto", tmp_path / "auth", tls=ca).start()
    try:
        yield broker, logins
    finally:
        broker.stop()


def test_a_service_publishes_over_tls(tls_broker: tuple[SecuredMosquitto, dict[str, tuple[str, str]]],
                                      ca: CertAuthority, tmp_path: Path) -> None:
    broker, logins = tls_broker
    config = load_config(None, data_dir=tmp_path / "svc",
                         mqtt_url=broker.tls_url(*logins["a"]), mqtt_ca_file=ca.ca_cert)
    assert config.mqtt.tls and config.mqtt.ca_file == str(ca.ca_cert)
    with Listener(broker.url(*logins["observer"]), "test-observer", [TOPIC]) as observer:
        node = MqttClient(config.mqtt, "test-node-a")
        node.connect(timeout_s=5)
        try:
            for _ in range(50):  # until the observer's subscription is in force
                node.publish(TOPIC, b'{"over":"tls"}', wait_s=5)
                try:
                    msg = observer.next(0.2)
                    break
                except queue.Empty:
                    continue
            else:
                raise AssertionError("nothing arrived over TLS")
        finally:
            node.close()
    assert (msg.topic, msg.payload) == (TOPIC, b'{"over":"tls"}')


def test_a_client_trusting_another_ca_is_refused(
        tls_broker: tuple[SecuredMosquitto, dict[str, tuple[str, str]]], tmp_path: Path) -> None:
    broker, logins = tls_broker
    other = make_ca(tmp_path / "other-ca", "Somebody else's CA")
    url = broker.tls_url(*logins["a"])
    assert connack(url, ca_file=str(other.ca_cert), timeout_s=2) == -1
    config = load_config(None, data_dir=tmp_path / "svc", mqtt_url=url,
                         mqtt_ca_file=other.ca_cert)
    with pytest.raises(MqttError):
        MqttClient(config.mqtt, "test-wrong-ca").connect(timeout_s=1.5)


def test_the_tls_listener_still_wants_a_login(
        tls_broker: tuple[SecuredMosquitto, dict[str, tuple[str, str]]], ca: CertAuthority) -> None:
    broker, logins = tls_broker
    assert connack(broker.tls_url(*logins["a"]), ca_file=str(ca.ca_cert)) == 0
    assert connack(broker.tls_url("serang.node-a", "guess"), ca_file=str(ca.ca_cert)) in (134, 135)
