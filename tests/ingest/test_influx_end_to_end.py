"""Simulated nodes → real Mosquitto → ingest → real InfluxDB → API; and InfluxDB
stopped mid-stream then restarted loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from firmware_sim.node import MqttLink, SimNode
from firmware_sim.runner import SimClock, SimRunner, device_refs
from kolam.config import KolamConfig
from kolam.mqtt import MqttClient
from kolam.protocol import DeviceRef, Sample, Telemetry, encode_telemetry, telemetry_topic
from kolam.store.influx import InfluxStore
from kolam.timeutil import iso, now_ms
from tests.utils.auth import admin_client
from tests.utils.influx import InfluxServer
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.services import running_ingest
from tests.utils.sim import RecordingModel


def _influx_config(make_config: Callable[..., KolamConfig], mosquitto: Mosquitto,
                   server: InfluxServer, db: str) -> KolamConfig:
    return make_config(mqtt_url=mosquitto.url(), store="influxdb", influx_url=server.url,
                       influx_bucket=f"{db}/autogen",
                       ingest={"flush_interval_ms": 50, "retry_max_s": 0.5})


def test_sim_to_influxdb_to_api_returns_exactly_what_was_published(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig],
        influx_server: InfluxServer, influx_db: str) -> None:
    config = _influx_config(make_config, mosquitto, influx_server, influx_db)
    n_ponds, steps = 2, 20
    start = now_ms() - steps * 60_000
    model = RecordingModel(n_ponds, seed=5)
    nodes = [SimNode(ref, 60.0) for ref in device_refs("serang", n_ponds)]
    with running_ingest(config) as (_worker, store, registry):
        assert isinstance(store, InfluxStore)
        links = []
        for node in nodes:
            link = MqttLink(mosquitto.mqtt, node.ref, node.handle_command)
            link.on_connect(node.on_connect)
            node.attach(link)
            link.connect(wait=True)
            links.append(link)
        SimRunner(nodes, model, SimClock(start, backfill=True),
                  end_ms=start + steps * 60_000).run(threading.Event())
        expected = sum(len(r) + 2 for _, readings in model.log for r in readings)
        wait_for(lambda: store.count() >= expected, 30, what="every sample in InfluxDB")
        for link in links:
            link.close()

        client = admin_client(TestClient(create_app(config, store, registry)), registry)
        for i, pond in enumerate(("kolam-1", "kolam-2")):
            for metric in ("do_mgl", "temp_c", "ph", "nh3_mgl"):
                r = client.get(f"/api/v1/sites/serang/ponds/{pond}/series",
                               params={"metric": metric, "start": iso(start),
                                       "end": iso(start + steps * 60_000)})
                assert r.status_code == 200, r.text
                got = [(p["t_ms"], p["value"]) for p in r.json()["points"]]
                if metric in model.log[0][1][i]:
                    assert got == [(t, readings[i][metric]) for t, readings in model.log]
                else:
                    assert len(got) == len(model.log)
        last_t, last = model.log[-1]
        detail = client.get("/api/v1/sites/serang/ponds/kolam-2").json()
        assert detail["latest"]["do_mgl"]["t_ms"] == last_t
        assert detail["latest"]["do_mgl"]["value"] == last[1]["do_mgl"]
        r = client.get("/api/v1/sites/serang/ponds/kolam-1/series",
                       params={"metric": "ph", "start": iso(start),
                               "end": iso(start + steps * 60_000), "step": 600})
        buckets = r.json()["buckets"]
        assert sum(b["count"] for b in buckets) == steps
        assert buckets == sorted(buckets, key=lambda b: b["t_ms"])


def test_influxdb_down_mid_stream_loses_nothing(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig], tmp_path: Path) -> None:
    server = InfluxServer(tmp_path / "influxdb").start()
    try:
        server.create_database("kolam")
        config = _influx_config(make_config, mosquitto, server, "kolam")
        ref = DeviceRef("serang", "kolam-1", "node-1")
        t0 = now_ms() - 3_600_000
        n_messages, per_message = 60, 10
        messages = [encode_telemetry(Telemetry(seq, 1, tuple(
            Sample(t0 + (seq * per_message + k) * 1000, {"do_mgl": 5.0 + k / 10, "ph": 7.0 + seq / 100})
            for k in range(per_message)))) for seq in range(n_messages)]
        expected = n_messages * per_message * 2
        with running_ingest(config) as (worker, store, _registry):
            pub = MqttClient(mosquitto.mqtt, "test-publisher")
            pub.connect()
            for payload in messages[:20]:
                pub.publish(telemetry_topic(ref), payload, qos=1, wait_s=5)
            wait_for(lambda: store.count() >= 20 * per_message * 2, 20, what="first third")

            server.stop()
            for payload in messages[20:40]:
                pub.publish(telemetry_topic(ref), payload, qos=1, wait_s=5)
            wait_for(lambda: worker.metrics.store_retries._value.get() >= 3, 20,
                     what="ingest to retry against the stopped InfluxDB")

            server.start()
            for payload in messages[40:]:
                pub.publish(telemetry_topic(ref), payload, qos=1, wait_s=5)
            wait_for(lambda: store.count() >= expected, 30, what="everything after restart")
            # InfluxDB has no transactions: when it stopped between a batch's raw points and
            # its roll-ups, the retry finds the points there and counts them as duplicates
            # (and still writes the roll-ups, tests/kolam/store/test_retention.py). Every
            # value is counted once, as stored or as already there.
            m = worker.metrics
            wait_for(lambda: m.samples._value.get() + m.duplicates._value.get() >= expected, 30,
                     what="every batch to be counted")
            pub.close()

            assert store.count() == expected
            points = store.raw("serang", "kolam-1", "do_mgl", t0, t0 + 3_600_000)
            assert [p.t for p in points] == [t0 + i * 1000 for i in range(n_messages * per_message)]
            assert [p.value for p in points[:per_message]] == [5.0 + k / 10 for k in range(10)]
            assert m.samples._value.get() + m.duplicates._value.get() == expected
    finally:
        server.stop()
