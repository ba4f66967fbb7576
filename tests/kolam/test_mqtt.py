"""Kolam's MQTT client against a real Mosquitto: publish handles, SUBACKs, batched acks."""

from __future__ import annotations

import logging
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kolam.config import MqttUrl
from kolam.errors import MqttError
from kolam.mqtt import Message, MqttClient
from kolam.mqtt.acks import AckTable
from kolam.mqtt.seam import BufferedSocket
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import free_port, port_open, wait_for

# ------------------------------------------------------------ the acknowledgement table


def test_an_answer_before_the_watch_is_handed_over() -> None:
    table = AckTable()
    since = table.ticket()
    table.arrived(7, "puback")  # paho's thread got the PUBACK before publish() returned
    ack = table.watch(7, since)
    assert ack.done and ack.result == "puback"


def test_an_answer_older_than_the_packet_is_not_its_own() -> None:
    table = AckTable()
    table.arrived(7, "for an earlier packet 7")
    ack = table.watch(7, table.ticket())
    assert not ack.done
    table.arrived(7, "puback")
    assert ack.wait(0) and ack.result == "puback"


# ------------------------------------------------------------ publish handles


def test_a_publish_handle_turns_acked_on_its_puback(mosquitto: Mosquitto) -> None:
    client = MqttClient(mosquitto.mqtt, "test-pub")
    client.connect()
    try:
        handles = [client.publish(f"t/{i}", b"x", qos=1) for i in range(200)]
        assert all(h.wait(5) for h in handles)
        assert all(h.acked and not h.queued_offline for h in handles)
        assert len({h.mid for h in handles}) == 200
        assert client.publish("t/w", b"x", wait_s=5).acked
        assert client.publish("t/q0", b"x", qos=0).acked
    finally:
        client.close()


def test_a_publish_while_the_broker_is_away_is_resent_and_acked(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "broker")
    client = MqttClient(broker.mqtt, "test-offline", reconnect_max_s=1)
    client.connect(wait=False)
    try:
        handle = client.publish("t/kept", b"while away", qos=1, retain=True)
        assert handle.queued_offline and not handle.acked
        with pytest.raises(MqttError, match="not connected"):
            client.publish("t/kept", b"must wait", wait_s=1)
        broker.start()
        assert handle.wait(15)
        got: queue.Queue[Message] = queue.Queue()
        reader = MqttClient(broker.mqtt, "test-reader")
        reader.subscribe(["t/kept"], got.put)
        reader.connect()
        try:
            assert got.get(timeout=5).payload == b"while away"
        finally:
            reader.close()
    finally:
        client.close()
        broker.stop()


# ------------------------------------------------------------ SUBACK


def test_subscribe_when_connected_waits_for_the_suback(mosquitto: Mosquitto) -> None:
    got: queue.Queue[Message] = queue.Queue()
    sub, pub = MqttClient(mosquitto.mqtt, "test-sub"), MqttClient(mosquitto.mqtt, "test-pub")
    sub.connect()
    pub.connect()
    try:
        for i in range(20):
            sub.subscribe([f"late/{i}"], got.put)
            pub.publish(f"late/{i}", b"%d" % i, wait_s=5)
        assert [got.get(timeout=5).topic for _ in range(20)] == [f"late/{i}" for i in range(20)]
    finally:
        sub.close()
        pub.close()


