"""Alerts end to end: simulated ponds → real Mosquitto → ingest (engine, durable outbox,
notifier) → a local webhook receiver, a local SMTP server and the MQTT alerts topic."""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from api.app import create_app
from firmware_sim.pond import PondSim
from ingest.worker import IngestWorker
from kolam.config import KolamConfig
from kolam.mqtt import Message, MqttClient, Will
from kolam.protocol import (
    DeviceRef,
    Sample,
    Status,
    Telemetry,
    encode_status,
    encode_telemetry,
    status_topic,
    telemetry_topic,
)
from kolam.registry.alerts import Alerts
from kolam.registry.repo import Registry
from kolam.store import SqliteStore
from kolam.timeutil import WIB, now_ms
from tests.utils.auth import admin_client
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.receivers import SmtpReceiver, WebhookReceiver
from tests.utils.services import IngestProcess, running_ingest

REF = DeviceRef("serang", "kolam-1", "node-1")
DAY_MS = 86_400_000


@contextmanager
def ingest_with_notifier(config: KolamConfig) -> Iterator[tuple[IngestWorker, SqliteStore,
                                                                Registry]]:
    with running_ingest(config) as (worker, store, registry):
        assert worker.alerts is not None
        worker.alerts.start_notifier()
        try:
            yield worker, store, registry
        finally:
            worker.alerts.stop_notifier()


class Publisher:
    def __init__(self, broker: Mosquitto) -> None:
        self.client = MqttClient(broker.mqtt, "test-node", max_inflight=1000)
        self.client.connect()

    def samples(self, ref: DeviceRef, samples: list[Sample], per_msg: int = 30) -> None:
        for i in range(0, len(samples), per_msg):
            msg = Telemetry(i, 1, tuple(samples[i:i + per_msg]))
            self.client.publish(telemetry_topic(ref), encode_telemetry(msg), wait_s=5)

    def status(self, ref: DeviceRef, payload: bytes) -> None:
        self.client.publish(status_topic(ref), payload, retain=True, wait_s=5)

    def close(self) -> None:
        self.client.close()


class AlertListener:
    def __init__(self, broker: Mosquitto) -> None:
        self.events: list[dict[str, object]] = []
        self.client = MqttClient(broker.mqtt, "test-alert-listener")
        self.client.subscribe(["kolam/v1/+/+/alerts"], self._on)
        self.client.connect()

    def _on(self, msg: Message) -> None:
        self.events.append(json.loads(msg.payload))


