"""Mosquitto enforces what ``kolam broker-config`` wrote: each device writes only its
own telemetry and status and reads only its own commands; nobody gets in without a
login; a disabled or rotated login stops working when the broker reloads.

Mosquitto drops a publish the ACL denies without telling the publisher (MQTT 3.1.1
has no way to), so each test publishes the forbidden message first and a permitted
marker after it on the same connection: the broker handles one client's packets in
order, so once the marker arrives, the forbidden message can no longer arrive.
"""

from __future__ import annotations

import queue
import time

import pytest

from kolam.config import MqttUrl
from kolam.errors import MqttError
from kolam.mqtt import MqttClient, Will
from tests.security.conftest import Site
from tests.utils.net import wait_for
from tests.utils.secure_broker import Listener, connack

A_TELEMETRY = "kolam/v1/serang/kolam-1/node-a/telemetry"
B_TELEMETRY = "kolam/v1/serang/kolam-2/node-b/telemetry"
A_CMD = "kolam/v1/serang/kolam-1/node-a/cmd"
B_CMD = "kolam/v1/serang/kolam-2/node-b/cmd"
PAYLOAD = b'{"v":1,"seq":1,"boot":1,"samples":[]}'
ACCEPTED = 0
REFUSED = (134, 135)
"""Paho's MQTT 5 names of 3.1.1 CONNACK codes 4 and 5: bad username or password, not
authorised."""


def client(site: Site, who: str, client_id: str | None = None) -> MqttClient:
    c = MqttClient(MqttUrl.parse(site.url(who)), client_id or site.client_id(who))
    c.connect(timeout_s=5)
    return c


def sync(publisher: MqttClient, listener: Listener, topic: str) -> None:
    """Publish on ``topic`` until the listener gets it: its subscription is in force."""
    for _ in range(50):
        publisher.publish(topic, PAYLOAD, wait_s=5)
        try:
            if any(m.topic == topic for m in [listener.next(0.2)]):
                break
        except queue.Empty:
            continue
    else:
        raise AssertionError(f"the listener never received {topic}")
    while True:
        try:
            listener.next(0.2)
        except queue.Empty:
            return


def test_a_device_publishes_only_its_own_topics(site: Site) -> None:
    with Listener(site.url("observer"), "test-observer", ["kolam/v1/#"]) as observer:
        a = client(site, "a")
        try:
            sync(a, observer, A_TELEMETRY)
            forbidden = [B_TELEMETRY,                                   # another pond's device
                         "kolam/v1/serang/kolam-2/node-a/telemetry",    # itself, wrong pond
                         "kolam/v1/other/kolam-1/node-a/telemetry",     # another site
                         "kolam/v1/serang/kolam-2/node-b/status",
                         "kolam/v1/serang/kolam-1/alerts",              # ingest's topic
                         B_CMD]
            for topic in forbidden:
                a.publish(topic, PAYLOAD, wait_s=5)
            a.publish(A_TELEMETRY, b'{"marker":1}', wait_s=5)
            seen = observer.until(A_TELEMETRY)
        finally:
            a.close()
    assert [m.topic for m in seen] == [A_TELEMETRY]
    assert seen[0].payload == b'{"marker":1}'


def test_a_device_reads_only_its_own_commands(site: Site) -> None:
    with Listener(site.url("a"), site.client_id("a"), [B_CMD, "kolam/v1/#", A_CMD]) as a:
        api = client(site, "api")
        try:
            sync(api, a, A_CMD)
            api.publish(B_CMD, b'{"v":1,"cmd":"set_interval","interval_s":1}', wait_s=5)
            api.publish(B_TELEMETRY.replace("telemetry", "cmd"), PAYLOAD, wait_s=5)
            api.publish(A_CMD, b'{"marker":1}', wait_s=5)
            seen = a.until(A_CMD)
        finally:
            api.close()
    assert [(m.topic, m.payload) for m in seen] == [(A_CMD, b'{"marker":1}')]


