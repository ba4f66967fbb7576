"""Simulated nodes → real Mosquitto → ingest → SQLite → API, and redelivery."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from firmware_sim.node import MqttLink, SimNode
from firmware_sim.runner import SimClock, SimRunner, device_refs
from kolam.config import KolamConfig
from kolam.mqtt import MqttClient
from kolam.protocol import Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.timeutil import iso, now_ms
from tests.utils.auth import admin_client
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest
from tests.utils.sim import RecordingModel


def test_sim_to_api_returns_exactly_what_was_published(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(), ingest={"flush_interval_ms": 50})
    n_ponds, steps = 3, 30
    start = now_ms() - steps * 60_000
    model = RecordingModel(n_ponds)
    nodes = [SimNode(ref, 60.0) for ref in device_refs("serang", n_ponds)]
    with running_ingest(config) as (_worker, store, registry):
        links = []
        for node in nodes:
            link = MqttLink(mosquitto.mqtt, node.ref, node.handle_command)
            link.on_connect(node.on_connect)
            node.attach(link)
            link.connect(wait=True)
            links.append(link)
        runner = SimRunner(nodes, model, SimClock(start, backfill=True), end_ms=start + steps * 60_000)
        runner.run(threading.Event())
        expected_values = steps * n_ponds * 8
        wait_for(lambda: store.count() >= expected_values * 10 // 8, 20, what="all samples")
        for link in links:
            link.close()
        wait_for(lambda: all(d.online is False for d in registry.devices("serang")), 10,
                 what="offline statuses")

        client = admin_client(TestClient(create_app(config, store, registry)), registry)
        ponds = client.get("/api/v1/sites/serang/ponds").json()
        assert [p["slug"] for p in ponds] == ["kolam-1", "kolam-2", "kolam-3"]
        for i, pond in enumerate(("kolam-1", "kolam-2", "kolam-3")):
            for metric in ("do_mgl", "temp_c", "ph", "tds_ppm"):
                r = client.get(f"/api/v1/sites/serang/ponds/{pond}/series",
                               params={"metric": metric, "start": iso(start),
                                       "end": iso(start + steps * 60_000)})
                assert r.status_code == 200, r.text
                got = [(p["t_ms"], p["value"]) for p in r.json()["points"]]
                want = [(t, readings[i][metric]) for t, readings in model.log]
                assert got == want
        detail = client.get("/api/v1/sites/serang/ponds/kolam-2").json()
        last_t, last = model.log[-1]
        assert detail["latest"]["do_mgl"]["value"] == last[1]["do_mgl"]
        assert detail["latest"]["do_mgl"]["t_ms"] == last_t
        assert "nh3_mgl" in detail["latest"] and "do_sat_pct" in detail["latest"]
        assert detail["devices"][0]["online"] is False


def test_same_messages_twice_are_stored_once(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(), ingest={"flush_interval_ms": 50})
    from kolam.protocol import DeviceRef

    ref = DeviceRef("serang", "kolam-1", "node-1")
    t0 = now_ms() - 3_600_000
    messages = [encode_telemetry(Telemetry(seq, 1, tuple(
        Sample(t0 + (seq * 10 + k) * 1000, {"do_mgl": 5.0 + k / 10, "ph": 7.0})
        for k in range(10)))) for seq in range(20)]
    with running_ingest(config) as (worker, store, registry):
        pub = MqttClient(mosquitto.mqtt, "test-publisher")
        pub.connect()
        for _ in range(2):
            for payload in messages:
                pub.publish(telemetry_topic(ref), payload, qos=1, wait_s=5)
        wait_for(lambda: worker.metrics.duplicates._value.get() >= 400, 20,
                 what="second copy to be processed")
        pub.close()
        assert store.count() == 400
        assert worker.metrics.samples._value.get() == 400
        assert registry.dead_letter_counts() == {}


def test_bad_messages_are_dead_lettered_and_ingest_keeps_going(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    config = make_config(mqtt_url=mosquitto.url(), ingest={"flush_interval_ms": 50})
    t = now_ms() - 1000
    good = json.dumps({"v": 1, "seq": 1, "boot": 1, "samples": [{"t": t, "ph": 7.0}]}).encode()
    bad: list[tuple[str, bytes, str]] = [
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b"{nope", "malformed_json"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry", b"\xff\xfe", "bad_encoding"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry",
         json.dumps({"v": 1, "seq": 2, "boot": 1,
                     "samples": [{"t": t + 1, "temp_c": -127, "ph": 7.1}]}).encode(), "sentinel"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry",
         json.dumps({"v": 1, "seq": 3, "boot": 1,
                     "samples": [{"t": t + 2, "ammonia": 1}]}).encode(), "unknown_metric"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry",
         json.dumps({"v": 1, "seq": 4, "boot": 1,
                     "samples": [{"t": t + 3, "ph": 20}]}).encode(), "out_of_range"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry",
         json.dumps({"v": 1, "seq": 5, "boot": 1,
                     "samples": [{"t": t + 86_400_000, "ph": 7}]}).encode(), "future_timestamp"),
        ("kolam/v1/serang/kolam-1/node-1/telemetry",
         json.dumps({"v": 1, "seq": "x", "boot": 1, "samples": []}).encode(), "wrong_type"),
        ("kolam/v1/SERANG/kolam-1/node-1/telemetry", good, "bad_topic"),
        ("kolam/v1/serang/kolam-1/node-1/status", b'{"v":1}', "missing_field"),
    ]
    with running_ingest(config) as (_worker, store, registry):
        pub = MqttClient(mosquitto.mqtt, "test-publisher")
        pub.connect()
        for topic, payload, _ in bad:
            pub.publish(topic, payload, qos=1, wait_s=5)
            pub.publish("kolam/v1/serang/kolam-1/node-1/telemetry", good, qos=1, wait_s=5)
        pub.publish("kolam/v1/serang/kolam-2/node-2/telemetry", good, qos=1, wait_s=5)
        wait_for(lambda: sum(registry.dead_letter_counts().values()) >= len(bad)
                 and store.count() >= 3, 20, what="dead letters")
        pub.close()
        counts = registry.dead_letter_counts()
        assert counts == {reason: 1 for _, _, reason in bad}
        # The valid value in the sentinel message survived; the good message stored once.
        pts = store.raw("serang", "kolam-1", "ph", t - 1, t + 10)
        assert [(p.t, p.value) for p in pts] == [(t, 7.0), (t + 1, 7.1)]
        assert store.raw("serang", "kolam-2", "ph", t - 1, t + 10)[0].value == 7.0
        client = admin_client(TestClient(create_app(config, store, registry)), registry)
        body = client.get("/api/v1/deadletters", params={"reason": "sentinel"}).json()
        assert body["items"][0]["topic"].endswith("node-1/telemetry")
        assert "-127" in body["items"][0]["payload"]
        metrics = client.get("/metrics").text
        assert 'kolam_dead_letters{reason="sentinel"} 1.0' in metrics