def aerator_failure_samples() -> tuple[list[Sample], int]:
    """PondSim's ``aerator-failure`` scenario, day 2 12:00 to day 3 12:00 WIB, ending
    yesterday; returns the observed samples of pond 0 and the index of day 3 04:00."""
    today = datetime.now(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (today - timedelta(days=4)).astimezone(UTC)
    sim = PondSim(1, start, 60.0, "aerator-failure", seed=3)
    frames = sim.run(int(3.5 * 1440))
    t0 = int(start.timestamp() * 1000) + 2 * DAY_MS + 12 * 3600_000  # day 2 12:00 WIB
    samples = []
    for i, t in enumerate(frames.t_ms):
        if t < t0:
            continue
        values = {k: round(float(v[i, 0]), 3) for k, v in frames.observed.items()
                  if not math.isnan(v[i, 0])}
        samples.append(Sample(int(t), values))
    assert float(np.nanmin(frames.truth["do_mgl"][:, 0])) < 2.0
    cut = next(i for i, s in enumerate(samples) if s.t >= t0 + 16 * 3600_000)  # 04:00 day 3
    return samples, cut


def test_aerator_failure_alert_reaches_webhook_email_and_mqtt_once(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    samples, cut = aerator_failure_samples()
    with WebhookReceiver() as hook, WebhookReceiver() as boss, SmtpReceiver() as smtp:
        config = make_config(
            mqtt_url=mosquitto.url(), webhook_url=hook.url, smtp_url=smtp.url,
            alert_emails="petugas@rutan-serang.id", ingest={"flush_interval_ms": 50},
            alerts={"max_age_s": 5 * 86400, "escalation_after_s": 3, "tick_s": 0.5,
                    "contacts": [{"name": "kepala", "webhook": boss.url, "level": 1,
                                  "severities": ["critical"]}]})
        listener = AlertListener(mosquitto)
        pub = Publisher(mosquitto)
        with ingest_with_notifier(config) as (_worker, store, registry):
            pub.samples(REF, samples[:cut])

            def critical(bodies: list[dict[str, object]]) -> list[dict[str, object]]:
                return [b for b in bodies if b.get("rule") == "do_low"
                        and b.get("severity") == "critical"
                        and b.get("event") in ("opened", "upgraded")]

            wait_for(lambda: critical(hook.bodies()) and smtp.messages
                     and critical(listener.events), 20, what="the critical DO alert")
            (alert,) = critical(hook.bodies())
            assert "Nyalakan aerator dan kurangi pakan" in str(alert["message"])
            assert alert["value"] is not None and float(str(alert["value"])) < 2.0
            api = admin_client(TestClient(create_app(config, store, registry)), registry)
            r = api.post(f"/api/v1/sites/serang/alerts/{alert['id']}/ack")
            assert r.status_code == 200 and r.json()["state"] == "acknowledged"
            time.sleep(4.5)  # beyond escalation_after_s
            assert critical(boss.bodies()) == []
            mails = [m for m in smtp.messages if "KRITIS" in m["Subject"]
                     and "Oksigen" in m["Subject"]]
            assert len(mails) == 1 and "Nyalakan aerator" in mails[0].get_payload()
            assert len(critical(listener.events)) == 1
            assert len(critical(hook.bodies())) == 1
            pond = api.get("/api/v1/sites/serang/ponds/kolam-1").json()
            assert any(a["rule"] == "do_low" for a in pond["active_alerts"])

            pub.samples(REF, samples[cut:])
            wait_for(lambda: any(b.get("rule") == "do_low" and b.get("event") == "resolved"
                                 for b in hook.bodies()), 20, what="the resolution")
            do = Alerts(registry.engine).find(["serang"], rule="do_low")
            assert len(do) == 1 and do[0].state == "resolved" and do[0].acked_by == "admin-test"
            assert len(critical(hook.bodies())) == 1
        pub.close()
        listener.client.close()


def test_offline_from_last_will_and_from_silence(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        # Offline at once (the default waits 10 min: a reconnect is not news).
        config = make_config(mqtt_url=mosquitto.url(), webhook_url=hook.url,
                             ingest={"flush_interval_ms": 50},
                             alerts={"tick_s": 0.2, "rules": {"offline": {"min_duration_s": 0}}})
        will = DeviceRef("serang", "kolam-1", "node-1")
        quiet = DeviceRef("serang", "kolam-2", "node-2")
        with ingest_with_notifier(config):
            pub = Publisher(mosquitto)
            pub.status(quiet, encode_status(Status(online=True, interval_s=1)))
            now = now_ms()
            pub.samples(quiet, [Sample(now, {"do_mgl": 5.0})])
            pub.samples(will, [Sample(now, {"do_mgl": 5.0})])
            # node-1's connection drops without DISCONNECT: the broker sends its Last Will.
            node = MqttClient(mosquitto.mqtt, "node-1",
                              will=Will(status_topic(will), encode_status(Status(online=False))))
            node.connect()
            node.abort()

            def offline(device: str) -> list[dict[str, object]]:
                return [b for b in hook.bodies() if b.get("key") == f"offline/{device}"]

            wait_for(lambda: offline("node-1") and offline("node-2"), 15,
                     what="both offline alerts")
            assert offline("node-1")[0]["detail"] == "last_will"
            assert offline("node-2")[0]["detail"] == "silence"
            assert "Periksa daya" in str(offline("node-2")[0]["message"])
            pub.close()


def test_draining_a_backlog_reports_no_device_offline(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    """After ingest's own outage its backlog drains in full batches. The node was sending
    all along, so it must not be reported silent while ingest catches up."""
    config = make_config(mqtt_url=mosquitto.url(), ingest={"batch_size": 50,
                                                           "flush_interval_ms": 50},
                         alerts={"tick_s": 0.05})
    with running_ingest(config):
        pass  # the persistent session exists; ingest is down from here
    pub = Publisher(mosquitto)
    pub.status(REF, encode_status(Status(online=True, interval_s=5)))  # silent after 15 s
    n, now = 6000, now_ms()
    pub.samples(REF, [Sample(now - 120_000 + i * 20, {"do_mgl": 5.0 + i % 7 / 10})
                      for i in range(n)], per_msg=1)
    pub.close()
    with running_ingest(config) as (worker, store, registry):
        wait_for(lambda: store.count() >= n, 60, what="the backlog stored")
        time.sleep(0.3)  # caught up: the wall-clock checks run again
        assert worker.alerts is not None and worker.alerts._next_tick > 0
        raised = Alerts(registry.engine).find(["serang"])  # open or already resolved
    assert [(a.key, a.detail) for a in raised] == []


def test_flapping_readings_raise_one_alert(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig]) -> None:
    with WebhookReceiver() as hook:
        config = make_config(mqtt_url=mosquitto.url(), webhook_url=hook.url,
                             ingest={"flush_interval_ms": 50}, alerts={"max_age_s": 86400})
        with ingest_with_notifier(config) as (_w, _s, registry):
            pub = Publisher(mosquitto)
            start = now_ms() - 6 * 3600_000
            # DO wobbling around the 3 mg/L warning for six hours, crossing it every few
            # minutes, as a probe in slightly troubled water does.
            flapping = [Sample(start + i * 60_000,
                               {"do_mgl": round(3.0 - 0.35 * math.cos(i / 60 * 2 * math.pi)
                                                + (0.15 if i % 3 == 0 else -0.1), 2)})
                        for i in range(360)]
            crossings = sum((a.values["do_mgl"] < 3) != (b.values["do_mgl"] < 3)
                            for a, b in itertools.pairwise(flapping))
            assert crossings > 20
            pub.samples(REF, flapping)
            wait_for(lambda: any(b.get("rule") == "do_low" for b in hook.bodies()), 15,
                     what="the alert")
            time.sleep(1.0)
            assert len(Alerts(registry.engine).find(["serang"], rule="do_low")) == 1
            assert len([b for b in hook.bodies() if b.get("rule") == "do_low"]) == 1
            pub.close()


def test_notification_survives_sigkill_of_ingest(
        mosquitto: Mosquitto, make_config: Callable[..., KolamConfig], tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        hook.status = 500
        data = tmp_path / "data"
        env = {"KOLAM_MQTT_URL": mosquitto.url(), "KOLAM_DATA_DIR": str(data),
               "KOLAM_WEBHOOK_URL": hook.url, "KOLAM_INGEST__FLUSH_INTERVAL_MS": "50",
               "KOLAM_ALERTS__RETRY_MAX_S": "0.5", "KOLAM_ALERTS__TICK_S": "0.5"}
        proc = IngestProcess(env, tmp_path / "ingest.log").start()
        pub = Publisher(mosquitto)
        try:
            now = now_ms()
            pub.samples(REF, [Sample(now - 20 * 60_000 + i * 60_000, {"do_mgl": 1.2})
                              for i in range(20)])
            wait_for(lambda: hook.attempts >= 2, 20, what="failing delivery attempts")
            proc.kill()
            hook.status = 200
            assert hook.received == []
            proc = IngestProcess(env, tmp_path / "ingest.log").start()
            wait_for(lambda: any(b.get("rule") == "do_low" for b in hook.bodies()), 20,
                     what="the notification after the restart")
            do = [b for b in hook.bodies() if b.get("rule") == "do_low"]
            assert len(do) == 1 and do[0]["severity"] == "critical"
            # State survived the restart: the same samples again raise nothing new.
            pub.samples(REF, [Sample(now + i * 1000, {"do_mgl": 1.1}) for i in range(5)])
            time.sleep(1.5)
            registry = Registry(f"sqlite:///{data / 'registry.sqlite'}")
            found = Alerts(registry.engine).find(["serang"], rule="do_low")
            registry.close()
            assert len(found) == 1 and found[0].state == "open"
            assert len([b for b in hook.bodies() if b.get("rule") == "do_low"]) == 1
        finally:
            pub.close()
            proc.terminate()