def test_a_device_cannot_eavesdrop_on_telemetry(site: Site) -> None:
    with Listener(site.url("a"), site.client_id("a"), ["kolam/v1/#", B_TELEMETRY, A_CMD]) as a:
        api, b = client(site, "api"), client(site, "b")
        try:
            sync(api, a, A_CMD)
            b.publish(B_TELEMETRY, PAYLOAD, wait_s=5)
            # The API reads B's telemetry, so it has passed the broker by now.
            with Listener(site.url("observer"), "test-observer", [B_TELEMETRY]) as observer:
                sync(b, observer, B_TELEMETRY)
            api.publish(A_CMD, b'{"marker":1}', wait_s=5)
            seen = a.until(A_CMD)
        finally:
            api.close()
            b.close()
    assert [m.topic for m in seen] == [A_CMD]


@pytest.mark.parametrize("login", [None, ("serang.node-a", "wrong-password"),
                                   ("nobody", "x"), ("serang.node-a", "")])
def test_anonymous_and_wrong_logins_are_refused(site: Site, login: tuple[str, str] | None,
                                                ) -> None:
    url = site.broker.url(*login) if login else site.broker.url()
    assert connack(url) in REFUSED


def test_a_disabled_device_is_refused_after_reload(site: Site) -> None:
    a = client(site, "a")
    try:
        site.kolam("devices", "disable", "serang", "node-a")
        site.apply()
        wait_for(lambda: connack(site.url("a")) in REFUSED, 5, what="node-a to be refused")
        if site.broker.drops_clients_on_reload:
            # Mosquitto rechecks connected clients on reload and drops those not allowed.
            wait_for(lambda: not a.connected, 5, what="the broker to drop node-a")
    finally:
        a.close()
    assert connack(site.url("b")) == ACCEPTED  # the others are unaffected

    site.kolam("devices", "enable", "serang", "node-a")
    site.apply()
    wait_for(lambda: connack(site.url("a")) == ACCEPTED, 5, what="node-a accepted again")


def test_a_rotated_password_replaces_the_old_one(site: Site) -> None:
    old = site.logins["a"]
    site.logins["a"] = site.kolam.login("devices", "rotate", "serang", "node-a")
    site.apply()
    wait_for(lambda: connack(site.url("a")) == ACCEPTED, 5, what="the new password to work")
    assert connack(site.broker.url(*old)) in REFUSED


def test_a_last_will_on_another_devices_topic_never_arrives(site: Site) -> None:
    """Otherwise a node could mark its neighbour offline by dropping its connection.
    Mosquitto accepts the client and drops the will when it fires; the embedded
    broker refuses the connection outright."""
    b_status = "kolam/v1/serang/kolam-2/node-b/status"
    with Listener(site.url("observer"), "test-observer", [b_status]) as observer:
        b = client(site, "b")
        try:
            sync(b, observer, b_status)
            forged = MqttClient(MqttUrl.parse(site.url("a")), site.client_id("a"),
                                will=Will(b_status, b'{"v":1,"online":false}'))
            try:
                forged.connect(timeout_s=2)
            except MqttError:
                assert not site.broker.drops_clients_on_reload  # the embedded broker
            else:
                forged.abort()  # no DISCONNECT: the broker fires the will now
                time.sleep(0.5)  # it notices the closed socket well within this
            b.publish(b_status, b'{"marker":1}', wait_s=5)
            seen = observer.until(b_status)
            b.publish(b_status, b'{"marker":2}', wait_s=5)  # after the will, surely
            seen += observer.until(b_status)
        finally:
            b.close()
    assert [m.payload for m in seen] == [b'{"marker":1}', b'{"marker":2}']


# Mosquitto only: amqtt 0.12 (the embedded broker) has no shared subscriptions.
@pytest.mark.parametrize("site", ["mosquitto"], indirect=True)
def test_ingest_reads_through_a_shared_subscription(site: Site) -> None:
    """Scaled-out ingest (``ingest.shared_group``) is judged on the filter it shares."""
    shared = "$share/kolam/kolam/v1/+/+/+/telemetry"
    with Listener(site.url("ingest"), "test-ingest", [shared, "$share/kolam/kolam/v1/#"]) as ingest:
        gw = client(site, "gateway")
        try:
            sync(gw, ingest, A_TELEMETRY)
            gw.publish(A_CMD, b'{"marker":1}', wait_s=5)
            gw.publish(A_TELEMETRY, b'{"marker":2}', wait_s=5)
            seen = ingest.until(A_TELEMETRY)
        finally:
            gw.close()
    # The wider filter is refused (ingest may not read commands); the granted one works.
    assert [m.payload for m in seen] == [b'{"marker":2}']