@pytest.fixture
def acl_broker(tmp_path: Path) -> Iterator[MqttUrl]:
    """``kolam broker`` (amqtt) with an ACL: it refuses subscriptions outside the grants
    in the SUBACK (Mosquitto 2.0 grants them and filters at delivery instead)."""
    (tmp_path / "users").write_text("tester:secret\n")
    (tmp_path / "acl").write_text("user tester\ntopic readwrite allowed/#\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    with (tmp_path / "broker.log").open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kolam", "broker", "--port", str(port),
                                 "--users", str(tmp_path / "users"),
                                 "--acl", str(tmp_path / "acl")],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: port_open(port) or proc.poll() is not None, 20, what="kolam broker")
        assert proc.poll() is None, (tmp_path / "broker.log").read_text()
        yield MqttUrl.parse(f"mqtt://tester:secret@127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_refused_subscription_raises(acl_broker: MqttUrl) -> None:
    client = MqttClient(acl_broker, "test-refused")
    client.connect()
    try:
        client.subscribe(["allowed/a"], lambda m: None)
        with pytest.raises(MqttError, match="refused the subscription to denied/b"):
            client.subscribe(["allowed/c", "denied/b"], lambda m: None)
    finally:
        client.close()


def test_refusals_on_connect_are_logged_and_the_rest_stays(
        acl_broker: MqttUrl, caplog: pytest.LogCaptureFixture) -> None:
    got: queue.Queue[Message] = queue.Queue()
    client = MqttClient(acl_broker, "test-mixed")
    client.subscribe(["denied/b", "allowed/a"], got.put)
    with caplog.at_level(logging.WARNING, logger="kolam.mqtt.client"):
        client.connect()
    pub = MqttClient(acl_broker, "test-pub")
    pub.connect()
    try:
        wait_for(lambda: "refused the subscription of test-mixed to denied/b" in caplog.text, 5,
                 what="the refusal in the log")
        pub.publish("allowed/a", b"ok", wait_s=5)
        assert got.get(timeout=5).topic == "allowed/a"
    finally:
        pub.close()
        client.close()


class _SilentBroker:
    """Accepts one MQTT connection, answers CONNECT and nothing else."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            while True:
                conn, _ = self.server.accept()
                self.conns.append(conn)
                conn.recv(1024)  # CONNECT
                conn.sendall(b"\x20\x02\x00\x00")  # CONNACK, accepted
        except OSError:
            return

    def close(self) -> None:
        self.server.close()
        for conn in self.conns:
            conn.close()


def test_a_broker_that_never_sends_suback_is_an_error() -> None:
    silent = _SilentBroker()
    url = MqttUrl.parse(f"mqtt://127.0.0.1:{silent.port}")
    try:
        early = MqttClient(url, "test-early")
        early.subscribe(["a/b"], lambda m: None)
        with pytest.raises(MqttError, match="no SUBACK"):
            early.connect(timeout_s=1)
        late = MqttClient(url, "test-late")
        late.connect(timeout_s=5)
        try:
            with pytest.raises(MqttError, match="no SUBACK"):
                late.subscribe(["a/b"], lambda m: None, timeout_s=0.5)
        finally:
            late.close()
    finally:
        silent.close()


# ------------------------------------------------------------ the seam, live


def test_buffered_reads_and_batched_acks(mosquitto: Mosquitto) -> None:
    """A burst arrives through the buffered socket; acking half of it in one write means
    the broker redelivers only the other half to the same session."""
    got: queue.Queue[Message] = queue.Queue()

    def consumer() -> MqttClient:
        client = MqttClient(mosquitto.mqtt, "test-consumer", clean_session=False,
                            manual_ack=True, max_inflight=1000)
        client.subscribe(["burst/#"], got.put)
        client.connect()
        return client

    client = consumer()
    assert isinstance(client._client.socket(), BufferedSocket)
    pub = MqttClient(mosquitto.mqtt, "test-pub", max_inflight=1000)
    pub.connect()
    handles = [pub.publish(f"burst/{i}", b"%d" % i) for i in range(400)]
    assert all(h.wait(10) for h in handles)
    pub.close()
    first = [got.get(timeout=10) for _ in range(400)]
    assert sorted(int(m.payload) for m in first) == list(range(400))
    client.ack_many([m for m in first if int(m.payload) < 200])
    wait_for(lambda: not client._client.want_write(), 5, what="the acks to be written")
    client.abort()

    again = consumer()
    try:
        redelivered = [got.get(timeout=10) for _ in range(200)]
        assert sorted(int(m.payload) for m in redelivered) == list(range(200, 400))
        with pytest.raises(queue.Empty):
            got.get(timeout=0.5)
        again.ack_many(redelivered)
    finally:
        again.close()
